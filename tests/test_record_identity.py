"""A DST record is about one Veteran for good: a reopen that names another one is refused and audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from dst.audit.models import AuditEvent
from dst.consults.models import DstRecord, IdentityChange

from factories import consult, key, ordinary, veteran
from harness import SERVICE

PROBLEM = "application/problem+json"
FIRST = veteran(ordinary)
OTHER = veteran(lambda v: ordinary(v) and v.icn != FIRST.icn and v.dfn != FIRST.dfn)


def post(client: Any, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/dst", json=body, headers=SERVICE)


def stored(client: Any, dst_id: str) -> DstRecord:
    with client.app.state.sessions() as session:
        record = session.scalar(select(DstRecord).where(DstRecord.dst_id == dst_id))
        assert record is not None
        return record


def events(client: Any, action: str) -> list[AuditEvent]:
    with client.app.state.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def opened(client: Any, **overrides: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    body = consult(FIRST, **overrides)
    created = post(client, body)
    assert created.status_code == 201, created.text
    return body, created.json()


@pytest.mark.parametrize(
    ("change", "mismatched"),
    [
        ({"icn": OTHER.icn}, ["icn"]),
        ({"dfn": OTHER.dfn}, ["dfn"]),
        ({"icn": OTHER.icn, "dfn": OTHER.dfn}, ["icn", "dfn"]),
        ({"icn": OTHER.icn, "dfn": None}, ["icn"]),  # the DFN left out: the ICN still differs
    ],
)
def test_a_reopen_naming_another_veteran_is_a_409_and_changes_nothing(
    client, change: dict[str, Any], mismatched: list[str]
) -> None:
    body, record = opened(client)
    dst_id = record["dstId"]
    again = {k: v for k, v in {**body, **change}.items() if v is not None}
    refused = post(client, again)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith(PROBLEM)
    problem = refused.json()
    assert problem["fields"] == mismatched and problem["field"] == mismatched[0]
    assert "another Veteran" in problem["detail"] and "nothing was opened or changed" in problem["detail"]
    # The caller learns neither the record nor the Veteran it is about.
    assert dst_id not in refused.text and FIRST.icn not in refused.text
    assert "Location" not in refused.headers and "ETag" not in refused.headers
    kept = stored(client, dst_id)
    assert (kept.icn, kept.dfn, kept.version) == (FIRST.icn, FIRST.dfn, record["version"])
    [event] = events(client, "reopen-refused")
    assert (event.dst_id, event.icn, event.station, event.outcome) == (
        dst_id,
        FIRST.icn,
        body["station"],
        "conflict",
    )
    assert event.detail == {
        "via": "api",
        "mismatched": mismatched,
        "record": {"icn": FIRST.icn, "dfn": FIRST.dfn},
        "sent": {"icn": again.get("icn"), "dfn": again.get("dfn")},
    }
    assert events(client, "reopen-record") == []


def test_the_identity_holds_after_a_decision_signing_and_release_to_hsrm(client) -> None:
    body, record = opened(client)
    dst_id = record["dstId"]
    seoc = client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]
    decision = {"veteranOption": "opt-in", "seocId": seoc, "forward": False}
    saved = client.put(f"/api/v1/dst/{dst_id}/decision", json=decision, headers={**SERVICE, **key()})
    assert saved.status_code == 200, saved.text
    assert post(client, {**body, "signed": True}).status_code == 200
    with client.app.state.sessions.begin() as session:
        row = session.scalar(select(DstRecord).where(DstRecord.dst_id == dst_id))
        assert row is not None
        row.released_to_hsrm = True
    for change in ({"icn": OTHER.icn}, {"dfn": OTHER.dfn}):
        assert post(client, {**body, **change, "signed": True}).status_code == 409
    kept = stored(client, dst_id)
    assert (kept.icn, kept.dfn, kept.signed, kept.released_to_hsrm) == (FIRST.icn, FIRST.dfn, True, True)
    reopened = post(client, {**body, "signed": True})
    assert reopened.status_code == 200 and reopened.json()["icn"] == FIRST.icn


def test_the_same_veteran_reopens_with_either_identifier_left_out(client) -> None:
    body, record = opened(client)
    by_icn = post(client, {k: v for k, v in body.items() if k != "dfn"})
    by_dfn = post(client, {k: v for k, v in body.items() if k != "icn"})
    assert by_icn.status_code == by_dfn.status_code == 200
    assert by_icn.json()["dstId"] == by_dfn.json()["dstId"] == record["dstId"]
    kept = stored(client, record["dstId"])
    assert (kept.icn, kept.dfn, kept.version) == (FIRST.icn, FIRST.dfn, record["version"])
    assert events(client, "reopen-refused") == []


def test_a_missing_identifier_is_filled_in_only_when_another_one_matches(client) -> None:
    body, record = opened(client, icn=None)  # CTB knew only the DFN when the record was opened
    dst_id = record["dstId"]
    assert record["icn"] is None
    alone = post(client, {**{k: v for k, v in body.items() if k != "dfn"}, "icn": OTHER.icn})
    assert alone.status_code == 409 and alone.json()["fields"] == ["icn"]
    assert "cannot confirm" in alone.json()["detail"] and "Send the DFN" in alone.json()["detail"]
    assert stored(client, dst_id).icn is None

    filled = post(client, {**body, "icn": FIRST.icn})
    assert filled.status_code == 200 and filled.json()["icn"] == FIRST.icn
    assert filled.json()["version"] == record["version"] + 1
    [event] = [e for e in events(client, "reopen-record") if e.detail.get("filledIdentifiers")]
    assert event.detail["filledIdentifiers"] == ["icn"] and event.icn == FIRST.icn
    # Once filled, it is the record's identity like any other.
    assert post(client, {**body, "icn": OTHER.icn}).status_code == 409
    assert stored(client, dst_id).icn == FIRST.icn


def test_a_record_released_to_hsrm_is_not_filled_in(client) -> None:
    body, record = opened(client, icn=None)
    with client.app.state.sessions.begin() as session:
        row = session.scalar(select(DstRecord).where(DstRecord.dst_id == record["dstId"]))
        assert row is not None
        row.released_to_hsrm = True
    again = post(client, {**body, "icn": FIRST.icn})
    assert again.status_code == 200 and again.json()["icn"] is None


def test_the_losing_side_of_a_creation_race_obeys_the_same_rule(client, monkeypatch) -> None:
    """Two launches for one consult at once: the loser reopens the winner's record, or is refused."""
    from dst.consults import service

    body, record = opened(client)
    real = service._find_by_consult
    calls: list[int] = []

    def first_misses(session: Any, ctx: Any) -> DstRecord | None:
        calls.append(1)
        return None if len(calls) == 1 else real(session, ctx)

    monkeypatch.setattr(service, "_find_by_consult", first_misses)
    refused = post(client, {**body, "icn": OTHER.icn})
    assert refused.status_code == 409 and len(calls) == 2
    calls.clear()
    same = post(client, body)
    assert same.status_code == 200 and same.json()["dstId"] == record["dstId"]
    assert stored(client, record["dstId"]).icn == FIRST.icn


def test_no_code_can_replace_a_records_identifiers(client) -> None:
    _, record = opened(client, icn=None)
    with client.app.state.sessions() as session:
        row = session.scalar(select(DstRecord).where(DstRecord.dst_id == record["dstId"]))
        assert row is not None
        row.icn = FIRST.icn  # filling a missing one is allowed
        row.icn = FIRST.icn  # setting the same value again too
        with pytest.raises(IdentityChange):
            row.icn = OTHER.icn
        with pytest.raises(IdentityChange):
            row.dfn = OTHER.dfn
        with pytest.raises(IdentityChange):
            row.dfn = None
        session.rollback()
