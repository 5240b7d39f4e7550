"""Plain-data inputs and results of the MISSION Act eligibility engine, with a JSON round-trip."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dst.reference.catalog import CareCategory

MET = "met"
NOT_MET = "not-met"
UNKNOWN = "unknown"
STATUSES = (MET, NOT_MET, UNKNOWN)

# External API contract: these codes, in this order, in every result.
CRITERION_CODES: tuple[str, ...] = (
    "no-full-service-va",
    "grandfathered",
    "hardship",
    "service-not-available",
    "drive-time",
    "wait-time",
    "best-medical-interest",
    "quality-standards",
)

RESULT_SCHEMA = 1

# The overall state of a result, one word each for the API, the pages, the viewer and VistA's CCE line.
ELIGIBLE = "eligible"
NOT_ELIGIBLE = "not-eligible"
# No criterion is met at ordering and the only open question is wait time, which the scheduler settles
# by recording VA's next available appointment: not an outage, and not a "no".
PENDING_SCHEDULING = "pending-scheduling"
UNDETERMINED = "unknown"  # a criterion that could decide it could not be evaluated (a partner, an input)
STATES = (ELIGIBLE, NOT_ELIGIBLE, PENDING_SCHEDULING, UNDETERMINED)
# The headline each state shows, on the dashboard, in the viewer and in the FHIR verdict.
VERDICTS = {
    ELIGIBLE: "Eligible for community care",
    NOT_ELIGIBLE: "Not eligible for community care",
    PENDING_SCHEDULING: "Not eligible yet: wait time is decided at scheduling",
    UNDETERMINED: "Eligibility could not be determined",
}
# The wait-time criterion's details carry this when it waits for the next available appointment.
DECIDED_AT_SCHEDULING = "scheduling"


@dataclass(frozen=True, slots=True)
class VceInput:
    """One E&E community-care eligibility code as E&E reported it."""

    code: str
    effective_date: date | None
    description: str | None = None
    end_date: date | None = None  # last day in effect, when E&E says the code has lapsed


@dataclass(frozen=True, slots=True)
class FacilityOption:
    """A VA facility that may offer the consult's clinical service, with the drive time to it."""

    facility_id: str
    name: str
    drive_minutes: float | None
    drive_source: str  # "routing" | "estimate" | ...
    offers_service: bool = True
    operating_status: str | None = None  # Lighthouse operatingStatus.code: NORMAL, NOTICE, LIMITED, CLOSED


@dataclass(frozen=True, slots=True)
class EligibilityInput:
    """Everything the engine needs, gathered by the caller; None means "not available"."""

    as_of: date
    vce_codes: tuple[VceInput, ...] | None = None  # None: E&E could not be reached
    ee_error: str | None = None
    # MVI's failure code when it did not identify the Veteran (E&E and drive times then unused):
    # the evidence points at identifying the Veteran, not at E&E or the address.
    identity_error: str | None = None
    residence_state: str | None = None
    # Where the drive times start: "ee-geocode" (E&E's geocode of the residential address) or
    # "zip-centroid" (no geocode; the centre of the residential ZIP code); None when not stated.
    residence_source: str | None = None
    geocode_date: datetime | None = None  # E&E geocodingInfo/geocodeDate
    address_change_date: datetime | None = None  # the residential address's addressChangeDateTime
    care_category: CareCategory | None = None
    urgency: str = "routine"
    facilities: tuple[FacilityOption, ...] | None = None  # None: facility or drive data unavailable
    facilities_error: str | None = None
    file_entry_date: date | None = None  # wait-time start date (VA OIG), not the CID
    clinically_indicated_date: date | None = None
    veteran_agreed_later_date: date | None = None
    next_available_date: date | None = None
    bmi_factor: str | None = None
    bmi_explanation: str | None = None
    service_offered_by_va: bool | None = None  # None: VA has made no designation
    service_designation: str | None = None  # the designation's citation, for the evidence
    quality_standards_not_met: bool = False
    quality_designation: str | None = None  # the designation's citation, for the evidence
    consult_signed: bool = False
    clinical_service: str | None = None  # official name, only for the evidence text


@dataclass(frozen=True, init=False)
class CriterionResult:
    """The outcome of one criterion, with a sentence a clinician can read and the rule it rests on."""

    code: str
    status: str  # "met" | "not-met" | "unknown"
    evidence: str
    citation: str
    details: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self, code: str, status: str, evidence: str, citation: str, details: dict[str, Any] | None = None
    ) -> None:
        # Writing __dict__ directly is what a frozen dataclass's own __init__ does field by field;
        # doing it at once makes results about twice as cheap to build (bench/bench_eligibility.py).
        fields = self.__dict__
        fields["code"] = code
        fields["status"] = status
        fields["evidence"] = evidence
        fields["citation"] = citation
        fields["details"] = {} if details is None else details

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "evidence": self.evidence,
            "citation": self.citation,
            "details": self.details,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CriterionResult:
        return cls(data["code"], data["status"], data["evidence"], data["citation"], dict(data["details"]))


