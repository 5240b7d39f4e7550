"""DST records over the JSON API: create, reopen, read panels, and bad input that saves nothing."""

from __future__ import annotations

from dst.eligibility import CRITERION_CODES

from factories import consult, ordinary, veteran
from harness import SERVICE

PROBLEM = "application/problem+json"


def create(client, body):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/dst", json=body, headers=SERVICE)
    assert response.status_code in (200, 201), response.text
    return response


def test_create_returns_a_url_safe_unguessable_dst_id(client) -> None:
    v = veteran(ordinary)
    first = create(client, consult(v)).json()
    second = create(client, consult(v)).json()
    for record in (first, second):
        dst_id = record["dstId"]
        assert dst_id.isalnum() and len(dst_id) >= 22
        assert " " not in dst_id and "#" not in dst_id and "--" not in dst_id
        assert record["consultText"] == f"DST ID:{dst_id}#"
    assert first["dstId"] != second["dstId"]


def test_same_station_and_consult_number_reopens_the_record_with_entries(client) -> None:
    v = veteran(ordinary)
    body = consult(v)
    created = client.post("/api/v1/dst", json=body, headers=SERVICE)
    assert created.status_code == 201
    again = client.post("/api/v1/dst", json={**body, "signed": True}, headers=SERVICE)
    assert again.status_code == 200
    assert again.json()["dstId"] == created.json()["dstId"]
    assert again.json()["signed"] is True


def test_national_names_resolve_at_any_station(client) -> None:
    v = veteran(ordinary)
    names = [
        "PRIMARY CARE",
        "MENTAL HEALTH",
        "AUDIOLOGY",
        "CARDIOLOGY",
        "DERMATOLOGY",
        "GASTROENTEROLOGY",
        "GYNECOLOGY",
        "NUTRITION",
        "OPHTHALMOLOGY",
        "OPTOMETRY",
        "ORTHOPEDICS",
        "PODIATRY",
        "UROLOGY",
        "WOMENS HEALTH",
    ]
    for station in ("688", "523", "640", "463", "459", "608"):
        for name in names:
            record = create(client, consult(v, name, station=station)).json()
            assert record["clinicalService"] == name


def test_every_panel_answers_for_a_record(client) -> None:
    v = veteran(ordinary)
    dst_id = create(client, consult(v, "CARDIOLOGY")).json()["dstId"]
    patient = client.get(f"/api/v1/dst/{dst_id}/patient", headers=SERVICE).json()
    assert patient["icn"] == v.icn and patient["errors"] == []
    facilities = client.get(f"/api/v1/dst/{dst_id}/facilities", headers=SERVICE).json()
    assert facilities["driveTimeStandardMinutes"] == 60 and facilities["waitTimeStandardDays"] == 28
    minutes = [f["driveMinutes"] for f in facilities["facilities"]]
    assert minutes == sorted(minutes)
    eligibility = client.get(f"/api/v1/dst/{dst_id}/eligibility", headers=SERVICE).json()
    assert [c["code"] for c in eligibility["criteria"]] == list(CRITERION_CODES)
    assert {c["status"] for c in eligibility["criteria"]} <= {"met", "not-met", "unknown"}
    assert eligibility["eligible"] in (True, False, None)
    seocs = client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()
    assert seocs["seocs"] and all(s["categoryOfCare"] == "CARDIOLOGY" for s in seocs["seocs"])
    providers = client.get(f"/api/v1/dst/{dst_id}/community-providers", headers=SERVICE).json()
    assert "providers" in providers


def test_unknown_dst_id_is_a_404_problem(client) -> None:
    response = client.get("/api/v1/dst/NOSUCHRECORD/eligibility", headers=SERVICE)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "NOSUCHRECORD" in response.json()["detail"]


def test_api_requires_the_service_token_or_a_session(client) -> None:
    body = consult(veteran(ordinary))
    assert client.post("/api/v1/dst", json=body).status_code == 401
    forged = client.post("/api/v1/dst", json=body, headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401
    assert forged.headers["content-type"].startswith(PROBLEM)


def count_records(client) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from dst.consults.models import DstRecord

    with client.app.state.sessions() as session:
        return session.scalar(select(func.count()).select_from(DstRecord)) or 0


def test_bad_consult_contexts_get_clear_422s_and_save_nothing(client) -> None:
    v = veteran(ordinary)
    cases = {
        "unknown station": consult(v, station="999"),
        "malformed station": consult(v, station="68"),
        "no patient": consult(v, dfn=None, icn=None) | {"dfn": None, "icn": None},
        "bad urgency": consult(v, urgency="whenever"),
        "bad date": consult(v, fileEntryDate="26/11/2026"),
        "dates out of order": consult(v, fileEntryDate="2026-11-20", clinicallyIndicatedDate="2026-11-01"),
        "future file entry": consult(v, fileEntryDate="2099-01-01"),
        "caret in service": consult(v, "CARDIOLOGY^HACK"),
        "newline in service": consult(v, "CARDIOLOGY\nDAF-DST Forwarding: YES"),
        "overlong service": consult(v, "X" * 200),
        "unmapped service": consult(v, "UNHEARD OF CLINIC"),
        "unknown field": consult(v) | {"favouriteColour": "blue"},
    }
    before = count_records(client)
    for name, body in cases.items():
        response = client.post("/api/v1/dst", json=body, headers=SERVICE)
        assert response.status_code == 422, name
        assert response.headers["content-type"].startswith(PROBLEM), name
        assert response.json()["detail"], name
    assert count_records(client) == before


def test_unmapped_service_with_an_official_clinical_service_is_accepted(client) -> None:
    v = veteran(ordinary)
    body = consult(v, "BONE AND JOINT CLINIC", clinicalService="orthopedics")
    record = create(client, body).json()
    assert record["clinicalService"] == "ORTHOPEDICS"
    assert record["consultService"] == "BONE AND JOINT CLINIC"


def test_consult_text_snippet(client) -> None:
    dst_id = create(client, consult(veteran(ordinary))).json()["dstId"]
    text = client.get(f"/api/v1/dst/{dst_id}/consult-text", headers=SERVICE)
    assert text.text == f"DST ID:{dst_id}#"
    as_json = client.get(
        f"/api/v1/dst/{dst_id}/consult-text", headers={**SERVICE, "Accept": "application/json"}
    )
    assert as_json.json()["consultText"] == f"DST ID:{dst_id}#"
