"""Names of the counted measures, shared by the tally writer, the rebuild and the report queries."""

from __future__ import annotations

from dst.eligibility import BMI_FACTORS, CRITERION_CODES, MET, NOT_MET, UNKNOWN

DECISIONS = "decisions"  # records whose latest decision falls in the period
ELIGIBLE = "eligible"  # yes / no / unknown
VETERAN_OPTION = "veteran-option"  # opt-in / opt-out / tbd
FORWARD = "forward"  # requested / not-requested
FORWARD_TO = "forward-to"  # the consult service named as the forwarding target
BMI_FACTOR = "bmi-factor"  # best-medical-interest factor code
DAYS_TO_DECISION = "days-to-decision"  # whole days from file entry to decision, capped
CRITERION_PREFIX = "criterion:"  # criterion:<code> -> met / not-met / unknown
SAVES = "saves"  # every saved revision
SAVES_WITH_ERROR = "saves-with-partner-error"
PARTNER_ERROR = "partner-error"  # partner error code such as MVI-TIMEOUT
REQUIRES_DST = "requires-dst"  # TRUE / FALSE answers to Consult Toolbox

# Longer waits are counted together; percentiles at the cap read "366 days or more".
DAYS_CAP = 366

# Measures that can be recomputed from decision facts; requires-dst counts exist nowhere else.
FROM_FACTS_EXCLUDES = (REQUIRES_DST,)


def criterion_measure(code: str) -> str:
    return f"{CRITERION_PREFIX}{code}"


def eligible_value(eligible: bool | None) -> str:
    return "unknown" if eligible is None else ("yes" if eligible else "no")


def forward_value(forward: bool) -> str:
    return "requested" if forward else "not-requested"


# Days from file entry to decision, in bands: each day to 30 (exact percentiles), then weeks to 93,
# then wider bands. A band is counted under its last day; the last band is "366 or more".
DAY_BANDS: tuple[tuple[int, int], ...] = (
    *((d, d) for d in range(31)),
    *((low, low + 6) for low in range(31, 94, 7)),
    (94, 120),
    (121, 150),
    (151, 180),
    (181, 270),
    (271, 365),
    (366, DAYS_CAP),
)


def day_band(days: int) -> int:
    """The last day of the band that `days` falls in (negative days count as 0, long waits as the cap)."""
    days = min(max(days, 0), DAYS_CAP)
    return next(high for low, high in DAY_BANDS if low <= days <= high)


def _column(measure: str, value: str) -> str:
    name = f"{measure.removeprefix(CRITERION_PREFIX)}_{value}" if value else measure
    return name.replace("-", "_").replace(":", "_")


def _wide_pairs() -> list[tuple[str, str]]:
    pairs = [(DECISIONS, ""), (SAVES, ""), (SAVES_WITH_ERROR, "")]
    pairs += [(ELIGIBLE, v) for v in ("yes", "no", "unknown")]
    pairs += [(VETERAN_OPTION, v) for v in ("opt-in", "opt-out", "tbd")]
    pairs += [(FORWARD, v) for v in ("requested", "not-requested")]
    pairs += [(BMI_FACTOR, code) for code, _ in BMI_FACTORS]
    pairs += [(criterion_measure(c), s) for c in CRITERION_CODES for s in (MET, NOT_MET, UNKNOWN)]
    return pairs + [(DAYS_TO_DECISION, str(high)) for _, high in DAY_BANDS]


# (measure, value) -> column of report_cell, for every count with a fixed set of values. Counts with an
# open set of values (forwarding targets, partner error codes, requires-dst answers) stay in report_tally.
CELL_COLUMNS: dict[tuple[str, str], str] = {pair: _column(*pair) for pair in _wide_pairs()}
