"""The criteria that rest on E&E codes, VA designations and the clinician's best-medical-interest choice."""

from __future__ import annotations

from dst.eligibility.access import FacilityScan, identify_first, service_name
from dst.eligibility.bmi import BMI_EXPLANATION_CONSULT_LIMIT, BMI_FACTOR_BY_CODE
from dst.eligibility.codes import HARDSHIP, VCE_DESCRIPTIONS, EffectiveCodes
from dst.eligibility.models import MET, NOT_MET, UNKNOWN, CriterionResult, EligibilityInput

CRITERION_LABELS: dict[str, str] = {
    "no-full-service-va": "No full-service VA medical facility in the state",
    "grandfathered": "Grandfathered",
    "hardship": "Hardship",
    "service-not-available": "Service not available at VA",
    "drive-time": "Drive time",
    "wait-time": "Wait time",
    "best-medical-interest": "Best medical interest",
    "quality-standards": "VA quality standards not met",
}


def _mid_sentence(label: str) -> str:
    return label if label[:2].isupper() else label[0].lower() + label[1:]


# Bases that are VA policy, not criteria of 17.4010: reported beside the criteria, never among them.
POLICY_LABELS: dict[str, str] = {
    "stat-wait-policy": "Stat consult wait policy (DST policy, 1 day; not a 38 CFR 17.4040 standard)",
}

# Labels for use mid-sentence: "drive time", but "VA quality standards not met" keeps its case.
SENTENCE_LABELS = {
    code: _mid_sentence(label) for code, label in (*CRITERION_LABELS.items(), *POLICY_LABELS.items())
}


def label_in_sentence(code: str) -> str:
    return SENTENCE_LABELS[code]


CRITERION_CITATIONS: dict[str, str] = {
    "no-full-service-va": "38 CFR 17.4010(a)(2)",
    "grandfathered": "38 CFR 17.4010(a)(3)",
    # Hardship is an E&E determination carried over from the Choice Program, not one of the six
    # routes in 17.4010(a); DST has always treated it as eligible, so it keeps its own row.
    "hardship": "E&E code H (hardship determination); not a separate paragraph of 38 CFR 17.4010",
    "service-not-available": "38 CFR 17.4010(a)(1)",
    "drive-time": "38 CFR 17.4010(a)(4)",
    "wait-time": "38 CFR 17.4010(a)(4)",
    "best-medical-interest": "38 CFR 17.4010(a)(5)",
    "quality-standards": "38 CFR 17.4010(a)(6)",
}


# Places without a full-service VA medical facility in most of their area. E&E still decides code N
# per Veteran (a New Hampshire Veteran may be served by White River Junction VAMC across the state
# line), so living here is a reason to check E&E's answer, never a "met" of its own.
OFTEN_NO_FULL_SERVICE = frozenset({"AK", "HI", "GU", "AS", "MP", "VI"})


EE_CRITERIA = (("no-full-service-va", "N"), ("grandfathered", "G"), ("hardship", HARDSHIP))


def ee_criteria(ee: EffectiveCodes | None, inp: EligibilityInput) -> list[CriterionResult]:
    """The three criteria E&E decides and reports as VCE codes N, G and H."""
    if ee is None:
        return _ee_unreachable(inp)
    codes = ee.codes
    state = inp.residence_state
    # The sentences depend only on which recognised codes are in effect (the listing names them),
    # the dates of N, G and H, the codes left undecided and the residence state: most Veterans share
    # them, so they are worded once and reused; each result still gets its own details.
    key = (ee.listing, ee.undecided, codes.get("N"), codes.get("G"), codes.get(HARDSHIP), state)
    worded = _WORDED.get(key) if state is None or type(state) is str else None
    if worded is None:
        worded = tuple(
            (code_name, vce, (found := ee_criterion(code_name, vce, ee, inp)).status, found.evidence)
            for code_name, vce in EE_CRITERIA
        )
        if state is None or type(state) is str:
            if len(_WORDED) >= _WORDED_LIMIT:
                _WORDED.clear()
            _WORDED[key] = worded
    in_effect = ee.sorted_codes
    return [
        CriterionResult(
            code_name,
            status,
            text,
            CRITERION_CITATIONS[code_name],
            {"ee_available": True, "ee_codes": list(in_effect), "code": vce},
        )
        for code_name, vce, status, text in worded
    ]


