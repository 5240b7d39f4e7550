"""evaluate(): the pure MISSION Act eligibility decision for one consult, with its evidence."""

from __future__ import annotations

from datetime import date

from dst.eligibility.access import (
    A4,
    EE_GEOCODE,
    FacilityScan,
    agreed_date_warnings,
    drive_time,
    drive_warnings,
    residence_problem,
    scan_facilities,
    service_name,
    stat_wait_policy,
    wait_time,
)
from dst.eligibility.bmi import bmi_offered
from dst.eligibility.codes import INELIGIBLE, NO_FULL_SERVICE, EffectiveCodes
from dst.eligibility.codes import effective_codes as _effective_codes
from dst.eligibility.criteria import (
    CRITERION_CITATIONS,
    OFTEN_NO_FULL_SERVICE,
    SENTENCE_LABELS,
    best_medical_interest,
    ee_criteria,
    explanation_warnings,
    quality_standards,
    service_not_available,
)
from dst.eligibility.models import (
    CRITERION_CODES,
    MET,
    NOT_MET,
    PENDING_SCHEDULING,
    UNKNOWN,
    CriterionResult,
    EligibilityInput,
    EligibilityResult,
    result_state,
)
from dst.eligibility.standards import ACCESS_STANDARDS, STAT, URGENCIES, AccessStandard, standard_for
from dst.eligibility.standards import standards_version_on as _version_on

# USPS codes of the states, DC and the territories: 38 U.S.C. 101(20) counts all of them as States.
_STATES = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM"
_MORE = "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP"
US_STATES_AND_TERRITORIES = frozenset(f"{_STATES} {_MORE}".split(" "))
NO_STANDARDS_VERSION = "none"
_CITED_CODES = tuple((code, CRITERION_CITATIONS[code]) for code in CRITERION_CODES)


def evaluate(
    inp: EligibilityInput, *, standards: tuple[AccessStandard, ...] = ACCESS_STANDARDS
) -> EligibilityResult:
    """Decide eligibility from plain data; never raises, never reads the clock (uses inp.as_of)."""
    try:
        return _evaluate(inp, standards)
    except Exception as exc:  # a last guard: bad data must give "unknown", never a crash
        return _engine_fault(inp, exc)


def _evaluate(inp: EligibilityInput, standards: tuple[AccessStandard, ...]) -> EligibilityResult:
    version = _version_on(inp.as_of, standards) or NO_STANDARDS_VERSION
    ee = _effective_codes(inp.vce_codes, inp.as_of) if inp.vce_codes is not None else None
    scan = scan_facilities(inp.facilities)
    warnings = _input_warnings(inp, ee, scan)
    if ee is not None and ee.has(INELIGIBLE):
        return _basic_ineligible(inp, ee, version, warnings)
    standard, no_standard = _standard(inp, standards)
    wait, wait_date = wait_time(inp, standard, no_standard)
    warnings.extend(agreed_date_warnings(inp, standard))
    # Built in CRITERION_CODES order; best medical interest is appended last and moved into place.
    before_bmi = [
        *ee_criteria(ee, inp),
        service_not_available(inp, scan),
        drive_time(inp, scan, standard, no_standard),
        wait,
    ]
    quality = quality_standards(inp)
    stat_policy = stat_wait_policy(inp, standard)
    policy = () if stat_policy is None else (stat_policy,)
    other_basis = [c.code for c in (*before_bmi, quality, *policy) if c.status == MET]
    offered = bmi_offered(
        otherwise_eligible=bool(other_basis), consult_signed=inp.consult_signed, basic_ineligible=False
    )
    bmi = best_medical_interest(inp, offered=offered, other_basis=other_basis)
    criteria = (*before_bmi, bmi, quality)
    basis = tuple([c.code for c in (*criteria, *policy) if c.status == MET])
    basic_known = ee is not None and not ee.unrecognised
    eligible = _overall((*criteria, *policy), basis, basic_known=basic_known)
    return EligibilityResult(
        eligible=eligible,
        criteria=criteria,
        standards_version=version,
        basis=basis,
        bmi_offered=offered,
        warnings=tuple(warnings),
        wait_time_eligibility_date=wait_date,
        as_of=inp.as_of,
        summary=_summary(eligible, basis, (*criteria, *policy), basic_known=basic_known, offered=offered),
        policy=policy,
    )


def _overall(
    criteria: tuple[CriterionResult, ...], basis: tuple[str, ...], *, basic_known: bool
) -> bool | None:
    # Any met criterion is enough, but only once E&E has ruled out code X; "not eligible" needs every
    # criterion evaluated and not met, so an unknown that could decide the answer keeps it unknown.
    if basis:
        return True if basic_known else None
    if any(c.status == UNKNOWN for c in criteria):
        return None
    return False


def _standard(
    inp: EligibilityInput, standards: tuple[AccessStandard, ...]
) -> tuple[AccessStandard | None, str]:
    service = service_name(inp)
    if inp.care_category is None:
        return None, (
            f"{service} has no care category in the clinical-service mapping, so DST cannot tell "
            "which access standard applies; choose the clinical service again or ask a DST "
            "administrator to map it."
        )
    urgency = _urgency(inp)
    if urgency not in URGENCIES:
        return None, f"Urgency {inp.urgency!r} is neither routine nor stat; correct the consult's urgency."
    standard = standard_for(inp.care_category, urgency, inp.as_of, standards)
    if standard is None:
        return None, (
            f"No access standard for {inp.care_category} ({urgency}) was in effect on "
            f"{inp.as_of.isoformat()}; the standards table needs a row for it."
        )
    return standard, ""


