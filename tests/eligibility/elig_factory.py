"""Builders for eligibility-engine inputs: a baseline Veteran who is not eligible, varied per test."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from dst.eligibility import EligibilityInput, FacilityOption, VceInput
from dst.reference.catalog import CareCategory

TODAY = date(2026, 11, 26)
TOMORROW = TODAY + timedelta(days=1)
YESTERDAY = TODAY - timedelta(days=1)
FILE_ENTRY = date(2026, 11, 20)

BOSTON = FacilityOption("vha_523", "Boston VA Medical Center", 42.0, "routing")
WORCESTER = FacilityOption("vha_631GE", "Worcester CBOC", 55.0, "routing")
FAR_AWAY = FacilityOption("vha_405", "White River Junction VAMC", 150.0, "routing")


def vce(code: str, effective: date | None = date(2019, 6, 6), **kw: Any) -> VceInput:
    return VceInput(code, effective, **kw)


def facility(
    minutes: float | None, fid: str = "vha_999", source: str = "routing", name: str | None = None, **kw: Any
) -> FacilityOption:
    return FacilityOption(fid, name or f"Facility {fid}", minutes, source, **kw)


def baseline() -> EligibilityInput:
    """Routine cardiology consult, basic E&E code only, a VA clinic 42 min away, VA appointment in time."""
    return EligibilityInput(
        as_of=TODAY,
        vce_codes=(vce("B"),),
        residence_state="MA",
        care_category=CareCategory.SPECIALTY,
        urgency="routine",
        facilities=(BOSTON, WORCESTER),
        file_entry_date=FILE_ENTRY,
        clinically_indicated_date=FILE_ENTRY,
        next_available_date=FILE_ENTRY + timedelta(days=10),
        clinical_service="CARDIOLOGY",
    )


def make(**overrides: Any) -> EligibilityInput:
    return replace(baseline(), **overrides)


def statuses(result: Any) -> dict[str, str]:
    return {c.code: c.status for c in result.criteria}
