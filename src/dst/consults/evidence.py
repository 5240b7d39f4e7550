"""Turn gathered panels into the eligibility input, and keep the inputs as the decision's evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dst.consults.context import Entries, RecordContext
from dst.consults.panels import FacilitiesPanel, PatientPanel
from dst.eligibility import EligibilityInput, EligibilityResult, FacilityOption, VceInput, evaluate
from dst.eligibility.access import EE_GEOCODE, ZIP_CENTROID, residence_problem, residence_problem_of
from dst.operations.designations import DesignationInfo
from dst.operations.models import QUALITY_NOT_MET, SERVICE_NOT_OFFERED
from dst.partners.errors import PartnerError
from dst.reference.catalog import CareCategory


@dataclass(frozen=True)
class Assessment:
    result: EligibilityResult
    evidence: dict[str, Any]
    partner_errors: tuple[str, ...]


def assess(
    ctx: RecordContext, patient: PatientPanel, facilities: FacilitiesPanel, *, entries: Entries, as_of: date
) -> Assessment:
    """Run the rules over what was gathered; the same inputs always give the same answer."""
    errors = _unique_codes([*patient.errors, *facilities.errors])
    not_offered = _in_force(ctx, SERVICE_NOT_OFFERED, as_of)
    quality = _in_force(ctx, QUALITY_NOT_MET, as_of)
    inp = EligibilityInput(
        as_of=as_of,
        vce_codes=_vce_codes(patient),
        ee_error=_first_code(patient.errors, "EE"),
        identity_error=_first_code(patient.errors, "MVI"),
        residence_state=patient.address.state if patient.address else None,
        residence_source=residence_source(patient),
        geocode_date=patient.ee.geocode_date if patient.ee else None,
        address_change_date=patient.ee.address_change_date if patient.ee else None,
        care_category=CareCategory(ctx.service.care_category) if ctx.service else None,
        urgency=ctx.urgency,
        facilities=_facility_options(facilities),
        facilities_error=_facilities_error(facilities),
        file_entry_date=ctx.file_entry_date,
        clinically_indicated_date=ctx.clinically_indicated_date,
        veteran_agreed_later_date=entries.veteran_agreed_later_date,
        next_available_date=entries.next_available_date,
        bmi_factor=entries.bmi_factor,
        bmi_explanation=entries.bmi_explanation,
        service_offered_by_va=False if not_offered else None,
        service_designation=not_offered.citation() if not_offered else None,
        quality_standards_not_met=quality is not None,
        quality_designation=quality.citation() if quality else None,
        consult_signed=ctx.signed,
        clinical_service=ctx.service.name if ctx.service else None,
    )
    result = evaluate(inp)
    return Assessment(result, _evidence(ctx, patient, facilities, inp, errors), errors)


def _in_force(ctx: RecordContext, kind: str, on: date) -> DesignationInfo | None:
    """The newest designation of this kind in force on the decision's date, if any."""
    found = [d for d in ctx.designations if d.kind == kind and d.in_force(on)]
    return max(found, key=lambda d: d.id) if found else None


def residence_source(patient: PatientPanel) -> str | None:
    """Which point the drive times start from: E&E's geocode, or the ZIP centroid without one."""
    if patient.location is None or patient.ee is None:
        return None
    return EE_GEOCODE if patient.ee.geocode is not None else ZIP_CENTROID


def residence_warning(patient: PatientPanel) -> str | None:
    """The sentence the patient banner shows when the residence may not be where the Veteran lives."""
    ee = patient.ee
    problem = residence_problem_of(
        residence_source(patient), ee.geocode_date if ee else None, ee.address_change_date if ee else None
    )
    return f"{problem[1]}. Drive time is not decided from it." if problem else None


def _vce_codes(patient: PatientPanel) -> tuple[VceInput, ...] | None:
    if patient.ee is None:
        return None
    return tuple(VceInput(c.code, c.effective_date, c.description) for c in patient.ee.vce_codes)


def _facility_options(panel: FacilitiesPanel) -> tuple[FacilityOption, ...] | None:
    if not panel.available:
        return None
    if panel.rows and all(r.drive_minutes is None for r in panel.rows):
        return None  # routing failed for every facility: drive time cannot be judged
    return tuple(
        FacilityOption(
            r.facility_id,
            r.name,
            r.drive_minutes,
            r.drive_source or "unknown",
            operating_status=r.operating_status,
        )
        for r in panel.rows
    )


def _facilities_error(panel: FacilitiesPanel) -> str | None:
    if panel.errors:
        return panel.errors[0].code
    if panel.radius_miles is None:
        return panel.note or "facility list not available"
    return None


def _first_code(errors: tuple[PartnerError, ...], prefix: str) -> str | None:
    return next((e.code for e in errors if e.code.startswith(prefix + "-")), None)


def _unique_codes(errors: list[PartnerError]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.code for e in errors))


def _evidence(
    ctx: RecordContext,
    patient: PatientPanel,
    facilities: FacilitiesPanel,
    inp: EligibilityInput,
    errors: tuple[str, ...],
) -> dict[str, Any]:
    address = patient.address
    return {
        "asOf": inp.as_of.isoformat(),
        "clinicalService": ctx.service.name if ctx.service else None,
        "careCategory": inp.care_category.value if inp.care_category else None,
        "urgency": ctx.urgency,
        "fileEntryDate": ctx.file_entry_date.isoformat(),
        "clinicallyIndicatedDate": _iso(ctx.clinically_indicated_date),
        "addressUsed": None
        if address is None
        else {
            "line1": address.line1,
            "city": address.city,
            "state": address.state,
            "zip": address.zip,
        },
        "location": None
        if patient.location is None
        else {
            "lat": round(patient.location.lat, 5),
            "lng": round(patient.location.lng, 5),
            "source": patient.location_source,
        },
        "residence": {
            "source": inp.residence_source,
            "geocodeDate": _iso(inp.geocode_date),
            "addressChangeDate": _iso(inp.address_change_date),
            "problem": problem[0] if (problem := residence_problem(inp)) else None,
        },
        "eeCodes": None
        if inp.vce_codes is None
        else [
            {"code": c.code, "effectiveDate": _iso(c.effective_date), "description": c.description}
            for c in inp.vce_codes
        ],
        "searchRadiusMiles": facilities.radius_miles,
        "facilitiesConsidered": [
            {
                "facilityId": r.facility_id,
                "name": r.name,
                "driveMinutes": r.drive_minutes,
                "driveSource": r.drive_source,
                "driveMethod": r.drive_method,
                "operatingStatus": r.operating_status,
                "straightMiles": r.straight_miles,
                "vaAverageWaitDays": r.va_wait_days,
                "ccAverageWaitDays": r.cc_wait_days,
            }
            for r in facilities.rows
        ],
        "designations": [
            {
                "id": d.id,
                "kind": d.kind,
                "effectiveFrom": _iso(d.effective_from),
                "effectiveTo": _iso(d.effective_to),
            }
            for d in ctx.designations
            if d.in_force(inp.as_of)
        ],
        "nextAvailableDate": _iso(inp.next_available_date),
        "veteranAgreedLaterDate": _iso(inp.veteran_agreed_later_date),
        "partnerErrors": list(errors),
    }


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None
