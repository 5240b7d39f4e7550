"""Boundaries: exactly at the drive and wait standards, effective dates today and tomorrow, territories."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dst.eligibility import evaluate
from dst.reference.catalog import CareCategory

from elig_factory import FILE_ENTRY, TODAY, TOMORROW, YESTERDAY, facility, make, vce

PC = CareCategory.PRIMARY_CARE
SPEC = CareCategory.SPECIALTY


@pytest.mark.parametrize(
    ("category", "minutes", "status"),
    [
        # 17.4040(a)(1)(i): "within 30 minutes" -> a facility at exactly 30 min meets the standard.
        (PC, 30, "not-met"),
        (PC, 30.0001, "met"),
        (PC, 29.9, "not-met"),
        # 17.4040(a)(2)(i): "within 60 minutes".
        (SPEC, 60, "not-met"),
        (SPEC, 60.5, "met"),
        (SPEC, 0, "not-met"),
    ],
)
def test_drive_time_at_the_standard(category: CareCategory, minutes: float, status: str) -> None:
    result = evaluate(make(care_category=category, facilities=(facility(minutes),)))
    assert result.criterion("drive-time").status == status


@pytest.mark.parametrize(
    ("category", "days", "status"),
    [
        # 17.4040(a)(1)(ii): "within 20 days of the date of request" -> day 20 is within.
        (PC, 20, "not-met"),
        (PC, 21, "met"),
        # 17.4040(a)(2)(ii): 28 days for specialty care.
        (SPEC, 28, "not-met"),
        (SPEC, 29, "met"),
        (SPEC, 20, "not-met"),
    ],
)
def test_wait_time_at_the_standard(category: CareCategory, days: int, status: str) -> None:
    result = evaluate(
        make(
            care_category=category,
            facilities=(facility(5),),
            next_available_date=FILE_ENTRY + timedelta(days=days),
        )
    )
    assert result.criterion("wait-time").status == status


def test_veteran_agreed_date_equal_to_the_standard_date_changes_nothing() -> None:
    standard_date = FILE_ENTRY + timedelta(days=28)
    result = evaluate(make(veteran_agreed_later_date=standard_date, next_available_date=standard_date))
    assert result.criterion("wait-time").details["anchor"] == "file-entry"
    assert result.criterion("wait-time").status == "not-met"


@pytest.mark.parametrize(("effective", "counted"), [(YESTERDAY, True), (TODAY, True), (TOMORROW, False)])
def test_vce_effective_date_today_counts_tomorrow_does_not(effective: date, counted: bool) -> None:
    result = evaluate(make(vce_codes=(vce("G", effective),)))
    assert (result.criterion("grandfathered").status == "met") is counted
    assert result.eligible is counted
    if not counted:
        assert any("takes effect on 2026-11-27" in w for w in result.warnings)


@pytest.mark.parametrize(("end", "counted"), [(YESTERDAY, False), (TODAY, True), (None, True)])
def test_expired_vce_codes_do_not_count(end: date | None, counted: bool) -> None:
    result = evaluate(make(vce_codes=(vce("N", date(2020, 1, 1), end_date=end),)))
    assert (result.criterion("no-full-service-va").status == "met") is counted
    if not counted:
        assert any("ended on 2026-11-25" in w for w in result.warnings)


def test_future_ineligible_code_does_not_block_today() -> None:
    result = evaluate(make(vce_codes=(vce("X", TOMORROW), vce("H"))))
    assert not result.basic_ineligible
    assert result.eligible is True


def test_standards_before_the_mission_act_took_effect_are_unknown() -> None:
    # 38 CFR 17.4040 took effect on June 6, 2019; the day before, no standard exists.
    before = make(
        as_of=date(2019, 6, 5),
        file_entry_date=date(2019, 6, 1),
        next_available_date=None,
        clinically_indicated_date=None,
    )
    result = evaluate(before)
    assert result.criterion("drive-time").status == "unknown"
    assert result.standards_version == "none"
    on_day = evaluate(
        make(
            as_of=date(2019, 6, 6),
            file_entry_date=date(2019, 6, 1),
            clinically_indicated_date=None,
            next_available_date=date(2019, 6, 10),
        )
    )
    assert on_day.standards_version == "38-CFR-17.4040/2019-06-06"
    assert on_day.criterion("drive-time").status == "not-met"


@pytest.mark.parametrize("territory", ["PR", "GU", "VI", "AS", "MP", "DC"])
def test_territories_are_accepted_as_the_residence(territory: str) -> None:
    result = evaluate(make(residence_state=territory, vce_codes=(vce("N"),)))
    assert result.criterion("no-full-service-va").status == "met"
    assert f"({territory})" in result.criterion("no-full-service-va").evidence
    assert not any("not a US state" in w for w in result.warnings)


def test_a_residence_that_is_not_a_state_or_territory_is_flagged() -> None:
    result = evaluate(make(residence_state="ZZ"))
    assert any("'ZZ' is not a US state or territory" in w for w in result.warnings)
