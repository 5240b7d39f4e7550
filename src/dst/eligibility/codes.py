"""E&E community-care (VCE) codes: what each means for a consult, and which are in effect on a date."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from dst.eligibility.models import iso_day

if TYPE_CHECKING:
    from dst.eligibility.models import VceInput

GRANDFATHERED = "G"
NO_FULL_SERVICE = "N"
HARDSHIP = "H"
INELIGIBLE = "X"
BASIC = "B"
URGENT_CARE = "U"
NOT_DETERMINED = "ND"

# What E&E means by each code. Legacy Choice Program codes (M, WT, MWT, HWT) still appear in old
# records; the Choice Program ended on June 6, 2019, so they are known but grant nothing now.
VCE_DESCRIPTIONS: dict[str, str] = {
    GRANDFATHERED: "Grandfathered",
    NO_FULL_SERVICE: "State with no full-service VA medical facility",
    HARDSHIP: "Hardship",
    INELIGIBLE: "Ineligible for community care",
    BASIC: "Basic community care eligibility",
    URGENT_CARE: "Urgent care eligibility",
    NOT_DETERMINED: "Community care eligibility not determined",
    "M": "Veterans Choice Program mileage (ended June 6, 2019)",
    "WT": "Veterans Choice Program wait time (ended June 6, 2019)",
    "MWT": "Veterans Choice Program mileage and wait time (ended June 6, 2019)",
    "HWT": "Veterans Choice Program hardship and wait time (ended June 6, 2019)",
}


class EffectiveCodes:
    """The VCE codes that count on the evaluation date, and what was set aside and why."""

    __slots__ = ("codes", "listing", "sorted_codes", "undecided", "unrecognised", "warnings")

    def __init__(
        self, codes: dict[str, date | None], unrecognised: tuple[str, ...], warnings: tuple[str, ...]
    ) -> None:
        self.codes = codes  # code -> effective date
        self.unrecognised = unrecognised
        self.warnings = warnings
        self.sorted_codes = sorted(codes)
        self.listing = ", ".join(self.sorted_codes) or "none"
        # Codes that leave E&E's G/N/H answer open: ones DST does not know, and "not determined".
        self.undecided = (*unrecognised, NOT_DETERMINED) if NOT_DETERMINED in codes else unrecognised

    def has(self, code: str) -> bool:
        return code in self.codes

    def since(self, code: str) -> str:
        effective = self.codes.get(code)
        return f" (in effect since {iso_day(effective)})" if effective else ""


def normalise(code: str) -> str:
    return code.strip().upper()


def _set_aside_reason(vce: VceInput, code: str, on: date) -> str:
    if vce.effective_date is not None and vce.effective_date > on:
        starts = vce.effective_date.isoformat()
        return f"E&E code {code} takes effect on {starts}; not counted on {on.isoformat()}."
    ended = vce.end_date.isoformat() if vce.end_date else "an earlier date"
    return f"E&E code {code} ended on {ended}; not counted on {on.isoformat()}."


def effective_codes(vces: tuple[VceInput, ...], on: date) -> EffectiveCodes:
    """Keep the codes in effect on `on`; note future, expired, undated and unrecognised ones."""
    codes: dict[str, date | None] = {}
    unrecognised: list[str] = []
    warnings: list[str] = []
    for vce in vces:
        code = (vce.code or "").strip().upper()  # normalise(), inline: this loop runs for every consult
        if not code:
            warnings.append("E&E returned an eligibility entry with no code; it was ignored.")
            continue
        starts, ends = vce.effective_date, vce.end_date
        if (starts is not None and starts > on) or (ends is not None and ends < on):
            warnings.append(_set_aside_reason(vce, code, on))
            continue
        if starts is None:
            # E&E normally dates every code; an undated one still stands, but say so.
            warnings.append(f"E&E code {code} has no effective date; it was counted as in effect.")
        if code not in VCE_DESCRIPTIONS:
            unrecognised.append(code)
            warnings.append(
                f"E&E code {code!r} is not a code DST recognises; ask the E&E team what it means."
            )
            continue
        codes[code] = _earliest(codes[code], starts) if code in codes else starts
    return EffectiveCodes(codes, tuple(dict.fromkeys(unrecognised)) if unrecognised else (), tuple(warnings))


def _earliest(a: date | None, b: date | None) -> date | None:
    if a is None or b is None:
        return a or b
    return min(a, b)
