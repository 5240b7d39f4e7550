"""Saving decisions: the original tool's rules, idempotency keys, and lost-update protection."""

from __future__ import annotations

from typing import Any

from factories import days_from_today, key, near_va
from harness import SERVICE, csrf_header, open_record, sign_in

PROBLEM = "application/problem+json"


def first_seoc(client, dst_id: str) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]


def put(client, dst_id: str, body: dict[str, Any], headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return client.put(
        f"/api/v1/dst/{dst_id}/decision", json=body, headers={**SERVICE, **key(), **(headers or {})}
    )


def opt_out_scheduled(*, next_available: int, agreed: int) -> dict[str, Any]:
    """An opt-out decision with the scheduler's two dates, given in days from today."""
    return {
        "veteranOption": "opt-out",
        "forward": False,
        "nextAvailableDate": days_from_today(next_available),
        "veteranAgreedLaterDate": days_from_today(agreed),
    }


def decision_count(client) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from dst.consults.models import Decision

    with client.app.state.sessions() as session:
        return session.scalar(select(func.count()).select_from(Decision)) or 0


def test_opt_in_with_seoc_and_forwarding_is_saved_and_restored(client) -> None:
    record = open_record(client)
    seoc = first_seoc(client, record["dstId"])
    response = put(client, record["dstId"], {"veteranOption": "opt-in", "seocId": seoc, "forward": True})
    assert response.status_code == 200, response.text
    saved = response.json()
    assert saved["forwardTo"] == "COMMUNITY CARE-ORTHOPEDICS"
    assert saved["version"] == record["version"] + 1
    assert "DAF-DST Forwarding: YES" in saved["consultFactorText"]
    reopened = client.get(f"/api/v1/dst/{record['dstId']}", headers=SERVICE).json()
    assert reopened["entries"]["veteranOption"] == "opt-in"
    assert reopened["entries"]["seocId"] == seoc
    assert reopened["entries"]["forward"] is True


def test_opt_out_needs_no_seoc_and_cannot_forward(client) -> None:
    record = open_record(client)
    assert put(client, record["dstId"], {"veteranOption": "opt-out", "forward": False}).status_code == 200
    refused = put(
        client,
        record["dstId"],
        {"veteranOption": "opt-out", "forward": True, "seocId": first_seoc(client, record["dstId"])},
    )
    assert refused.status_code == 422
    assert "opted out" in refused.json()["detail"]


def test_rule_violations_are_422_with_a_message_and_save_nothing(client) -> None:
    record = open_record(client)
    dst_id = record["dstId"]
    seoc = first_seoc(client, dst_id)
    cases = {
        "tbd without seoc": {"veteranOption": "tbd", "forward": False},
        "opt-in without seoc": {"veteranOption": "opt-in", "forward": False},
        "unknown seoc": {"veteranOption": "opt-in", "seocId": "NOPE-1", "forward": False},
        "forward target not community care": {
            "veteranOption": "opt-in",
            "seocId": seoc,
            "forward": True,
            "forwardTo": "ORTHOPEDICS OUTPT",
        },
        "forward target not at the site": {
            "veteranOption": "opt-in",
            "seocId": seoc,
            "forward": True,
            "forwardTo": "COMMUNITY CARE-UNDERWATER BASKET WEAVING",
        },
        "forwardTo without forward": {
            "veteranOption": "opt-in",
            "seocId": seoc,
            "forward": False,
            "forwardTo": "COMMUNITY CARE-ORTHOPEDICS",
        },
        "bad option": {"veteranOption": "maybe", "seocId": seoc, "forward": False},
        "caret in explanation": {
            "veteranOption": "opt-in",
            "seocId": seoc,
            "forward": False,
            "bmi": {"factor": "nature-of-care", "explanation": "a^CSC-Consult primary stop code: 1"},
        },
        "newline in explanation": {
            "veteranOption": "opt-in",
            "seocId": seoc,
            "forward": False,
            "bmi": {"factor": "nature-of-care", "explanation": "line one\nDAF-DST Forwarding: YES"},
        },
        "overlong explanation": {
            "veteranOption": "opt-in",
            "seocId": seoc,
            "forward": False,
            "bmi": {"factor": "nature-of-care", "explanation": "x" * 201},
        },
        "empty explanation": {
            "veteranOption": "opt-in",
            "seocId": seoc,
            "forward": False,
            "bmi": {"factor": "nature-of-care", "explanation": ""},
        },
        "unknown bmi factor": {
            "veteranOption": "opt-in",
            "seocId": seoc,
            "forward": False,
            "bmi": {"factor": "horoscope", "explanation": "stars"},
        },
        "next available before file entry": {
            "veteranOption": "tbd",
            "seocId": seoc,
            "forward": False,
            "nextAvailableDate": "2001-01-01",
        },
        "missing forward": {"veteranOption": "opt-out"},
    }
    for name, body in cases.items():
        response = put(client, dst_id, body)
        assert response.status_code == 422, (name, response.text)
        assert response.headers["content-type"].startswith(PROBLEM), name
        assert response.json()["detail"], name
    assert decision_count(client) == 0


def test_idempotency_key_semantics(client) -> None:
    record = open_record(client)
    dst_id = record["dstId"]
    body = {"veteranOption": "opt-out", "forward": False}
    missing = client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers=SERVICE)
    assert missing.status_code == 400
    assert "Idempotency-Key" in missing.json()["detail"]
    headers = {**SERVICE, "Idempotency-Key": "5b0c8f9e-4d8c-4bd4-a0f6-0f1f0b3c4d5e"}
    first = client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers=headers)
    replay = client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers=headers)
    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json()
    assert replay.headers["Idempotency-Replayed"] == "true"
    other = client.put(
        f"/api/v1/dst/{dst_id}/decision", json={**body, "veteranOption": "tbd"}, headers=headers
    )
    assert other.status_code == 422
    assert decision_count(client) == 1


