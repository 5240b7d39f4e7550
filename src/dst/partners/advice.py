"""Partner problems in plain words for the people at the consult: what happened and what to do.

The code (`EE-FAULT`) stays beside the words for support staff; the partner's own message stays in
the logs and the evidence. The consult factor text keeps its own wording (docs/consult-factors.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from dst.partners.errors import FailureKind, Partner

SERVICE_DESK = "the Enterprise Service Desk (855-673-4357)"

NAMES = {
    Partner.MVI: "The Master Veteran Index (MVI)",
    Partner.EE: "Enrollment and Eligibility (E&E)",
    Partner.PPMS: "The community provider directory (PPMS)",
    Partner.ROUTING: "The drive-time service",
    Partner.FACILITIES: "The VA facility directory",
    Partner.SEOC: "The SEOC catalog",
    Partner.CDW: "The Corporate Data Warehouse (CDW)",
}
SHORT_NAMES = {
    Partner.MVI: "MVI",
    Partner.EE: "E&E",
    Partner.PPMS: "PPMS",
    Partner.ROUTING: "the drive-time service",
    Partner.FACILITIES: "the VA facility directory",
    Partner.SEOC: "the SEOC catalog",
    Partner.CDW: "CDW",
}
# What the page lacks while the partner is missing.
IMPACT = {
    Partner.MVI: "DST cannot confirm who the Veteran is.",
    Partner.EE: (
        "DST cannot see the Veteran's address or E&E codes, so drive times and eligibility stay unknown."
    ),
    Partner.PPMS: "The community provider list is missing; eligibility does not depend on it.",
    Partner.ROUTING: "Drive times are missing, so the drive-time criterion stays unknown.",
}
HAPPENED = {
    FailureKind.TIMEOUT: "did not answer in time.",
    FailureKind.UNAVAILABLE: "is not available at the moment.",
    FailureKind.REJECTED: "refused DST's request.",
    FailureKind.MALFORMED: "sent an answer DST could not read.",
    FailureKind.FAULT: "reported an error instead of answering.",
    FailureKind.NOT_FOUND: "has no record of this Veteran.",
    FailureKind.MULTIPLE_MATCHES: "found more than one person who could be this Veteran.",
    FailureKind.NO_ADDRESS: "has no residential address for this Veteran.",
    FailureKind.NO_GEOCODE: "has an address for the Veteran that could not be placed on the map.",
    FailureKind.CIRCUIT_OPEN: "failed several times in the last minutes, so DST is resting it a while.",
    FailureKind.MAINTENANCE: "is down for scheduled maintenance.",
    FailureKind.SKIPPED: "was not asked, because an earlier step failed.",
}
# A failure of the connection or of the partner itself may pass; an answer about the Veteran will not.
PASSING = {
    FailureKind.TIMEOUT,
    FailureKind.UNAVAILABLE,
    FailureKind.MALFORMED,
    FailureKind.FAULT,
    FailureKind.CIRCUIT_OPEN,
    FailureKind.MAINTENANCE,
}
# The partners a record's page asks on every view: the ones a Retry can ask again.
RETRYABLE_PARTNERS = (Partner.MVI, Partner.EE, Partner.ROUTING, Partner.PPMS)


@dataclass(frozen=True)
class Advice:
    code: str
    partner: str
    name: str
    happened: str
    impact: str
    todo: str
    retry: bool
    when: str = "now or in a minute"  # when asking again may help


def _todo(partner: Partner, kind: FailureKind) -> str:
    if kind in PASSING:
        return f"If it still fails, go on with what is known and give {SERVICE_DESK} the code."
    if kind is FailureKind.REJECTED:
        return f"Retrying will not help: give {SERVICE_DESK} the code so DST's access can be fixed."
    if kind is FailureKind.SKIPPED:
        return "Nothing to do for this one: it follows from the problem above."
    if kind in (FailureKind.NO_ADDRESS, FailureKind.NO_GEOCODE):
        return (
            "Confirm the residential address with the Veteran and have it corrected in the Enrollment "
            f"System (a ticket to {SERVICE_DESK} for E&E)."
        )
    if partner is Partner.MVI:
        return (
            "Check the Veteran's identifiers in CPRS; if they are right, ask the facility's identity "
            "management team to resolve the Veteran's MVI record."
        )
    return "Check the Veteran's enrollment with the facility's enrollment office."


def advice_for(partner: str, code: str) -> Advice:
    """The advice for one partner problem, from the partner and code the panels carry."""
    who = Partner(partner)
    kind = _kind_of(who, code)
    name = NAMES.get(who, who.value.upper())
    if kind is FailureKind.NO_GEOCODE:
        happened = "The Veteran's residential address could not be placed on the map."
    elif kind is None:
        happened = f"{name} did not answer as expected."
    else:
        happened = f"{name} {HAPPENED[kind]}"
    todo = _todo(who, kind) if kind is not None else f"Give {SERVICE_DESK} the code."
    retry = who in RETRYABLE_PARTNERS and kind in PASSING
    when = "after the maintenance window" if kind is FailureKind.MAINTENANCE else "now or in a minute"
    impact = IMPACT.get(who, "")
    return Advice(code, who.value, SHORT_NAMES.get(who, name), happened, impact, todo, retry, when)


def _kind_of(partner: Partner, code: str) -> FailureKind | None:
    prefix = f"{partner.value}-".upper()
    try:
        return FailureKind(code.upper().removeprefix(prefix).lower())
    except ValueError:
        return None
