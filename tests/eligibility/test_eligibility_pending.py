"""Not eligible yet: nothing is met at ordering and only scheduling can settle wait time.

That state is not "unknown because a partner failed": the page, the API, the viewer's FHIR answer
and VistA's CCE line each say which it is.
"""

from __future__ import annotations

from datetime import timedelta

from dst.eligibility import EligibilityResult, evaluate

from elig_factory import FAR_AWAY, FILE_ENTRY, make


def test_a_veteran_near_va_with_no_appointment_yet_is_pending_scheduling() -> None:
    result = evaluate(make(next_available_date=None))
    assert result.eligible is None
    assert result.state == "pending-scheduling"
    assert result.summary.startswith("No criterion is met at ordering. Wait time is decided at scheduling")
    assert result.criterion("wait-time").details["decided_at"] == "scheduling"


def test_a_stat_consult_waiting_for_scheduling_is_pending_too() -> None:
    # The stat policy also waits for the appointment; it is not a failure either.
    assert evaluate(make(next_available_date=None, urgency="stat")).state == "pending-scheduling"


def test_an_ee_outage_is_unknown_not_pending() -> None:
    result = evaluate(make(next_available_date=None, vce_codes=None, ee_error="EE-FAULT"))
    assert result.eligible is None
    assert result.state == "unknown"
    assert "could not evaluate" in result.summary


def test_missing_drive_times_are_unknown_not_pending() -> None:
    result = evaluate(make(next_available_date=None, facilities=None, facilities_error="FACILITIES-TIMEOUT"))
    assert result.state == "unknown"


def test_a_bad_file_entry_date_is_unknown_not_pending() -> None:
    result = evaluate(make(next_available_date=None, file_entry_date=None))
    assert result.state == "unknown"


def test_met_on_another_criterion_is_eligible_whatever_scheduling_says() -> None:
    assert evaluate(make(next_available_date=None, facilities=(FAR_AWAY,))).state == "eligible"


def test_once_the_appointment_is_recorded_the_state_is_decided() -> None:
    later = evaluate(make(next_available_date=FILE_ENTRY + timedelta(days=40)))
    sooner = evaluate(make(next_available_date=FILE_ENTRY + timedelta(days=3)))
    assert (later.state, sooner.state) == ("eligible", "not-eligible")


def test_the_state_survives_the_stored_round_trip() -> None:
    result = evaluate(make(next_available_date=None))
    assert EligibilityResult.from_dict(result.to_dict()).state == "pending-scheduling"