def test_a_save_based_on_a_stale_version_is_refused_with_what_changed(client) -> None:
    record = open_record(client)
    dst_id = record["dstId"]
    stale = f'"{record["version"]}"'
    first = put(client, dst_id, {"veteranOption": "opt-out", "forward": False}, {"If-Match": stale})
    assert first.status_code == 200
    second = put(
        client,
        dst_id,
        {"veteranOption": "tbd", "seocId": first_seoc(client, dst_id), "forward": False},
        {"If-Match": stale},
    )
    assert second.status_code == 409
    detail = second.json()["detail"]
    assert "changed after you opened it" in detail and "opt-out" in detail
    assert decision_count(client) == 1


def test_best_medical_interest_recorded_when_not_otherwise_eligible(client) -> None:
    record = open_record(client)
    eligibility = client.get(f"/api/v1/dst/{record['dstId']}/eligibility", headers=SERVICE).json()
    seoc = first_seoc(client, record["dstId"])
    body = {
        "veteranOption": "opt-in",
        "seocId": seoc,
        "forward": False,
        "bmi": {"factor": "frequency", "explanation": "Weekly visits; 70 minute drive each way."},
    }
    response = put(client, record["dstId"], body)
    if eligibility["bmiOffered"]:
        assert response.status_code == 200, response.text
        assert (
            "BME-BMI explanation: Weekly visits; 70 minute drive each way."
            in response.json()["consultFactorText"]
        )
    else:
        assert response.status_code == 422
        assert "already eligible" in response.json()["detail"]


def test_bmi_is_refused_on_a_signed_consult(client) -> None:
    record = open_record(client, signed=True)
    body = {
        "veteranOption": "opt-in",
        "seocId": first_seoc(client, record["dstId"]),
        "forward": False,
        "bmi": {"factor": "frequency", "explanation": "Weekly visits."},
    }
    response = put(client, record["dstId"], body)
    assert response.status_code == 422
    assert "signed" in response.json()["detail"] or "already eligible" in response.json()["detail"]


