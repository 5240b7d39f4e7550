"""Names of the counted measures, shared by the tally writer, the rebuild and the report queries."""

from __future__ import annotations

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