_WORDED: dict[tuple[object, ...], tuple[tuple[str, str, str, str], ...]] = {}
_WORDED_LIMIT = 4096


_UNREACHABLE: dict[str | None, tuple[tuple[str, str, str], ...]] = {}


def _ee_unreachable(inp: EligibilityInput) -> list[CriterionResult]:
    # Worded once per E&E error code: without an MVI identity failure the sentences depend on nothing
    # else (with one they name it and what to do, so they are worded each time).
    error = inp.ee_error
    cacheable = not inp.identity_error and (error is None or type(error) is str)
    worded = _UNREACHABLE.get(error) if cacheable else None
    if worded is None:
        worded = tuple(
            (found.code, found.status, found.evidence)
            for found in (ee_criterion(code_name, vce, None, inp) for code_name, vce in EE_CRITERIA)
        )
        if cacheable:
            if len(_UNREACHABLE) >= 64:
                _UNREACHABLE.clear()
            _UNREACHABLE[error] = worded
    return [
        CriterionResult(code_name, status, text, CRITERION_CITATIONS[code_name], {"ee_available": False})
        for code_name, status, text in worded
    ]


def ee_criterion(
    code_name: str, vce: str, ee: EffectiveCodes | None, inp: EligibilityInput
) -> CriterionResult:
    """A criterion E&E decides and reports as a VCE code (G, N or H)."""
    citation = CRITERION_CITATIONS[code_name]
    meaning = VCE_DESCRIPTIONS[vce]
    if ee is None and inp.identity_error:
        text = (
            f"E&E's codes were not used because MVI did not identify the Veteran ({inp.identity_error}), "
            f"so DST cannot tell whether the Veteran has code {vce} ({meaning}). {identify_first(inp)}"
        )
        return CriterionResult(code_name, UNKNOWN, text, citation, {"ee_available": False})
    if ee is None:
        why = f" ({inp.ee_error})" if inp.ee_error else ""
        text = (
            f"E&E could not be reached{why}, so DST cannot tell whether the Veteran has code {vce} "
            f"({meaning}). Retry; if it keeps failing, ask the Enrollment System team to confirm the "
            "Veteran's community care codes."
        )
        return CriterionResult(code_name, UNKNOWN, text, citation, {"ee_available": False})
    details = {"ee_available": True, "ee_codes": list(ee.sorted_codes), "code": vce}
    if ee.has(vce):
        return CriterionResult(code_name, MET, _met_text(vce, ee, inp), citation, details)
    undecided = ee.undecided
    if undecided:
        text = (
            f"E&E returned {', '.join(undecided)}, so DST cannot tell whether code {vce} ({meaning}) "
            "applies. Ask the Enrollment System team to determine the Veteran's community care eligibility."
        )
        return CriterionResult(code_name, UNKNOWN, text, citation, details)
    text = f"E&E shows no code {vce} ({meaning}); codes in effect: {ee.listing}."
    state = (inp.residence_state or "").strip().upper() if vce == "N" else ""
    if state in OFTEN_NO_FULL_SERVICE:
        text += (
            f" The Veteran lives in {state}, where most Veterans have code N: ask the Enrollment System "
            "team to confirm; DST does not assume it."
        )
    return CriterionResult(code_name, NOT_MET, text, citation, details)


def _met_text(vce: str, ee: EffectiveCodes, inp: EligibilityInput) -> str:
    if vce == HARDSHIP:
        return f"E&E shows code H (hardship){ee.since(vce)}."
    if vce == "N":
        where = f" ({inp.residence_state})" if inp.residence_state else ""
        return (
            f"E&E shows code N{ee.since(vce)}: VA has no full-service medical facility in the Veteran's "
            f"state or territory{where}."
        )
    return f"E&E shows code G{ee.since(vce)}: the Veteran is grandfathered from the Veterans Choice Program."


_DESIGNATION_WORDS = {None: "none", True: "offered", False: "not-offered"}