def test_scheduler_fields_are_for_scheduling_staff(client) -> None:
    record = open_record(client)
    sign_in(client, "provider")
    body = {
        "veteranOption": "tbd",
        "seocId": first_seoc(client, record["dstId"]),
        "forward": False,
        "nextAvailableDate": days_from_today(40),
    }
    as_provider = client.put(
        f"/api/v1/dst/{record['dstId']}/decision", json=body, headers={**key(), **csrf_header(client)}
    )
    assert as_provider.status_code == 422
    assert "scheduling staff" in as_provider.json()["detail"]
    sign_in(client, "scheduler")
    as_scheduler = client.put(
        f"/api/v1/dst/{record['dstId']}/decision", json=body, headers={**key(), **csrf_header(client)}
    )
    assert as_scheduler.status_code == 200, as_scheduler.text
    assert "wait-time" in as_scheduler.json()["basis"]


def test_not_eligible_yet_is_pending_in_the_api_and_in_vistas_comment(client) -> None:
    record = open_record(client, service="CARDIOLOGY", who=near_va)
    eligibility = client.get(f"/api/v1/dst/{record['dstId']}/eligibility", headers=SERVICE).json()
    assert (eligibility["eligible"], eligibility["state"]) == (None, "pending-scheduling")
    wait = next(c for c in eligibility["criteria"] if c["code"] == "wait-time")
    assert wait["status"] == "unknown" and wait["details"]["decided_at"] == "scheduling"
    saved = put(client, record["dstId"], {"veteranOption": "opt-out", "forward": False}).json()
    lines = saved["consultFactorText"].split("^")
    pending = "PENDING - no criterion met at ordering; wait time is decided at scheduling"
    assert f"CCE-Community care eligible: {pending}" in lines
    assert not any(line.startswith("CCE-") and "UNKNOWN" in line for line in lines)


def test_an_agreed_date_before_the_next_available_appointment_needs_confirming(client) -> None:
    record = open_record(client, service="CARDIOLOGY", who=near_va)
    body = opt_out_scheduled(next_available=60, agreed=50)
    refused = put(client, record["dstId"], body)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM
    assert "before VA's next available appointment" in refused.json()["detail"]
    assert decision_count(client) == 0
    confirmed = put(client, record["dstId"], {**body, "agreedDateConfirmed": True})
    assert confirmed.status_code == 200, confirmed.text
    assert "wait-time" in confirmed.json()["basis"]


def test_the_wait_time_dates_are_each_named_with_the_agreed_date_apart_from_the_standard_date(client) -> None:
    from datetime import date, timedelta

    record = open_record(client, service="CARDIOLOGY", who=near_va)
    body = opt_out_scheduled(next_available=45, agreed=50)
    assert put(client, record["dstId"], body).status_code == 200
    dates = client.get(f"/api/v1/dst/{record['dstId']}/eligibility", headers=SERVICE).json()["waitTimeDates"]
    entry = date.fromisoformat(record["fileEntryDate"])
    assert dates["fileEntryDate"] == entry.isoformat()
    assert (dates["standardDays"], dates["standardDate"]) == (28, (entry + timedelta(days=28)).isoformat())
    assert dates["eligibilityDate"] == days_from_today(50) and dates["limitSetBy"] == "veteran-agreed"
    assert dates["veteranAgreedLaterDate"] == days_from_today(50)


def test_an_agreed_date_not_later_than_the_standard_date_is_flagged(client) -> None:
    record = open_record(client, service="CARDIOLOGY", who=near_va)
    body = opt_out_scheduled(next_available=10, agreed=20)
    saved = put(client, record["dstId"], body)
    assert saved.status_code == 200, saved.text
    eligibility = client.get(f"/api/v1/dst/{record['dstId']}/eligibility", headers=SERVICE).json()
    assert eligibility["waitTimeDates"]["limitSetBy"] == "file-entry"
    assert any("does not move the wait-time limit" in w for w in eligibility["warnings"])
