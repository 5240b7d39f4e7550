"""MISSION Act community-care eligibility engine (38 CFR 17.4010, 17.4040): pure, no I/O."""

from dst.eligibility.bmi import BMI_FACTOR_SPECS, BMI_FACTORS, BmiFactor
from dst.eligibility.codes import VCE_DESCRIPTIONS
from dst.eligibility.criteria import CRITERION_CITATIONS, CRITERION_LABELS
from dst.eligibility.models import (
    CRITERION_CODES,
    MET,
    NOT_MET,
    PENDING_SCHEDULING,
    STATES,
    UNKNOWN,
    VERDICTS,
    CriterionResult,
    EligibilityInput,
    EligibilityResult,
    FacilityOption,
    VceInput,
)
from dst.eligibility.service import evaluate
from dst.eligibility.standards import (
    ACCESS_STANDARDS,
    STANDARDS_VERSION_ON,
    AccessStandard,
    standard_for,
    standards_version_on,
)

__all__ = [
    "ACCESS_STANDARDS",
    "BMI_FACTORS",
    "BMI_FACTOR_SPECS",
    "CRITERION_CITATIONS",
    "CRITERION_CODES",
    "CRITERION_LABELS",
    "MET",
    "NOT_MET",
    "PENDING_SCHEDULING",
    "STANDARDS_VERSION_ON",
    "STATES",
    "UNKNOWN",
    "VCE_DESCRIPTIONS",
    "VERDICTS",
    "AccessStandard",
    "BmiFactor",
    "CriterionResult",
    "EligibilityInput",
    "EligibilityResult",
    "FacilityOption",
    "VceInput",
    "evaluate",
    "standard_for",
    "standards_version_on",
]
