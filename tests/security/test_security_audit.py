"""The audit trail: who, when, what and from where for every record access; append-only; searchable."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from dst.audit.models import AuditEvent
from dst.consults.models import DstRecord

from factories import key, ordinary, veteran
from harness import SERVICE, csrf_header, open_record, sign_in


def events(database_url: str) -> list[AuditEvent]:
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    finally:
        engine.dispose()


def test_every_read_and_change_of_a_record_is_audited(client, database_url) -> None:
    record = open_record(client)
    dst_id = record["dstId"]
    for panel in (
        "",
        "/patient",
        "/facilities",
        "/community-providers",
        "/eligibility",
        "/seocs",
        "/consult-text",
    ):
        assert client.get(f"/api/v1/dst/{dst_id}{panel}", headers=SERVICE).status_code == 200
    seoc = client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]
    body = {"veteranOption": "opt-in", "seocId": seoc, "forward": False}
    assert (
        client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={**SERVICE, **key()}).status_code
        == 200
    )
    sign_in(client, "provider")
    assert client.get(f"/dst/{dst_id}").status_code == 200
    assert client.get(f"/vs/v2/consultFactor/{dst_id}").status_code == 200

    mine = [e for e in events(database_url) if e.dst_id == dst_id]
    actions = [e.action for e in mine]
    for expected in (
        "create-record",
        "read-record",
        "read-patient",
        "read-facilities",
        "read-providers",
        "read-eligibility",
        "read-seocs",
        "read-consult-text",
        "save-decision",
        "view-dashboard",
        "vista-fetch",
    ):
        assert expected in actions
    viewed = next(e for e in mine if e.action == "view-dashboard")
    assert (viewed.actor, viewed.role, viewed.outcome) == ("demo.provider", "provider", "ok")
    assert viewed.icn == veteran(ordinary).icn and viewed.station == veteran(ordinary).station
    assert viewed.source_ip == "testclient"
    assert abs(viewed.at - datetime.now(UTC)) < timedelta(minutes=5)


def test_refused_access_to_a_record_is_audited(client, database_url) -> None:
    dst_id = open_record(client)["dstId"]
    sign_in(client, "reporting")
    assert client.get(f"/api/v1/dst/{dst_id}").status_code == 403
    client.cookies.clear()
    assert client.get(f"/api/v1/dst/{dst_id}/patient").status_code == 401
    assert client.get(f"/api/v1/dst/{dst_id}", headers={"Authorization": "Bearer forged"}).status_code == 401
    denied = [e for e in events(database_url) if e.action == "access-denied"]
    assert [(e.actor, e.role, e.outcome) for e in denied] == [
        ("demo.analyst", "reporting", "forbidden"),
        ("anonymous", "none", "unauthenticated"),
        ("bearer-token-refused", "none", "unauthenticated"),
    ]
    assert all(e.dst_id == dst_id and e.icn == veteran(ordinary).icn for e in denied)
    assert denied[0].detail == {"method": "GET", "route": "/api/v1/dst/{dst_id}", "status": 403}


def test_refused_writes_and_unknown_records_are_audited_with_who_asked(client, database_url) -> None:
    dst_id = open_record(client)["dstId"]
    seoc = client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]
    body = {"veteranOption": "opt-in", "seocId": seoc, "forward": False}
    stale = client.put(
        f"/api/v1/dst/{dst_id}/decision", json=body, headers={**SERVICE, **key(), "If-Match": '"99"'}
    )
    assert stale.status_code == 409
    invalid = client.put(
        f"/api/v1/dst/{dst_id}/decision", json={"veteranOption": "maybe"}, headers={**SERVICE, **key()}
    )
    assert invalid.status_code == 422
    sign_in(client, "provider")
    page = client.post(
        f"/dst/{dst_id}/decision", data={"csrf": csrf_header(client)["X-CSRF-Token"], "veteranOption": "x"}
    )
    assert page.status_code == 422
    for guess in ("NOSUCH01", "NOSUCH02"):
        assert client.get(f"/api/v1/dst/{guess}", headers=SERVICE).status_code == 404

    refused = [e for e in events(database_url) if e.action == "write-refused"]
    assert [(e.actor, e.role, e.outcome, e.detail["status"]) for e in refused] == [
        ("service", "service", "conflict", 409),
        ("service", "service", "invalid", 422),
        ("demo.provider", "provider", "invalid", 422),
    ]
    assert all(e.dst_id == dst_id and e.icn == veteran(ordinary).icn for e in refused)
    assert refused[-1].detail["route"] == "/dst/{dst_id}/decision"
    unknown = [e for e in events(database_url) if e.action == "record-not-found"]
    # The second guess inside the minute is counted, not written, until the minute is over.
    assert [(e.actor, e.outcome, e.dst_id, e.icn) for e in unknown] == [
        ("service", "not-found", "NOSUCH01", None)
    ]
    # A read the route answered is audited as the read, never as a refusal.
    assert client.get(f"/api/v1/dst/{dst_id}", headers=SERVICE).status_code == 200
    assert len([e for e in events(database_url) if e.action in {"write-refused", "record-not-found"}]) == 4


def test_the_database_refuses_to_change_or_delete_audit_events(client, database_url) -> None:
    open_record(client)
    engine = create_engine(database_url)
    try:
        for statement in ("UPDATE audit_event SET actor = 'someone-else'", "DELETE FROM audit_event"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
        if engine.dialect.name == "sqlite":
            replace = (
                "INSERT OR REPLACE INTO audit_event (id, at, actor, role, action, outcome, detail) "
                "SELECT id, at, 'someone-else', role, action, outcome, detail FROM audit_event LIMIT 1"
            )
        else:
            replace = (
                "INSERT INTO audit_event (id, at, actor, role, action, outcome, detail) "
                "SELECT id, at, 'someone-else', role, action, outcome, detail FROM audit_event LIMIT 1 "
                "ON CONFLICT (id) DO UPDATE SET actor = EXCLUDED.actor"
            )
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(replace))
        with engine.connect() as connection:
            rewritten = "SELECT count(*) FROM audit_event WHERE actor = 'someone-else'"
            assert connection.scalar(text(rewritten)) == 0
            assert connection.scalar(text("SELECT count(*) FROM audit_event WHERE actor = 'service'")) >= 1
    finally:
        engine.dispose()


def test_audit_events_outlive_the_record(client, database_url) -> None:
    dst_id = open_record(client)["dstId"]
    engine = create_engine(database_url)
    try:
        with Session(engine) as session, session.begin():
            session.delete(session.scalars(select(DstRecord).where(DstRecord.dst_id == dst_id)).one())
    finally:
        engine.dispose()
    assert [e.action for e in events(database_url) if e.dst_id == dst_id] == ["create-record", "read-record"]


def test_the_auditor_searches_by_each_filter_and_pages(client, database_url) -> None:
    first_day = datetime.now(UTC).date()  # the events' day; read before them, in case midnight passes
    first = open_record(client)["dstId"]
    second = open_record(client)["dstId"]
    sign_in(client, "auditor")
    api = client.get("/api/v1/audit", params={"dstId": first}).json()
    assert api["total"] == 2 and {i["dstId"] for i in api["items"]} == {first}
    assert client.get("/api/v1/audit", params={"action": "create-record"}).json()["total"] == 2
    assert client.get("/api/v1/audit", params={"user": "service"}).json()["total"] == 4
    icn = veteran(ordinary).icn
    assert (
        client.get("/api/v1/audit", params={"icn": icn, "station": veteran(ordinary).station}).json()["total"]
        == 4
    )
    today = datetime.now(UTC).date()
    assert client.get("/api/v1/audit", params={"from": str(first_day), "to": str(today)}).json()["total"] >= 4
    assert client.get("/api/v1/audit", params={"to": str(first_day - timedelta(days=1))}).json()["total"] == 0
    paged = client.get("/api/v1/audit", params={"user": "service", "pageSize": 3, "page": 2}).json()
    assert (paged["page"], paged["pageSize"], paged["total"], len(paged["items"])) == (2, 3, 4, 1)
    assert client.get("/api/v1/audit", params={"station": "12x"}).status_code == 422

    page = client.get("/audit", params={"dstId": second})
    assert page.status_code == 200
    assert "<caption" in page.text and 'scope="col"' in page.text
    assert page.text.count(f"<td>{second}</td>") == 2
    assert 'for="f-dstId"' in page.text and 'id="f-dstId"' in page.text
    searches = [e for e in events(database_url) if e.action == "search-audit"]
    assert searches and searches[-1].actor == "demo.auditor" and searches[-1].dst_id == second


def test_the_audit_page_paginates_and_escapes_what_it_shows(client) -> None:
    sign_in(client, "auditor")
    for _ in range(3):
        client.get("/api/v1/audit", params={"action": "<script>alert(1)</script>"})
    page = client.get("/audit", params={"user": "<script>alert(1)</script>"})
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;" in page.text
    for _ in range(55):
        client.get("/api/v1/audit")
    listing = client.get("/audit", params={"user": "demo.auditor"})
    assert re.search(r"page 1 of 2", listing.text)
    assert "Next page" in listing.text and "Previous page" not in listing.text
    second = client.get("/audit", params={"user": "demo.auditor", "page": 2})
    assert "Previous page" in second.text


def test_repeated_anonymous_refusals_write_one_row_and_a_counted_summary(
    client, database_url, monkeypatch
) -> None:
    import types

    from dst.audit import middleware
    from dst.audit.middleware import DenialWindow, Refusal

    # The window is per minute: a still clock keeps the 50 requests inside one minute on a slow run.
    still = time.time()
    monkeypatch.setattr(middleware, "time", types.SimpleNamespace(time=lambda: still))

    before = len([e for e in events(database_url) if e.action == "access-denied"])
    for n in range(50):
        assert client.get(f"/api/v1/dst/guess{n:04d}").status_code == 401
    denied = [e for e in events(database_url) if e.action == "access-denied"]
    assert len(denied) - before <= 2  # one row, and a summary if the minute turned meanwhile

    window = DenialWindow()
    refusal = Refusal("anonymous", "none", "203.0.113.9", "GET", "/api/v1/dst/{dst_id}", 401, None)
    written = window.note(refusal, "a1", now=600.0)
    assert [r.detail for r in written] == [{}]
    assert all(window.note(refusal, f"a{n}", now=600.0 + n) == [] for n in range(2, 30))
    summary = window.note(refusal, "b1", now=660.0)
    assert [r.detail["repeats"] for r in summary if r.detail] == [28]
    assert summary[0].detail["dstIds"][:2] == ["a2", "a3"] and len(summary[0].detail["dstIds"]) == 10
    assert summary[-1].detail == {}  # the new minute's first refusal is written again


def test_the_number_of_refusals_tracked_a_minute_is_bounded() -> None:
    from dst.audit.middleware import MAX_KEYS, DenialWindow, Refusal

    window = DenialWindow()
    rows = []
    for n in range(MAX_KEYS + 500):
        refusal = Refusal("anonymous", "none", f"10.0.{n // 250}.{n % 250}", "GET", "/r", 401, None)
        rows += window.note(refusal, "x", now=0.0)
    assert len(rows) == MAX_KEYS + 1  # the last 500 addresses share one overflow row
    assert len(window.seen) == MAX_KEYS + 1
