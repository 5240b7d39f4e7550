"""Access standards are data: today's values match 38 CFR 17.4040, and a new set needs no code change."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from dst.eligibility import (
    ACCESS_STANDARDS,
    BMI_FACTORS,
    STANDARDS_VERSION_ON,
    AccessStandard,
    evaluate,
    standard_for,
)
from dst.reference.catalog import CareCategory

from elig_factory import FILE_ENTRY, TODAY, facility, make


@pytest.mark.parametrize(
    ("category", "drive", "wait", "citation"),
    [
        (CareCategory.PRIMARY_CARE, 30, 20, "38 CFR 17.4040(a)(1)"),
        (CareCategory.MENTAL_HEALTH, 30, 20, "38 CFR 17.4040(a)(1)"),
        (CareCategory.EXTENDED_CARE, 30, 20, "38 CFR 17.4040(a)(1)"),
        (CareCategory.SPECIALTY, 60, 28, "38 CFR 17.4040(a)(2)"),
    ],
)
def test_todays_routine_standards_are_the_regulations(
    category: CareCategory, drive: int, wait: int, citation: str
) -> None:
    standard = standard_for(category, "routine", TODAY)
    assert standard is not None
    assert (standard.drive_minutes, standard.wait_days, standard.citation) == (drive, wait, citation)


@pytest.mark.parametrize("category", list(CareCategory))
def test_stat_keeps_the_regulations_standards_and_carries_the_one_day_policy_apart(
    category: CareCategory,
) -> None:
    routine, stat = standard_for(category, "routine", TODAY), standard_for(category, "stat", TODAY)
    assert routine is not None and stat is not None
    assert (stat.drive_minutes, stat.wait_days, stat.wait_citation, stat.citation) == (
        routine.drive_minutes,
        routine.wait_days,
        routine.wait_citation,
        routine.citation,
    )
    assert stat.policy_wait_days == 1
    assert "policy" in stat.policy_basis and "not an access standard" in stat.policy_basis
    assert routine.policy_wait_days is None


def test_every_category_and_urgency_has_a_standard_today() -> None:
    for category in CareCategory:
        for urgency in ("routine", "stat"):
            assert standard_for(category, urgency, TODAY) is not None


def test_a_future_shorter_set_is_a_data_change() -> None:
    # E.g. an "or shorter" specialty standard taking effect tomorrow: add rows, change no code.
    tomorrow = TODAY + timedelta(days=1)
    shorter = tuple(
        replace(
            row, version="hypothetical-2026-11-27", effective_from=tomorrow, drive_minutes=45, wait_days=21
        )
        for row in ACCESS_STANDARDS
        if row.care_category == CareCategory.SPECIALTY
    )
    table = ACCESS_STANDARDS + shorter
    consult = make(facilities=(facility(50),), next_available_date=FILE_ENTRY + timedelta(days=25))
    today = evaluate(consult, standards=table)
    assert today.eligible is False
    assert today.standards_version == "38-CFR-17.4040/2019-06-06"
    later = evaluate(replace(consult, as_of=tomorrow), standards=table)
    assert later.criterion("drive-time").status == "met"
    assert later.criterion("wait-time").status == "met"
    assert later.standards_version == "hypothetical-2026-11-27"
    assert STANDARDS_VERSION_ON(tomorrow, table) == "hypothetical-2026-11-27"


def test_access_standard_is_frozen_data() -> None:
    row = ACCESS_STANDARDS[0]
    assert isinstance(row, AccessStandard)
    assert row.effective_from == date(2019, 6, 6)
    with pytest.raises(AttributeError):
        row.drive_minutes = 10  # type: ignore[misc]


def test_bmi_factors_are_the_regulations_full_list() -> None:
    # 38 CFR 17.4010(a)(5): DST offered only five of these; the engine offers them all.
    assert [code for code, _ in BMI_FACTORS] == [
        "distance",
        "nature-of-care",
        "frequency",
        "timeliness",
        "continuity",
        "quality",
        "travel-burden",
        "attendant",
    ]
    assert all(label for _, label in BMI_FACTORS)