@dataclass(frozen=True, init=False)
class EligibilityResult:
    """The engine's answer: every criterion, the overall answer, and what it rests on."""

    eligible: bool | None
    criteria: tuple[CriterionResult, ...]
    standards_version: str
    basis: tuple[str, ...]
    bmi_offered: bool
    warnings: tuple[str, ...]
    wait_time_eligibility_date: date | None
    as_of: date | None = None
    basic_ineligible: bool = False
    summary: str = ""
    # VA policy limits judged beside the criteria under their own basis codes (stat consults' 1-day
    # wait: "stat-wait-policy"); never one of CRITERION_CODES, never cited as 38 CFR 17.4040.
    policy: tuple[CriterionResult, ...] = ()

    def __init__(
        self,
        *,
        eligible: bool | None,
        criteria: tuple[CriterionResult, ...],
        standards_version: str,
        basis: tuple[str, ...],
        bmi_offered: bool,
        warnings: tuple[str, ...],
        wait_time_eligibility_date: date | None,
        as_of: date | None = None,
        basic_ineligible: bool = False,
        summary: str = "",
        policy: tuple[CriterionResult, ...] = (),
    ) -> None:
        # Direct __dict__ writes instead of eleven frozen setattr calls; see CriterionResult.__init__.
        fields = self.__dict__
        fields["eligible"] = eligible
        fields["criteria"] = criteria
        fields["standards_version"] = standards_version
        fields["basis"] = basis
        fields["bmi_offered"] = bmi_offered
        fields["warnings"] = warnings
        fields["wait_time_eligibility_date"] = wait_time_eligibility_date
        fields["as_of"] = as_of
        fields["basic_ineligible"] = basic_ineligible
        fields["summary"] = summary
        fields["policy"] = policy

    @property
    def state(self) -> str:
        return result_state(self.eligible, self.basis, (*self.criteria, *self.policy))

    def criterion(self, code: str) -> CriterionResult:
        for result in self.criteria:
            if result.code == code:
                return result
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": RESULT_SCHEMA,
            "eligible": self.eligible,
            "criteria": [
                {
                    "code": c.code,
                    "status": c.status,
                    "evidence": c.evidence,
                    "citation": c.citation,
                    "details": c.details,
                }
                for c in self.criteria
            ],
            "standards_version": self.standards_version,
            "basis": list(self.basis),
            "bmi_offered": self.bmi_offered,
            "warnings": list(self.warnings),
            "wait_time_eligibility_date": iso_or_none(self.wait_time_eligibility_date),
            "as_of": iso_or_none(self.as_of),
            "basic_ineligible": self.basic_ineligible,
            "summary": self.summary,
            "policy": [c.to_dict() for c in self.policy],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EligibilityResult:
        return cls(
            eligible=data["eligible"],
            criteria=tuple(CriterionResult.from_dict(c) for c in data["criteria"]),
            standards_version=data["standards_version"],
            basis=tuple(data["basis"]),
            bmi_offered=data["bmi_offered"],
            warnings=tuple(data["warnings"]),
            wait_time_eligibility_date=_date(data.get("wait_time_eligibility_date")),
            as_of=_date(data.get("as_of")),
            basic_ineligible=data.get("basic_ineligible", False),
            summary=data.get("summary", ""),
            policy=tuple(CriterionResult.from_dict(c) for c in data.get("policy", ())),
        )


def result_state(eligible: bool | None, basis: tuple[str, ...], judged: tuple[CriterionResult, ...]) -> str:
    """One of STATES. Pending only when nothing is met and every unknown waits for scheduling."""
    if eligible is not None:
        return ELIGIBLE if eligible else NOT_ELIGIBLE
    unknown = [c for c in judged if c.status == UNKNOWN]
    if basis or not unknown:
        return UNDETERMINED
    if all(c.details.get("decided_at") == DECIDED_AT_SCHEDULING for c in unknown):
        return PENDING_SCHEDULING
    return UNDETERMINED


def iso_or_none(value: date | None) -> str | None:
    """iso_day(value), or None for no date."""
    return iso_day(value) if value is not None else None


_ISO_DAYS: dict[date, str] = {}


def iso_day(value: date) -> str:
    """value.isoformat(), remembered for plain dates: formatting one costs more than a lookup."""
    if type(value) is not date:
        return value.isoformat()
    text = _ISO_DAYS.get(value)
    if text is None:
        text = value.isoformat()
        if len(_ISO_DAYS) >= 8192:
            _ISO_DAYS.clear()
        _ISO_DAYS[value] = text
    return text


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
