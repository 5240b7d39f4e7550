"""JSON shapes of records and panels for the API (camelCase), shared by the pages' data views."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from dst.consults.context import RecordContext
from dst.consults.evidence import Assessment, residence_source, residence_warning
from dst.consults.factors import consult_factor_text, consult_text_snippet
from dst.consults.models import Decision, DstRecord
from dst.consults.panels import IDENTITY_FAILURES, FacilitiesPanel, PatientPanel, ProvidersPanel
from dst.eligibility import VERDICTS, EligibilityResult, standard_for
from dst.partners.errors import Partner, PartnerError
from dst.partners.types import Address
from dst.reference.catalog import CareCategory
from dst.reference.models import SeocEntry

ADDRESS_FIELDS = tuple(f.name for f in fields(Address))


def errors_json(errors: tuple[PartnerError, ...]) -> list[dict[str, str]]:
    return [{"partner": e.partner.value, "code": e.code, "message": e.message} for e in errors]


def address_json(address: Address | None) -> dict[str, Any] | None:
    # Its fields by name: dataclasses.asdict deep-copies each value, a cost on every provider row.
    return None if address is None else {f: getattr(address, f) for f in ADDRESS_FIELDS}


def record_json(record: DstRecord) -> dict[str, Any]:
    decision = record.decision
    service = record.clinical_service
    return {
        "dstId": record.dst_id,
        "version": record.version,
        "station": record.station,
        "dfn": record.dfn,
        "icn": record.icn,
        "consultService": record.consult_service,
        "clinicalService": service.name if service else None,
        "careCategory": service.care_category if service else None,
        "primaryStopCode": service.primary_stop_code if service else None,
        "needsClinicalService": service is None,
        "urgency": record.urgency,
        "clinicallyIndicatedDate": _iso(record.clinically_indicated_date),
        "fileEntryDate": record.file_entry_date.isoformat(),
        "consultNumber": record.consult_number,
        "orderNumber": record.order_number,
        "signed": record.signed,
        "releasedToHsrm": record.released_to_hsrm,
        "readOnly": record.released_to_hsrm,
        "createdAt": record.created_at.isoformat(),
        "updatedAt": record.updated_at.isoformat(),
        "consultText": f"DST ID:{record.dst_id}#",
        "decision": decision_json(record, decision) if decision else None,
        "entries": None
        if decision is None
        else {
            **_entries(decision),
            "agreementRecordedBy": decision.agreement_recorded_by,
            "agreementRecordedAt": _iso(decision.agreement_recorded_at),
        },
    }


def _entries(decision: Decision) -> dict[str, Any]:
    """The user's entries a decision keeps: in the saved decision and in the record's restored form."""
    return {
        "veteranOption": decision.veteran_option,
        "seocId": decision.seoc_id,
        "forward": decision.forward,
        "forwardTo": decision.forward_to,
        "bmi": {"factor": decision.bmi_factor, "explanation": decision.bmi_explanation}
        if decision.bmi_factor
        else None,
        "nextAvailableDate": _iso(decision.next_available_date),
        "veteranAgreedLaterDate": _iso(decision.veteran_agreed_later_date),
    }


def decision_json(record: DstRecord, decision: Decision, warnings: tuple[str, ...] = ()) -> dict[str, Any]:
    """A saved decision as the API answers it (and replays it for the same Idempotency-Key)."""
    result = decision.eligibility
    return {
        "dstId": record.dst_id,
        "revision": decision.revision,
        "version": record.version,
        **_entries(decision),
        "seocName": decision.seoc_name,
        "clinicalService": decision.clinical_service_name,
        "eligible": result["eligible"],
        "basis": result["basis"],
        "standardsVersion": decision.standards_version,
        "partnerErrors": list(decision.partner_errors),
        "decidedBy": decision.decided_by,
        "decidedRole": decision.decided_role,
        "decidedAt": decision.decided_at.isoformat(),
        "warnings": list(warnings),
        "consultText": consult_text_snippet(record.dst_id),
        "consultFactorText": consult_factor_text(record, decision),
    }


def patient_json(panel: PatientPanel) -> dict[str, Any]:
    person, ee = panel.person, panel.ee
    return {
        "icn": person.icn if person else (ee.icn if ee else None),
        "name": f"{person.family_name},{person.given_name}" if person else None,
        "birthDate": _iso(person.birth_date) if person else None,
        "gender": person.gender if person else None,
        "ssnLast4": person.ssn_last4 if person else None,
        "residentialAddress": address_json(panel.address),
        "addressAvailable": bool(panel.address and panel.address.is_complete),
        "location": None
        if panel.location is None
        else {
            "lat": panel.location.lat,
            "lng": panel.location.lng,
            "source": panel.location_source,
            "kind": residence_source(panel),
        },
        "residenceWarning": residence_warning(panel),
        "eligibilityCodes": None
        if ee is None
        else [
            {"code": c.code, "description": c.description, "effectiveDate": _iso(c.effective_date)}
            for c in ee.vce_codes
        ],
        "geocodeDate": _iso(ee.geocode_date) if ee else None,
        "addressChangeDate": _iso(ee.address_change_date) if ee else None,
        "enrollmentStatus": ee.enrollment_status if ee else None,
        "errors": errors_json(panel.errors),
        # MVI answered but identified no one (not found, several found): the Veteran panel offers
        # the search by traits.
        "identifyByTraits": person is None
        and any(e.partner is Partner.MVI and e.kind in IDENTITY_FAILURES for e in panel.errors),
    }


def facilities_json(ctx: RecordContext, panel: FacilitiesPanel, today: Any) -> dict[str, Any]:
    standard = None
    if ctx.service is not None:
        standard = standard_for(CareCategory(ctx.service.care_category), ctx.urgency, today)
    limit = standard.drive_minutes if standard else None
    return {
        "clinicalService": ctx.service.name if ctx.service else None,
        "radiusMiles": panel.radius_miles,
        "driveTimeStandardMinutes": limit,
        "waitTimeStandardDays": standard.wait_days if standard else None,
        "facilities": [
            {
                "facilityId": r.facility_id,
                "name": r.name,
                "city": r.city,
                "state": r.state,
                "phone": r.phone,
                "straightLineMiles": r.straight_miles,
                "driveMinutes": r.drive_minutes,
                "driveSource": r.drive_source,
                "driveMethod": r.drive_method,
                "operatingStatus": r.operating_status,
                "withinDriveStandard": None
                if r.drive_minutes is None or limit is None
                else r.drive_minutes <= limit,
                "vaAverageWaitDays": r.va_wait_days,
                "ccAverageWaitDays": r.cc_wait_days,
            }
            for r in panel.rows
        ],
        "note": panel.note,
        "errors": errors_json(panel.errors),
    }


def providers_json(panel: ProvidersPanel) -> dict[str, Any]:
    return {
        "radiusMiles": panel.radius_miles,
        "providers": [
            {
                "providerId": p.provider_id,
                "name": p.name,
                "careSite": p.care_site,
                "address": address_json(p.address),
                "distanceMiles": p.distance_miles,
                "driveMinutes": p.drive_minutes,
                "phone": p.phone,
                "network": p.network,
                "specialtyCodes": list(p.specialty_codes),
                # PPMS's names for them (ProviderSpecialty), the code where PPMS gave none.
                "specialties": list(p.specialty_names or p.specialty_codes),
                "acceptingNewPatients": p.accepting_new_patients,
            }
            for p in panel.providers
        ],
        "note": panel.note,
        "errors": errors_json(panel.errors),
    }


def eligibility_json(assessment: Assessment) -> dict[str, Any]:
    result = assessment.result
    return {
        "eligible": result.eligible,
        # eligible is null both while wait time waits for scheduling and when DST could not decide;
        # state tells them apart (docs/eligibility.md).
        "state": result.state,
        "verdict": VERDICTS[result.state],
        "criteria": [
            {
                "code": c.code,
                "status": c.status,
                "evidence": c.evidence,
                "citation": c.citation,
                "details": c.details,
            }
            for c in result.criteria
        ],
        "basis": list(result.basis),
        # VA policy limits beside the criteria, under their own basis codes (not 38 CFR 17.4040).
        "policy": [
            {
                "code": p.code,
                "status": p.status,
                "evidence": p.evidence,
                "citation": p.citation,
                "details": p.details,
            }
            for p in result.policy
        ],
        "standardsVersion": result.standards_version,
        "bmiOffered": result.bmi_offered,
        "basicIneligible": result.basic_ineligible,
        "waitTimeEligibilityDate": _iso(result.wait_time_eligibility_date),
        "waitTimeDates": wait_time_dates(result),
        "summary": result.summary,
        "warnings": list(result.warnings),
        "partnerErrors": list(assessment.partner_errors),
    }


def wait_time_dates(result: EligibilityResult) -> dict[str, Any] | None:
    """Each date the wait-time answer rests on, named for what it is (None when not computed)."""
    try:
        details = result.criterion("wait-time").details
    except KeyError:
        return None
    if not details.get("standard_date"):
        return None
    return {
        "fileEntryDate": details.get("file_entry_date"),
        "standardDays": details.get("standard_days"),
        "standardDate": details.get("standard_date"),
        # "file-entry", "veteran-agreed" or "clinically-indicated": which date set the limit.
        "limitSetBy": details.get("anchor"),
        "eligibilityDate": details.get("wait_time_eligibility_date"),
        "veteranAgreedLaterDate": details.get("veteran_agreed_later_date"),
        "clinicallyIndicatedDate": details.get("clinically_indicated_date"),
        "nextAvailableDate": details.get("next_available_date"),
    }


def seoc_json(seoc: SeocEntry) -> dict[str, Any]:
    return {
        "seocId": seoc.seoc_id,
        "name": seoc.name,
        "categoryOfCare": seoc.category_of_care,
        "serviceLine": seoc.service_line,
        "description": seoc.description,
        "durationDays": seoc.duration_days,
        "maxVisits": seoc.max_visits,
        "proceduralOverview": seoc.procedural_overview,
        "disclaimer": seoc.disclaimer,
        "version": seoc.version,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None
