"""Best-medical-interest factors of 38 CFR 17.4010(a)(5) and the rule for when DST offers them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BmiFactor:
    code: str
    label: str
    citation: str
    # The option DST 1.1.921+ offered for this factor, if it offered one (five of the list).
    legacy_dst_label: str | None = None


_A5 = "38 CFR 17.4010(a)(5)"

# Every factor the regulation lists for the referring clinician to consider, in its order.
BMI_FACTOR_SPECS: tuple[BmiFactor, ...] = (
    BmiFactor(
        "distance",
        "Distance between the Veteran and the facility or facilities that could provide the care",
        f"{_A5}(i)",
    ),
    BmiFactor(
        "nature-of-care",
        "Nature of the care or services required",
        f"{_A5}(ii)",
        "Nature or simplicity of service",
    ),
    BmiFactor(
        "frequency",
        "Frequency that the care or services need to be furnished",
        f"{_A5}(iii)",
        "Frequency of service",
    ),
    BmiFactor("timeliness", "Timeliness of available appointments for the care or services", f"{_A5}(iv)"),
    BmiFactor(
        "continuity",
        "Potential for improved continuity of care",
        f"{_A5}(v)",
        "Potential for improved continuity of care",
    ),
    BmiFactor("quality", "Quality of the care provided", f"{_A5}(vi)"),
    BmiFactor(
        "travel-burden",
        "Unusual or excessive burden to access VA facilities (geography, environment, or a medical "
        "condition that affects the ability to travel)",
        f"{_A5}(vii)",
        "Difficulty in traveling",
    ),
    BmiFactor(
        "attendant",
        "Need for an attendant to support the Veteran during travel and care",
        f"{_A5}(vii)",
        "Need for an attendant",
    ),
)

BMI_FACTORS: tuple[tuple[str, str], ...] = tuple((f.code, f.label) for f in BMI_FACTOR_SPECS)
BMI_FACTOR_BY_CODE: dict[str, BmiFactor] = {f.code: f for f in BMI_FACTOR_SPECS}

# DST wrote the explanation into the consult comment with a 200-character limit; the rule has no
# limit, so the engine only warns when a longer text would be cut by the consult renderer.
BMI_EXPLANATION_CONSULT_LIMIT = 200


def bmi_offered(*, otherwise_eligible: bool, consult_signed: bool, basic_ineligible: bool) -> bool:
    """DST offers the BMI choice only on an unsigned consult for a Veteran not otherwise eligible."""
    return not (otherwise_eligible or consult_signed or basic_ineligible)
