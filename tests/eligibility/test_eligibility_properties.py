"""Properties that must hold for any input (hypothesis)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dst.eligibility import (
    CRITERION_CODES,
    EligibilityInput,
    EligibilityResult,
    FacilityOption,
    VceInput,
    evaluate,
)
from dst.reference.catalog import CareCategory

from elig_factory import TODAY

_dates = st.dates(min_value=TODAY - timedelta(days=120), max_value=TODAY + timedelta(days=120))
_minutes = st.one_of(
    st.none(), st.floats(min_value=-10, max_value=200), st.just(float("nan")), st.integers(-5, 200)
)
_facility = st.builds(
    FacilityOption,
    facility_id=st.sampled_from(["vha_1", "vha_2", "vha_3", "vha_4"]),
    name=st.sampled_from(["A", "B", "C"]),
    drive_minutes=_minutes,
    drive_source=st.sampled_from(["routing", "estimate"]),
    offers_service=st.booleans(),
)
_vce = st.builds(
    VceInput,
    code=st.sampled_from(["G", "N", "H", "B", "U", "ND", "QQ", "M", ""]),
    effective_date=st.one_of(st.none(), _dates),
    end_date=st.one_of(st.none(), _dates),
)
inputs = st.builds(
    EligibilityInput,
    as_of=st.just(TODAY),
    vce_codes=st.one_of(st.none(), st.lists(_vce, max_size=3).map(tuple)),
    residence_state=st.sampled_from([None, "MA", "GU", "ZZ"]),
    care_category=st.one_of(st.none(), st.sampled_from(list(CareCategory))),
    urgency=st.sampled_from(["routine", "stat"]),
    facilities=st.one_of(st.none(), st.lists(_facility, max_size=5).map(tuple)),
    file_entry_date=st.one_of(st.none(), _dates),
    clinically_indicated_date=st.one_of(st.none(), _dates),
    veteran_agreed_later_date=st.one_of(st.none(), _dates),
    next_available_date=st.one_of(st.none(), _dates),
    bmi_factor=st.sampled_from([None, "distance", "attendant", "bogus"]),
    bmi_explanation=st.sampled_from([None, "", "Needs an attendant."]),
    service_offered_by_va=st.sampled_from([None, True, False]),
    quality_standards_not_met=st.booleans(),
    consult_signed=st.booleans(),
)

# Ways to add a met criterion to any input: each sets one criterion's deciding input.
_MAKE_MET = {
    "service-not-available": {"service_offered_by_va": False},
    "quality-standards": {"quality_standards_not_met": True},
    "best-medical-interest": {"bmi_factor": "distance", "bmi_explanation": "Two-hour drive."},
    "drive-time": {"facilities": ()},
}


@settings(max_examples=300, deadline=None)
@given(inputs, st.sampled_from(sorted(_MAKE_MET)))
def test_an_added_met_criterion_never_turns_eligible_into_ineligible(
    inp: EligibilityInput, code: str
) -> None:
    before = evaluate(inp)
    after = evaluate(replace(inp, **_MAKE_MET[code]))
    if before.eligible is True:
        assert after.eligible is True
    if after.criterion(code).status == "met":
        assert after.eligible is not False


@settings(max_examples=300, deadline=None)
@given(inputs, st.randoms(use_true_random=False))
def test_the_order_of_facilities_never_changes_the_answer(inp: EligibilityInput, rnd: object) -> None:
    if not inp.facilities:
        return
    shuffled = list(inp.facilities)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert evaluate(replace(inp, facilities=tuple(shuffled))).to_dict() == evaluate(inp).to_dict()


@settings(max_examples=300, deadline=None)
@given(inputs)
def test_not_eligible_only_when_every_criterion_was_evaluated(inp: EligibilityInput) -> None:
    result = evaluate(inp)
    if result.eligible is False and not result.basic_ineligible:
        assert all(c.status == "not-met" for c in result.criteria)
    if any(c.status == "unknown" for c in result.criteria):
        assert result.eligible is not False


@settings(max_examples=200, deadline=None)
@given(
    inputs,
    st.sampled_from(["vce_codes", "facilities", "care_category", "file_entry_date", "next_available_date"]),
)
def test_removing_an_input_never_yields_not_eligible_when_it_could_have_decided(
    inp: EligibilityInput, field: str
) -> None:
    # Knowing less can only move the answer towards "unknown", never to a "no" the full data did not give.
    known = evaluate(inp)
    unknown = evaluate(replace(inp, **{field: None}))
    if unknown.eligible is False:
        assert known.eligible is False


@settings(max_examples=200, deadline=None)
@given(inputs)
def test_any_input_gives_a_json_round_trippable_result_without_engine_faults(inp: EligibilityInput) -> None:
    result = evaluate(inp)
    assert not any(w.startswith("Eligibility engine fault") for w in result.warnings)
    assert len(result.criteria) == 8
    json.dumps(result.to_dict(), allow_nan=False)
    met = (*result.criteria, *result.policy)
    assert result.basis == tuple(c.code for c in met if c.status == "met")
    assert all(p.code not in CRITERION_CODES and "17.4010" not in p.citation for p in result.policy)
    assert EligibilityResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


@given(st.dates(min_value=date(2019, 6, 6), max_value=date(2040, 1, 1)))
def test_the_standards_version_is_always_recorded(on: date) -> None:
    assert evaluate(EligibilityInput(as_of=on)).standards_version != "none"


_ACTIONS = (
    "retry",
    "ask",
    "choose",
    "correct",
    "add",
    "re-enter",
    "check",
    "record",
    "reopen",
    "needs a row",
)


@settings(max_examples=300, deadline=None)
@given(inputs)
def test_every_unknown_says_how_to_resolve_it(inp: EligibilityInput) -> None:
    for criterion in evaluate(inp).criteria:
        if criterion.status == "unknown":
            assert any(action in criterion.evidence.lower() for action in _ACTIONS), criterion.evidence
