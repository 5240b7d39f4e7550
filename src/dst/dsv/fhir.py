"""FHIR R4 at the EHR boundary: read the EDIPI from a Patient, and write eligibility as a GuidanceResponse."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.patient import Patient
from pydantic import ValidationError

from dst.consults.evidence import Assessment
from dst.dsv import errors
from dst.eligibility import VERDICTS

EDIPI = re.compile(r"^[0-9]{10}\Z")
MODULE_URI = "urn:dst:module:mission-act-community-care-eligibility"
STATUS_LABELS = {"met": "Met", "not-met": "Not met", "unknown": "Unknown"}


def edipi_of(resource: Any, system: str) -> str | None:
    """The one EDIPI on the Patient; None when it carries none, or several different ones."""
    try:
        patient = Patient.model_validate(resource)
    except ValidationError:
        raise errors.ehr_unreachable("the patient resource is not a valid FHIR Patient.") from None
    found = {
        (i.value or "").strip()
        for i in patient.identifier or []
        if i.system == system and i.use != "old" and i.value and EDIPI.match(i.value.strip())
    }
    return found.pop() if len(found) == 1 else None


def guidance_response(
    assessment: Assessment, *, patient_reference: str | None, clinical_service: str | None
) -> dict[str, Any]:
    """The eligibility result for the EHR.

    GuidanceResponse is FHIR's record of one evaluation of a decision-support module for one subject:
    `status` says plainly whether the rules reached an answer ("success") or need more data
    ("data-required"), and the criteria with their evidence travel as the module's output Parameters.
    """
    result = assessment.result
    decided = result.eligible is not None
    resource: dict[str, Any] = {
        "resourceType": "GuidanceResponse",
        "id": str(uuid.uuid4()),
        "requestIdentifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{uuid.uuid4()}"},
        "moduleUri": MODULE_URI,
        "status": "success" if decided else "data-required",
        "occurrenceDateTime": datetime.now(UTC).isoformat(timespec="seconds"),
        "performer": {"display": "DST Community Care Decision Support Tool"},
        "note": [{"text": _text(result.summary) or VERDICTS[result.state]}],
        "contained": [_parameters(assessment, clinical_service)],
        "outputParameters": {"reference": "#eligibility"},
    }
    if patient_reference:
        resource["subject"] = {"reference": patient_reference}
    if clinical_service:
        resource["reasonCode"] = [{"text": f"Community care eligibility for {clinical_service}"}]
    unknown = [c for c in result.criteria if c.status == "unknown"]
    if not decided and unknown:
        resource["contained"].append(_still_unknown(unknown))
        resource["evaluationMessage"] = [{"reference": "#unknown"}]
    return resource


def _parameters(assessment: Assessment, clinical_service: str | None) -> dict[str, Any]:
    result = assessment.result
    parameters: list[dict[str, Any]] = []
    if result.eligible is not None:
        parameters.append({"name": "eligible", "valueBoolean": result.eligible})
    parameters.append({"name": "verdict", "valueString": VERDICTS[result.state]})
    # eligible is absent both while wait time waits for scheduling and when DST could not decide.
    parameters.append({"name": "state", "valueCode": result.state})
    parameters.append({"name": "standardsVersion", "valueString": result.standards_version})
    if clinical_service:
        parameters.append({"name": "clinicalService", "valueString": clinical_service})
    parameters.extend({"name": "basis", "valueCode": code} for code in result.basis)
    for criterion in result.criteria:
        parts = [
            {"name": "code", "valueCode": criterion.code},
            {"name": "status", "valueCode": criterion.status},
        ]
        for name, value in (("evidence", criterion.evidence), ("citation", criterion.citation)):
            if _text(value):
                parts.append({"name": name, "valueString": _text(value)})
        parameters.append({"name": "criterion", "part": parts})
    parameters.extend({"name": "partnerError", "valueCode": code} for code in assessment.partner_errors)
    return {"resourceType": "Parameters", "id": "eligibility", "parameter": parameters}


def _still_unknown(criteria: list[Any]) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "id": "unknown",
        "issue": [
            {
                "severity": "warning",
                "code": "incomplete",
                "details": {"text": f"{c.code}: {STATUS_LABELS[c.status]}"},
                "diagnostics": _text(c.evidence) or "No evidence was available.",
            }
            for c in criteria
        ],
    }


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value else ""