def _urgency(inp: EligibilityInput) -> str:
    # CPRS spells urgencies in capitals ("STAT"); the standards table uses lower case.
    urgency = inp.urgency
    return urgency if urgency in URGENCIES else str(urgency or "").strip().lower()


def _input_warnings(inp: EligibilityInput, ee: EffectiveCodes | None, scan: FacilityScan | None) -> list[str]:
    warnings: list[str] = []
    if ee is None and inp.identity_error:
        # Nothing from E&E was used, so its absent address is not the problem: the identity is.
        return [
            f"MVI did not identify the Veteran ({inp.identity_error}), so DST used nothing from E&E and "
            "looked up no drive times: basic community care eligibility (code X) cannot be ruled out "
            "until the Veteran is identified.",
            *explanation_warnings(inp),
        ]
    if ee is None:
        why = f" ({inp.ee_error})" if inp.ee_error else ""
        warnings.append(
            f"E&E could not be reached{why}: the E&E criteria are unknown and basic community care "
            "eligibility (code X) cannot be ruled out."
        )
    else:
        warnings.extend(ee.warnings)
    state = (inp.residence_state or "").strip().upper()
    if not state:
        warnings.append("No residential state or territory on file in the Enrollment System.")
    elif state not in US_STATES_AND_TERRITORIES:
        warnings.append(f"Residential state {inp.residence_state!r} is not a US state or territory.")
    elif state in OFTEN_NO_FULL_SERVICE and ee is not None and not ee.has(NO_FULL_SERVICE):
        warnings.append(
            f"The Veteran lives in {state}, which has no full-service VA medical facility in most of its "
            "area, but E&E shows no code N. DST does not assume code N: E&E decides it for each Veteran. "
            "Ask the Enrollment System team to confirm whether code N applies."
        )
    if inp.residence_source is not None:
        warnings.extend(_residence_warnings(inp))
    if _urgency(inp) == STAT:
        warnings.append(
            "Stat consult: wait time is judged by the regulation's standard; the 1-day limit is DST policy "
            "(38 CFR 17.4040 sets no stat standard) and is reported separately as stat-wait-policy."
        )
    warnings.extend(drive_warnings(scan))
    if inp.bmi_explanation:
        warnings.extend(explanation_warnings(inp))
    return warnings


def _residence_warnings(inp: EligibilityInput) -> list[str]:
    if inp.residence_source is None:
        return []
    problem = residence_problem(inp)
    if problem is not None:
        return [f"Residence: {problem[1]}. Drive time is not decided from it."]
    if inp.residence_source == EE_GEOCODE and (inp.geocode_date is None or inp.address_change_date is None):
        return [
            "E&E did not date both the geocode and the residential address change, so DST cannot tell "
            "whether the geocode is current."
        ]
    return []


def _basic_ineligible(
    inp: EligibilityInput, ee: EffectiveCodes, version: str, warnings: list[str]
) -> EligibilityResult:
    why = (
        f"Not evaluated: E&E shows the Veteran is not eligible for community care "
        f"(code X{ee.since(INELIGIBLE)}); DST records this decision read-only."
    )
    criteria = tuple(
        [
            CriterionResult(code, NOT_MET, why, citation, {"not_evaluated": True, "reason": "ee-code-x"})
            for code, citation in _CITED_CODES
        ]
    )
    return EligibilityResult(
        eligible=False,
        criteria=criteria,
        standards_version=version,
        basis=(),
        bmi_offered=False,
        warnings=tuple(warnings),
        wait_time_eligibility_date=None,
        as_of=inp.as_of,
        basic_ineligible=True,
        summary="Not eligible for community care: E&E shows the Veteran is ineligible (code X).",
    )


def _labels(criteria: tuple[CriterionResult, ...], status: str) -> str:
    return ", ".join([SENTENCE_LABELS[c.code] for c in criteria if c.status == status])


def _summary(
    eligible: bool | None,
    basis: tuple[str, ...],
    criteria: tuple[CriterionResult, ...],
    *,
    basic_known: bool,
    offered: bool,
) -> str:
    if result_state(eligible, basis, criteria) == PENDING_SCHEDULING:
        tail = " Best medical interest may be considered now." if offered else ""
        return (
            "No criterion is met at ordering. Wait time is decided at scheduling, when VA's next "
            f"available appointment is recorded.{tail}"
        )
    if eligible:
        return f"Eligible for community care based on: {_labels(criteria, MET)}."
    if eligible is False:
        tail = " Best medical interest may be considered." if offered else ""
        return f"Not eligible for community care under any criterion.{tail}"
    if _labels(criteria, MET) and not basic_known:
        return (
            f"Eligibility unknown: met on {_labels(criteria, MET)}, but E&E has not confirmed basic "
            "community care eligibility."
        )
    return f"Eligibility unknown: could not evaluate {_labels(criteria, UNKNOWN)}."


def _engine_fault(inp: EligibilityInput, exc: Exception) -> EligibilityResult:
    why = f"DST could not evaluate this criterion ({type(exc).__name__}); check the inputs and report it."
    criteria = tuple(
        CriterionResult(code, UNKNOWN, why, CRITERION_CITATIONS.get(code, A4), {}) for code in CRITERION_CODES
    )
    as_of = getattr(inp, "as_of", None)
    as_of = as_of if isinstance(as_of, date) else None
    return EligibilityResult(
        eligible=None,
        criteria=criteria,
        standards_version=NO_STANDARDS_VERSION,
        basis=(),
        bmi_offered=False,
        warnings=(f"Eligibility engine fault: {type(exc).__name__}: {exc}",),
        wait_time_eligibility_date=None,
        as_of=as_of,
        summary="Eligibility unknown: DST could not evaluate the inputs.",
    )
