"""Drive time from an estimate, from a doubtful residence, and to closed or limited facilities."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dst.eligibility import evaluate
from dst.reference.catalog import CareCategory

from elig_factory import facility, make, statuses, vce

GEOCODED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MOVED = datetime(2026, 6, 15, 14, 30, tzinfo=UTC)


# --- 7. an estimate near the standard does not decide (specialty care: 60 minutes, margin 30%) ---


@pytest.mark.parametrize("minutes", [42.1, 55.0, 60.0, 60.1, 70.0, 78.0])
def test_an_estimate_near_the_standard_leaves_drive_time_unknown(minutes: float) -> None:
    drive = evaluate(make(facilities=(facility(minutes, source="estimate"),))).criterion("drive-time")
    assert drive.status == "unknown"
    assert "straight-line estimate within 30% of the 60-minute standard" in drive.evidence
    assert "17.4040(b)" in drive.evidence


def test_an_estimate_well_inside_the_standard_decides_and_says_it_was_estimated() -> None:
    drive = evaluate(make(facilities=(facility(42, source="estimate"),))).criterion("drive-time")
    assert drive.status == "not-met"
    assert "straight-line estimate, not a GIS routing" in drive.evidence
    assert drive.details["decided_on_estimate"] is True


def test_an_estimate_well_beyond_the_standard_decides_and_says_it_was_estimated() -> None:
    result = evaluate(make(facilities=(facility(78.1, source="estimate"),)))
    drive = result.criterion("drive-time")
    assert drive.status == "met"
    assert "straight-line estimate, not a GIS routing" in drive.evidence
    assert result.eligible is True


def test_a_routed_time_decides_at_the_boundary_whatever_the_estimates_say() -> None:
    routed = facility(60, fid="vha_1", source="routing")
    near_estimate = facility(50, fid="vha_2", source="estimate")
    drive = evaluate(make(facilities=(near_estimate, routed))).criterion("drive-time")
    assert drive.status == "not-met"
    assert drive.details["decided_on_estimate"] is False


def test_a_near_estimate_keeps_unknown_even_when_the_routed_facility_is_out_of_standard() -> None:
    result = evaluate(make(facilities=(facility(61, "vha_1"), facility(65, "vha_2", source="estimate"))))
    assert statuses(result)["drive-time"] == "unknown"
    assert result.eligible is None


@pytest.mark.parametrize(("minutes", "status"), [(21, "not-met"), (39, "unknown"), (39.1, "met")])
def test_the_primary_care_margin_scales_with_its_30_minute_standard(minutes: float, status: str) -> None:
    inp = make(
        care_category=CareCategory.PRIMARY_CARE,
        clinical_service="PRIMARY CARE",
        facilities=(facility(minutes, source="estimate"),),
    )
    assert evaluate(inp).criterion("drive-time").status == status


# --- 8. the residence: ZIP centroid, stale geocode ---


def test_a_zip_centroid_residence_leaves_drive_time_unknown_with_the_reason() -> None:
    result = evaluate(make(residence_source="zip-centroid", facilities=(facility(150),)))
    drive = result.criterion("drive-time")
    assert drive.status == "unknown"
    assert "centre of its ZIP code" in drive.evidence
    assert "geocode the current residential address" in drive.evidence
    assert drive.details["residence_problem"] == "zip-centroid"
    assert any(w.startswith("Residence: E&E has no geocode") for w in result.warnings)


def test_a_geocode_older_than_the_address_change_is_stale() -> None:
    inp = make(residence_source="ee-geocode", geocode_date=GEOCODED, address_change_date=MOVED, facilities=())
    drive = evaluate(inp).criterion("drive-time")
    assert drive.status == "unknown"
    assert "dated 2026-03-01" in drive.evidence and "address change (2026-06-15)" in drive.evidence
    assert drive.details["residence_problem"] == "stale-geocode"


def test_a_geocode_newer_than_the_address_change_decides() -> None:
    inp = make(residence_source="ee-geocode", geocode_date=MOVED, address_change_date=GEOCODED)
    drive = evaluate(inp).criterion("drive-time")
    assert drive.status == "not-met"
    assert drive.details["residence_problem"] is None


def test_a_naive_and_an_aware_date_still_compare() -> None:
    inp = make(
        residence_source="ee-geocode",
        geocode_date=GEOCODED.replace(tzinfo=None),
        address_change_date=MOVED,
    )
    assert evaluate(inp).criterion("drive-time").status == "unknown"


def test_an_undated_geocode_decides_with_a_warning() -> None:
    result = evaluate(make(residence_source="ee-geocode", geocode_date=None, address_change_date=MOVED))
    assert result.criterion("drive-time").status == "not-met"
    assert any("cannot tell whether the geocode is current" in w for w in result.warnings)


# --- 8. facility operating status ---


def test_a_closed_facility_within_the_standard_never_counts() -> None:
    closed = facility(20, fid="vha_523", name="Boston VAMC", operating_status="CLOSED")
    result = evaluate(make(facilities=(closed, facility(90, fid="vha_405"))))
    drive = result.criterion("drive-time")
    assert drive.status == "met"
    assert drive.details["closed"] == [{"facility_id": "vha_523", "name": "Boston VAMC"}]
    assert any("Lighthouse shows it CLOSED; it was not counted" in w for w in result.warnings)


def test_only_closed_facilities_nearby_means_none_offers_the_service() -> None:
    result = evaluate(make(facilities=(facility(20, operating_status="closed"),)))
    assert statuses(result)["drive-time"] == "met"
    assert "No VA facility offering CARDIOLOGY was found" in result.criterion("drive-time").evidence


def test_a_limited_facility_still_counts_but_is_named_in_the_evidence_and_warnings() -> None:
    limited = facility(20, name="Worcester CBOC", operating_status="LIMITED")
    result = evaluate(make(facilities=(limited,)))
    drive = result.criterion("drive-time")
    assert drive.status == "not-met"
    assert "operating status LIMITED" in drive.evidence
    assert any("LIMITED" in w and "Confirm with the facility" in w for w in result.warnings)


# --- 11. states and territories where code N is common ---


@pytest.mark.parametrize("state", ["AK", "HI", "GU", "AS", "MP", "VI"])
def test_a_residence_without_full_service_va_but_no_code_n_is_warned_not_met(state: str) -> None:
    result = evaluate(make(residence_state=state))
    criterion = result.criterion("no-full-service-va")
    assert criterion.status == "not-met"
    assert f"lives in {state}" in criterion.evidence
    assert any(f"lives in {state}" in w and "does not assume code N" in w for w in result.warnings)


def test_code_n_in_alaska_is_met_without_the_warning() -> None:
    result = evaluate(make(residence_state="AK", vce_codes=(vce("N"),)))
    assert statuses(result)["no-full-service-va"] == "met"
    assert not any("does not assume code N" in w for w in result.warnings)


def test_new_hampshire_and_the_lower_48_get_no_code_n_warning() -> None:
    for state in ("NH", "MA", "PR"):
        assert not any("code N" in w for w in evaluate(make(residence_state=state)).warnings)
