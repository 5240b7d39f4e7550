"""Table of cases: each checks one paragraph of 38 CFR 17.4010 / 17.4040 and says which."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from dst.eligibility import CRITERION_CODES, evaluate
from dst.reference.catalog import CareCategory

from elig_factory import FAR_AWAY, FILE_ENTRY, TODAY, facility, make, statuses, vce

# (paragraph checked, input overrides, criterion code, expected status, expected overall)
CASES: list[tuple[str, dict[str, Any], str, str, bool | None]] = [
    ("baseline: every criterion evaluated and not met", {}, "drive-time", "not-met", False),
    (
        "17.4010(a)(1) VA designates service as not offered",
        {"service_offered_by_va": False},
        "service-not-available",
        "met",
        True,
    ),
    (
        "17.4010(a)(1) VA designates service as offered",
        {"service_offered_by_va": True},
        "service-not-available",
        "not-met",
        False,
    ),
    ("17.4010(a)(2) E&E code N", {"vce_codes": (vce("B"), vce("N"))}, "no-full-service-va", "met", True),
    (
        "17.4010(a)(2) territory: Guam with code N",
        {"vce_codes": (vce("N"),), "residence_state": "GU"},
        "no-full-service-va",
        "met",
        True,
    ),
    ("17.4010(a)(3) E&E code G", {"vce_codes": (vce("G"),)}, "grandfathered", "met", True),
    ("E&E hardship code H", {"vce_codes": (vce("H"),)}, "hardship", "met", True),
    (
        "E&E code U is urgent care, not a consult basis",
        {"vce_codes": (vce("U"),)},
        "hardship",
        "not-met",
        False,
    ),
    (
        "17.4040(a)(2)(i) specialty: no facility within 60 min",
        {"facilities": (FAR_AWAY,)},
        "drive-time",
        "met",
        True,
    ),
    ("17.4040(a)(2)(i) specialty: facility at 42 min", {}, "drive-time", "not-met", False),
    (
        "17.4040(a)(1)(i) primary care: 42 min is beyond 30",
        {"care_category": CareCategory.PRIMARY_CARE},
        "drive-time",
        "met",
        True,
    ),
    (
        "17.4040(a)(1)(i) mental health takes 30 min, not 60",
        {"care_category": CareCategory.MENTAL_HEALTH},
        "drive-time",
        "met",
        True,
    ),
    (
        "17.4040(a)(1)(i) non-institutional extended care takes 30 min",
        {"care_category": CareCategory.EXTENDED_CARE},
        "drive-time",
        "met",
        True,
    ),
    (
        "17.4040(a)(2)(i) facility not offering the service does not count",
        {"facilities": (facility(10, offers_service=False), FAR_AWAY)},
        "drive-time",
        "met",
        True,
    ),
    (
        "17.4040(a)(2)(i) no VA facility offers the service nearby",
        {"facilities": ()},
        "drive-time",
        "met",
        True,
    ),
    (
        "17.4040(a)(2)(ii) specialty: next available after day 28",
        {"next_available_date": FILE_ENTRY + timedelta(days=29)},
        "wait-time",
        "met",
        True,
    ),
    (
        "17.4040(a)(1)(ii) primary care: day 21 is beyond 20",
        {
            "care_category": CareCategory.PRIMARY_CARE,
            "facilities": (facility(12),),
            "next_available_date": FILE_ENTRY + timedelta(days=21),
        },
        "wait-time",
        "met",
        True,
    ),
    (
        "17.4040(a)(1)(ii) mental health: 20 days, not 28",
        {
            "care_category": CareCategory.MENTAL_HEALTH,
            "facilities": (facility(12),),
            "next_available_date": FILE_ENTRY + timedelta(days=25),
        },
        "wait-time",
        "met",
        True,
    ),
    (
        "17.4040(a)(2)(ii) no next available yet: decided at scheduling",
        {"next_available_date": None},
        "wait-time",
        "unknown",
        None,
    ),
    (
        "17.4040(a)(2)(ii) Veteran agreed to a later date VA can meet",
        {
            "veteran_agreed_later_date": FILE_ENTRY + timedelta(days=60),
            "next_available_date": FILE_ENTRY + timedelta(days=45),
        },
        "wait-time",
        "not-met",
        False,
    ),
    (
        "17.4040(a)(2)(ii) Veteran agreed to a later date VA cannot meet",
        {
            "veteran_agreed_later_date": FILE_ENTRY + timedelta(days=60),
            "next_available_date": FILE_ENTRY + timedelta(days=61),
        },
        "wait-time",
        "met",
        True,
    ),
    (
        "17.4040(a)(2)(ii) CID later, Veteran's agreement not recorded: unknown",
        {
            "clinically_indicated_date": FILE_ENTRY + timedelta(days=90),
            "next_available_date": FILE_ENTRY + timedelta(days=85),
        },
        "wait-time",
        "unknown",
        None,
    ),
    (
        "17.4040(a)(2)(ii) CID later and the Veteran agreed to it",
        {
            "clinically_indicated_date": FILE_ENTRY + timedelta(days=90),
            "veteran_agreed_later_date": FILE_ENTRY + timedelta(days=90),
            "next_available_date": FILE_ENTRY + timedelta(days=85),
        },
        "wait-time",
        "not-met",
        False,
    ),
    (
        "17.4040(a)(2)(ii) CID later but VA cannot meet even the CID",
        {
            "clinically_indicated_date": FILE_ENTRY + timedelta(days=90),
            "next_available_date": FILE_ENTRY + timedelta(days=91),
        },
        "wait-time",
        "met",
        True,
    ),
    (
        "17.4040(a)(2)(ii) CID later but VA meets the 28-day date anyway",
        {
            "clinically_indicated_date": FILE_ENTRY + timedelta(days=90),
            "next_available_date": FILE_ENTRY + timedelta(days=28),
        },
        "wait-time",
        "not-met",
        False,
    ),
    (
        "17.4010(a)(5) BMI factor and explanation",
        {"bmi_factor": "attendant", "bmi_explanation": "Needs spouse to drive and assist."},
        "best-medical-interest",
        "met",
        True,
    ),
    (
        "17.4010(a)(5) BMI factor without explanation",
        {"bmi_factor": "distance", "bmi_explanation": "  "},
        "best-medical-interest",
        "unknown",
        None,
    ),
    (
        "17.4010(a)(6) service line designated below quality standards",
        {"quality_standards_not_met": True},
        "quality-standards",
        "met",
        True,
    ),
]


@pytest.mark.parametrize(
    ("paragraph", "overrides", "code", "status", "overall"), CASES, ids=[c[0] for c in CASES]
)
def test_rule_table(
    paragraph: str, overrides: dict[str, Any], code: str, status: str, overall: bool | None
) -> None:
    result = evaluate(make(**overrides))
    assert statuses(result)[code] == status, result.criterion(code).evidence
    assert result.eligible is overall, result.summary


def test_every_result_lists_all_eight_criteria_in_contract_order() -> None:
    result = evaluate(make())
    assert tuple(c.code for c in result.criteria) == CRITERION_CODES


def test_citations_name_the_paragraph_each_criterion_rests_on() -> None:
    cites = {c.code: c.citation for c in evaluate(make()).criteria}
    assert cites["service-not-available"] == "38 CFR 17.4010(a)(1)"
    assert cites["no-full-service-va"] == "38 CFR 17.4010(a)(2)"
    assert cites["grandfathered"] == "38 CFR 17.4010(a)(3)"
    assert cites["drive-time"] == "38 CFR 17.4010(a)(4); 38 CFR 17.4040(a)(2)(i)"
    assert cites["wait-time"] == "38 CFR 17.4010(a)(4); 38 CFR 17.4040(a)(2)(ii)"
    assert cites["best-medical-interest"] == "38 CFR 17.4010(a)(5)"
    assert cites["quality-standards"] == "38 CFR 17.4010(a)(6)"


def test_ee_code_x_makes_the_veteran_ineligible_whatever_else_is_met() -> None:
    # X is E&E's basic-eligibility answer; DST shows it read-only and evaluates nothing else.
    result = evaluate(
        make(
            vce_codes=(vce("G"), vce("X")),
            facilities=(FAR_AWAY,),
            bmi_factor="distance",
            bmi_explanation="Far.",
        )
    )
    assert result.eligible is False
    assert result.basic_ineligible
    assert result.basis == ()
    assert not result.bmi_offered
    assert all(c.status == "not-met" and "code X" in c.evidence for c in result.criteria)


def test_drive_time_evidence_names_facility_minutes_source_and_standard() -> None:
    result = evaluate(make(facilities=(facility(74, "vha_523", name="Boston VA Medical Center"),)))
    evidence = result.criterion("drive-time").evidence
    assert evidence == (
        "No VA facility offering CARDIOLOGY is within 60 min, the specialty care standard "
        "(38 CFR 17.4040(a)(2)(i)); nearest: Boston VA Medical Center, 74 min drive (routing)."
    )
    assert result.criterion("drive-time").details["standard_minutes"] == 60


def test_out_of_standard_facilities_are_listed_but_do_not_count() -> None:
    details = evaluate(make(facilities=(FAR_AWAY, facility(20, "vha_near")))).criterion("drive-time").details
    assert [f["facility_id"] for f in details["within_standard"]] == ["vha_near"]
    assert [f["facility_id"] for f in details["out_of_standard"]] == ["vha_405"]


def test_wait_time_starts_on_the_file_entry_date_not_the_clinically_indicated_date() -> None:
    # VA OIG: schedulers must count from the file entry date; a CID before it must not move the clock.
    result = evaluate(
        make(
            clinically_indicated_date=FILE_ENTRY - timedelta(days=10),
            next_available_date=FILE_ENTRY + timedelta(days=20),
        )
    )
    assert result.wait_time_eligibility_date == FILE_ENTRY + timedelta(days=28)
    assert result.criterion("wait-time").status == "not-met"


def test_unknown_wait_time_tells_the_scheduler_what_to_do() -> None:
    result = evaluate(make(next_available_date=None))
    assert "decided at scheduling" in result.criterion("wait-time").evidence
    assert result.wait_time_eligibility_date == FILE_ENTRY + timedelta(days=28)
    assert result.bmi_offered


def test_bmi_is_offered_only_to_a_veteran_not_otherwise_eligible_on_an_unsigned_consult() -> None:
    assert evaluate(make()).bmi_offered
    assert not evaluate(make(consult_signed=True)).bmi_offered
    assert not evaluate(make(facilities=(FAR_AWAY,))).bmi_offered


def test_bmi_given_while_otherwise_eligible_is_recorded_but_not_needed() -> None:
    result = evaluate(make(facilities=(FAR_AWAY,), bmi_factor="continuity", bmi_explanation="Same surgeon."))
    bmi = result.criterion("best-medical-interest")
    assert bmi.status == "met"
    assert "Not needed: already eligible on drive time" in bmi.evidence
    assert bmi.details["explanation"] == "Same surgeon."
    assert result.basis == ("drive-time", "best-medical-interest")


def test_bmi_on_a_signed_consult_stays_recorded() -> None:
    result = evaluate(make(consult_signed=True, bmi_factor="frequency", bmi_explanation="Weekly infusions."))
    assert result.criterion("best-medical-interest").status == "met"
    assert result.eligible is True
    assert not result.bmi_offered


def test_bmi_factor_citation_points_at_its_sub_paragraph() -> None:
    result = evaluate(make(bmi_factor="timeliness", bmi_explanation="Needs surgery within 2 weeks."))
    assert result.criterion("best-medical-interest").citation == "38 CFR 17.4010(a)(5)(iv)"


def test_a_stat_consult_is_eligible_on_the_one_day_policy_under_its_own_basis_code() -> None:
    # Specialty, stat, VA's next appointment 2 days after file entry: within the regulation's 28 days,
    # beyond DST's 1-day stat policy.
    result = evaluate(make(urgency="stat", next_available_date=FILE_ENTRY + timedelta(days=2)))
    wait = result.criterion("wait-time")
    assert wait.status == "not-met"
    assert wait.citation == "38 CFR 17.4010(a)(4); 38 CFR 17.4040(a)(2)(ii)"
    assert result.wait_time_eligibility_date == FILE_ENTRY + timedelta(days=28)
    (policy,) = result.policy
    assert (policy.code, policy.status) == ("stat-wait-policy", "met")
    assert "17.4010" not in policy.citation and policy.citation.startswith("DST policy for stat consults")
    assert result.basis == ("stat-wait-policy",)
    assert result.eligible is True
    assert "stat consult wait policy" in result.summary.lower()
    assert "stat-wait-policy" not in {c.code for c in result.criteria}
    assert any("DST policy" in w for w in result.warnings)


def test_a_stat_consult_seen_the_next_day_meets_neither_limit() -> None:
    result = evaluate(make(urgency="stat", next_available_date=FILE_ENTRY + timedelta(days=1)))
    assert result.policy[0].status == "not-met"
    assert result.eligible is False


def test_a_routine_consult_has_no_policy_basis() -> None:
    assert evaluate(make()).policy == ()


def test_met_overall_is_unknown_while_ee_cannot_rule_out_code_x() -> None:
    result = evaluate(make(vce_codes=None, ee_error="EE-TIMEOUT", facilities=(FAR_AWAY,)))
    assert result.criterion("drive-time").status == "met"
    assert result.eligible is None
    assert "EE-TIMEOUT" in result.criterion("grandfathered").evidence
    assert "basic community care eligibility" in result.summary


def test_summary_names_the_basis() -> None:
    result = evaluate(make(facilities=(FAR_AWAY,), next_available_date=TODAY + timedelta(days=40)))
    assert result.summary == "Eligible for community care based on: drive time, wait time."
