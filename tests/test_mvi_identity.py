"""A Veteran MVI did not identify: nothing is used that rests on a guessed identity, the evidence
points at identifying the Veteran, and the search by traits fills the missing ICN, audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dst.audit.models import AuditEvent
from dst.demo.model import DemoVeteran

from factories import consult, veteran
from harness import SERVICE, hidden_fields, sign_in


def mvi(behaviour: str) -> DemoVeteran:
    return veteran(lambda v: v.mvi_behaviour == behaviour)


def open_record(client: Any, v: DemoVeteran, **overrides: Any) -> str:
    response = client.post("/api/v1/dst", json=consult(v, "CARDIOLOGY", **overrides), headers=SERVICE)
    assert response.status_code == 201, response.text
    return str(response.json()["dstId"])


def test_a_multiple_match_shows_no_drive_times_and_says_to_identify_the_veteran(client) -> None:
    dst_id = open_record(client, mvi("multiple-matches"))  # the consult carries an ICN
    facilities = client.get(f"/api/v1/dst/{dst_id}/facilities", headers=SERVICE).json()
    assert facilities["facilities"] == []
    assert "more than one Veteran" in facilities["note"]
    patient = client.get(f"/api/v1/dst/{dst_id}/patient", headers=SERVICE).json()
    assert patient["eligibilityCodes"] is None, "E&E's answer for an unconfirmed ICN is set aside"
    assert patient["identifyByTraits"] is True
    eligibility = client.get(f"/api/v1/dst/{dst_id}/eligibility", headers=SERVICE).json()
    drive = next(c for c in eligibility["criteria"] if c["code"] == "drive-time")
    assert "MVI did not identify the Veteran (MVI-MULTIPLE-MATCHES)" in drive["evidence"]
    assert "Enrollment System" not in drive["evidence"] and "address" not in drive["evidence"]
    saved = client.put(
        f"/api/v1/dst/{dst_id}/decision",
        json={"veteranOption": "opt-out", "forward": False},
        headers={**SERVICE, "Idempotency-Key": "multiple-match-1"},
    )
    assert saved.status_code == 200, saved.text
    filed = [line for line in saved.json()["consultFactorText"].split("^") if line.startswith("DTE-")]
    assert filed and "Search MVI again" in filed[0] and "Enrollment System" not in filed[0]


def search(client: Any, dst_id: str, traits: dict[str, str]) -> str:
    page = client.get(f"/dst/{dst_id}?static=1").text
    form = {"csrf": hidden_fields(page)["csrf"], **traits}
    answer = client.post(f"/dst/{dst_id}/identify", data=form, follow_redirects=False)
    assert answer.status_code == 303
    for value in traits.values():
        assert value not in answer.headers["location"]
    return client.get(f"/dst/{dst_id}?static=1").text


def test_mvi_not_found_asks_for_traits_and_the_search_fills_the_icn(client, database_url) -> None:
    v = mvi("not-found")
    dst_id = open_record(client, v, icn=None)
    sign_in(client)
    page = client.get(f"/dst/{dst_id}?static=1").text
    assert 'action="/dst/' + dst_id + '/identify"' in page
    traits = {
        "given": v.given_name.split()[0],
        "family": v.family_name,
        "birthDate": v.birth_date.isoformat(),
        "ssn": v.ssn,
    }
    wrong = search(client, dst_id, {**traits, "ssn": "000000000" if v.ssn != "000000000" else "111111111"})
    assert "MVI found no Veteran with these traits" in wrong
    assert client.get(f"/api/v1/dst/{dst_id}", headers=SERVICE).json()["icn"] is None

    incomplete = search(client, dst_id, {**traits, "ssn": "123"})
    assert "MVI needs all four" in incomplete

    found = search(client, dst_id, traits)
    assert "MVI identified the Veteran" in found
    assert client.get(f"/api/v1/dst/{dst_id}", headers=SERVICE).json()["icn"] == v.icn
    patient = client.get(f"/api/v1/dst/{dst_id}/patient", headers=SERVICE).json()
    assert patient["name"] and patient["identifyByTraits"] is False
    assert client.get(f"/api/v1/dst/{dst_id}/facilities", headers=SERVICE).json()["facilities"]

    with client.app.state.sessions() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "mvi-search-by-traits", AuditEvent.dst_id == dst_id)
        ).all()
    assert [r.detail["answer"] for r in rows] == ["MVI-NOT-FOUND", "identified"]
    stored = " ".join(str(r.detail) for r in rows)
    assert v.ssn not in stored and v.family_name not in stored