def service_not_available(inp: EligibilityInput, scan: FacilityScan | None) -> CriterionResult:
    """Met only when VA has designated the service as one it does not offer."""
    citation, service = CRITERION_CITATIONS["service-not-available"], service_name(inp)
    designated = inp.service_offered_by_va
    details = {"designation": _DESIGNATION_WORDS[designated]}
    if designated is False:
        source = f" ({inp.service_designation})" if inp.service_designation else ""
        return CriterionResult(
            "service-not-available",
            MET,
            f"VA has designated {service} as care VA does not offer{source}.",
            citation,
            {**details, "source": inp.service_designation},
        )
    if designated is True:
        return CriterionResult(
            "service-not-available", NOT_MET, f"VA offers {service} (VA designation).", citation, details
        )
    if scan is not None and scan.offering_count:
        n = scan.offering_count
        found = "1 VA facility" if n == 1 else f"{n} VA facilities"
        text = f"VA offers {service} ({found} found near the Veteran)."
    elif scan is not None:
        text = (
            f"No VA facility offering {service} was found near the Veteran, but VA has not designated it "
            "as care VA does not offer; a VA administrator records that designation if it applies."
        )
    else:
        text = f"VA has not designated {service} as care VA does not offer."
    return CriterionResult("service-not-available", NOT_MET, text, citation, details)


def quality_standards(inp: EligibilityInput) -> CriterionResult:
    """Met only when VA has designated the service line as not meeting VA quality standards."""
    citation, service = CRITERION_CITATIONS["quality-standards"], service_name(inp)
    if inp.quality_standards_not_met:
        source = f" ({inp.quality_designation})" if inp.quality_designation else ""
        text = (
            f"VA has designated the VA medical service line for {service} as not meeting quality "
            f"standards{source}."
        )
        details = {"designated": True, "source": inp.quality_designation}
        return CriterionResult("quality-standards", MET, text, citation, details)
    text = f"VA has not designated the VA medical service line for {service} as failing VA quality standards."
    return CriterionResult("quality-standards", NOT_MET, text, citation, {"designated": False})


def best_medical_interest(inp: EligibilityInput, *, offered: bool, other_basis: list[str]) -> CriterionResult:
    """Met when the clinician records a factor of 17.4010(a)(5) and explains it."""
    citation = CRITERION_CITATIONS["best-medical-interest"]
    factor_code = (inp.bmi_factor or "").strip()
    explanation = (inp.bmi_explanation or "").strip()
    details = {"factor": factor_code or None, "explanation": explanation or None, "offered": offered}
    if not factor_code:
        return CriterionResult(
            "best-medical-interest", NOT_MET, _no_factor_text(inp, offered=offered), citation, details
        )
    factor = BMI_FACTOR_BY_CODE.get(factor_code)
    if factor is None:
        text = (
            f"Best medical interest factor {factor_code!r} is not one the regulation lists; choose one of "
            "the listed factors."
        )
        return CriterionResult("best-medical-interest", UNKNOWN, text, citation, details)
    if not explanation:
        text = (
            f"Best medical interest factor chosen ({factor.label}) but the required explanation is empty; "
            "add the explanation."
        )
        return CriterionResult("best-medical-interest", UNKNOWN, text, factor.citation, details)
    text = (
        f"Veteran and referring clinician agree community care is in the Veteran's best medical interest: "
        f"{factor.label}. Explanation: {explanation}"
    )
    if other_basis:
        already = ", ".join(label_in_sentence(c) for c in other_basis)
        text += f" (Not needed: already eligible on {already}.)"
    return CriterionResult("best-medical-interest", MET, text, factor.citation, details)


def _no_factor_text(inp: EligibilityInput, *, offered: bool) -> str:
    if offered:
        return (
            "No best medical interest factor chosen. If the Veteran and the referring clinician agree "
            "community care is in the Veteran's best medical interest, choose a factor and explain it."
        )
    if inp.consult_signed:
        return "No best medical interest factor was recorded before the consult was signed."
    return "No best medical interest factor chosen; not offered because the Veteran is otherwise eligible."


def explanation_warnings(inp: EligibilityInput) -> list[str]:
    text = (inp.bmi_explanation or "").strip()
    if len(text) > BMI_EXPLANATION_CONSULT_LIMIT:
        return [
            f"The best medical interest explanation is {len(text)} characters; the consult comment keeps "
            f"{BMI_EXPLANATION_CONSULT_LIMIT}."
        ]
    return []
