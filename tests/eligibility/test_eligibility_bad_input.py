"""Bad input gives a named "unknown" with its reason and what to do; it never raises."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from dst.eligibility import EligibilityInput, evaluate

from elig_factory import FAR_AWAY, FILE_ENTRY, TODAY, facility, make, vce


def test_a_code_ee_does_not_define_makes_the_ee_criteria_unknown() -> None:
    result = evaluate(make(vce_codes=(vce("B"), vce("QQ"))))
    assert result.criterion("grandfathered").status == "unknown"
    assert "QQ" in result.criterion("grandfathered").evidence
    assert result.eligible is None
    assert any("'QQ' is not a code DST recognises" in w for w in result.warnings)


def test_an_undefined_code_also_keeps_a_met_answer_unknown() -> None:
    # The unknown code could be an ineligibility flag, so "eligible" cannot be asserted.
    result = evaluate(make(vce_codes=(vce("ZZ"),), facilities=(FAR_AWAY,)))
    assert result.criterion("drive-time").status == "met"
    assert result.eligible is None


def test_not_determined_code_is_unknown_with_a_reason() -> None:
    result = evaluate(make(vce_codes=(vce("ND"),)))
    assert result.criterion("no-full-service-va").status == "unknown"
    assert "ND" in result.criterion("no-full-service-va").evidence


def test_legacy_choice_codes_are_known_but_grant_nothing() -> None:
    result = evaluate(make(vce_codes=(vce("M"), vce("WT"))))
    assert result.eligible is False


def test_lower_case_and_padded_codes_are_read() -> None:
    assert evaluate(make(vce_codes=(vce(" g "),))).criterion("grandfathered").status == "met"


def test_blank_codes_are_ignored_with_a_warning() -> None:
    result = evaluate(make(vce_codes=(vce(""),)))
    assert any("no code" in w for w in result.warnings)
    assert result.eligible is False


def test_undated_code_counts_with_a_warning() -> None:
    result = evaluate(make(vce_codes=(vce("G", None),)))
    assert result.criterion("grandfathered").status == "met"
    assert any("no effective date" in w for w in result.warnings)


def test_ee_unavailable_is_unknown_and_names_the_partner_error() -> None:
    result = evaluate(make(vce_codes=None, ee_error="EE-TIMEOUT"))
    for code in ("no-full-service-va", "grandfathered", "hardship"):
        assert result.criterion(code).status == "unknown"
        assert "EE-TIMEOUT" in result.criterion(code).evidence
    assert result.eligible is None


def test_file_entry_date_in_the_future_is_unknown() -> None:
    result = evaluate(make(file_entry_date=TODAY + timedelta(days=3)))
    wait = result.criterion("wait-time")
    assert wait.status == "unknown"
    assert "after today" in wait.evidence
    assert result.eligible is None


def test_missing_file_entry_date_is_unknown_and_says_it_is_the_start_date() -> None:
    wait = evaluate(make(file_entry_date=None)).criterion("wait-time")
    assert wait.status == "unknown"
    assert "file entry date" in wait.evidence


def test_next_available_before_file_entry_is_unknown() -> None:
    wait = evaluate(make(next_available_date=FILE_ENTRY - timedelta(days=1))).criterion("wait-time")
    assert wait.status == "unknown"


@pytest.mark.parametrize("minutes", [None, -5, math.nan, math.inf, "42", True])
def test_unusable_drive_minutes_are_set_aside_with_a_warning(minutes: object) -> None:
    result = evaluate(make(facilities=(facility(minutes, "vha_bad"), facility(20, "vha_ok"))))  # type: ignore[arg-type]
    assert result.criterion("drive-time").status == "not-met"
    assert any("vha_bad" in w and "not used" in w for w in result.warnings)


def test_no_usable_drive_minutes_at_all_is_unknown() -> None:
    result = evaluate(make(facilities=(facility(None, "vha_a"), facility(-1, "vha_b"))))
    drive = result.criterion("drive-time")
    assert drive.status == "unknown"
    assert "2 VA facilities" in drive.evidence
    assert result.eligible is None


def test_a_facility_without_minutes_could_be_closer_so_beyond_standard_is_not_yet_met() -> None:
    result = evaluate(make(facilities=(FAR_AWAY, facility(None, "vha_unknown"))))
    assert result.criterion("drive-time").status == "unknown"
    assert result.eligible is None


def test_facility_data_unavailable_is_unknown_and_names_the_error() -> None:
    drive = evaluate(make(facilities=None, facilities_error="PPMS-UNAVAILABLE")).criterion("drive-time")
    assert drive.status == "unknown"
    assert "PPMS-UNAVAILABLE" in drive.evidence


def test_a_service_with_no_category_is_unknown_for_drive_and_wait() -> None:
    result = evaluate(make(care_category=None))
    for code in ("drive-time", "wait-time"):
        assert result.criterion(code).status == "unknown"
        assert "no care category" in result.criterion(code).evidence
    assert result.eligible is None


def test_an_unknown_urgency_is_unknown() -> None:
    assert evaluate(make(urgency="asap")).criterion("drive-time").status == "unknown"


def test_an_unlisted_bmi_factor_is_unknown() -> None:
    bmi = evaluate(make(bmi_factor="convenience", bmi_explanation="Closer.")).criterion(
        "best-medical-interest"
    )
    assert bmi.status == "unknown"


def test_estimated_drive_times_are_flagged() -> None:
    result = evaluate(make(facilities=(facility(20, source="estimate"),)))
    assert any("17.4040(b)" in w for w in result.warnings)


def test_long_bmi_explanation_is_flagged_for_the_consult_comment() -> None:
    result = evaluate(make(bmi_factor="quality", bmi_explanation="x" * 201))
    assert any("201 characters" in w for w in result.warnings)


def test_an_empty_input_never_raises_and_is_unknown() -> None:
    result = evaluate(EligibilityInput(as_of=TODAY))
    assert result.eligible is None
    assert len(result.criteria) == 8


def test_garbage_in_the_dataclass_is_reported_as_an_engine_fault_not_raised() -> None:
    result = evaluate(make(vce_codes=(object(),)))  # type: ignore[arg-type]
    assert result.eligible is None
    assert result.warnings[0].startswith("Eligibility engine fault")


def test_urgency_is_read_in_any_case() -> None:
    result = evaluate(make(urgency=" STAT "))
    assert [p.code for p in result.policy] == ["stat-wait-policy"]
    assert result.policy[0].details["standard_date"] == (FILE_ENTRY + timedelta(days=1)).isoformat()
