"""Service designations: dated and audited in the console, cited by the eligibility rules."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from dst.audit.models import AuditEvent

from factories import consult, key, ordinary, veteran
from harness import SERVICE, csrf_header, sign_in

DESIGNATIONS = "/api/v1/admin/service-designations"


def designate(client, station: str, kind: str = "service-not-offered", **overrides: Any):  # type: ignore[no-untyped-def]
    body = {
        "station": station,
        "clinicalService": "orthopedics",
        "kind": kind,
        "effectiveFrom": (date.today() - timedelta(days=10)).isoformat(),
        "reason": "VISN 5 memo 2026-14: no orthopaedic surgeon on staff",
        **overrides,
    }
    return client.post(DESIGNATIONS, json=body, headers=SERVICE)


def criterion(client, dst_id: str, code: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = client.get(f"/api/v1/dst/{dst_id}/eligibility", headers=SERVICE).json()
    return next(c for c in body["criteria"] if c["code"] == code)


def open_orthopedics(client, station: str | None = None) -> str:  # type: ignore[no-untyped-def]
    v = veteran(ordinary)
    body = consult(v, "ORTHOPEDICS", **({"station": station} if station else {}))
    response = client.post("/api/v1/dst", json=body, headers=SERVICE)
    assert response.status_code == 201, response.text
    return response.json()["dstId"]


def test_a_not_offered_designation_meets_a1_with_evidence_citing_it_and_ending_it_stops_it(client) -> None:
    station = veteran(ordinary).station
    created = designate(client, station)
    assert created.status_code == 201, created.text
    row = created.json()
    assert row["clinicalService"] == "ORTHOPEDICS" and row["effectiveTo"] is None

    dst_id = open_orthopedics(client)
    met = criterion(client, dst_id, "service-not-available")
    assert met["status"] == "met"
    assert f"DST designation #{row['id']} at station {station}" in met["evidence"]
    assert "VISN 5 memo 2026-14" in met["evidence"]
    assert met["citation"] == "38 CFR 17.4010(a)(1)"

    seoc = client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]
    body = {"veteranOption": "opt-in", "seocId": seoc, "forward": False}
    assert (
        client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={**SERVICE, **key()}).status_code
        == 200
    )
    text = client.get(f"/vs/v2/consultFactor/{dst_id}", headers=SERVICE).text
    assert "SERVICE-NOT-AVAILABLE" in next(x for x in text.split("^") if x.startswith("ELB-"))

    ended = client.delete(f"{DESIGNATIONS}/{row['id']}", headers=SERVICE)
    assert ended.status_code == 200 and ended.json()["endedBy"]
    assert ended.json()["effectiveTo"] == (date.today() - timedelta(days=1)).isoformat()
    assert criterion(client, open_orthopedics(client), "service-not-available")["status"] == "not-met"
    assert client.delete(f"{DESIGNATIONS}/{row['id']}", headers=SERVICE).status_code == 404

    with client.app.state.sessions() as session:
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.station == station)))
    assert {"add-service-designation", "end-service-designation"} <= actions


def test_only_a_designation_in_force_at_that_station_counts(client) -> None:
    station = veteran(ordinary).station
    other = "523" if station != "523" else "688"
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    last_week = (date.today() - timedelta(days=7)).isoformat()
    assert designate(client, station, effectiveFrom=tomorrow).status_code == 201
    assert designate(client, station, effectiveTo=last_week).status_code == 201
    assert designate(client, other).status_code == 201
    assert criterion(client, open_orthopedics(client), "service-not-available")["status"] == "not-met"


def test_a_quality_designation_meets_a6(client) -> None:
    station = veteran(ordinary).station
    row = designate(client, station, kind="quality-standards-not-met", reason="VHA quality review Q3").json()
    quality = criterion(client, open_orthopedics(client), "quality-standards")
    assert quality["status"] == "met"
    assert quality["details"]["designated"] is True
    assert (
        f"DST designation #{row['id']}" in quality["evidence"]
        and "VHA quality review Q3" in quality["evidence"]
    )


def test_bad_designations_are_refused_with_a_problem_and_nothing_saved(client) -> None:
    cases = {
        "last day before first": {"effectiveTo": (date.today() - timedelta(days=11)).isoformat()},
        "unknown service": {"clinicalService": "ASTROLOGY"},
        "unknown kind": {"kind": "too-far"},
        "unknown station": {"station": "999"},
        "malformed date": {"effectiveFrom": "next tuesday"},
        "blank reason": {"reason": "   "},
    }
    for name, change in cases.items():
        response = designate(client, **{"station": "688", **change})
        assert response.status_code == 422, name
        assert response.headers["content-type"].startswith("application/problem+json"), name
    assert client.get(DESIGNATIONS, headers=SERVICE).json() == []


def test_the_console_page_records_and_lists_a_designation(client) -> None:
    sign_in(client, "admin")
    page = client.get("/admin/designations")
    assert page.status_code == 200 and "Service designations" in page.text
    form = {
        "csrf": csrf_header(client)["X-CSRF-Token"],
        "station": "688",
        "clinicalService": "CARDIOLOGY",
        "kind": "quality-standards-not-met",
        "effectiveFrom": date.today().isoformat(),
        "effectiveTo": "",
        "reason": "VISN 5 quality memo",
    }
    done = client.post("/admin/designations", data=form, follow_redirects=True)
    assert done.status_code == 200 and "The designation was recorded" in done.text
    assert "VISN 5 quality memo" in done.text
    bad = client.post("/admin/designations", data={**form, "effectiveFrom": "soon"})
    assert bad.status_code == 422 and "Enter the first day as a date" in bad.text
