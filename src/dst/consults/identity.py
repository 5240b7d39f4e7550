"""Identify a Veteran MVI could not single out from the consult: the attended search by traits.

The traits (name, birth date, whole SSN) go to MVI and nowhere else: not into the audit trail, a log
line or a URL. The audit row says who searched and what MVI answered. A Veteran found this way fills
the record's missing ICN; a record that already names another ICN is never re-pointed.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import Principal
from dst.consults import service
from dst.consults.models import DstRecord
from dst.consults.schemas import TraitsIn
from dst.partners.errors import PartnerError
from dst.web.deps import get_panels, in_transaction

IDENTIFIED = "identified"
OTHER_VETERAN = "other-veteran"
INVALID = "invalid"
READ_ONLY = "read-only"
# What the Veteran panel says after a search, by outcome (MVI failure codes, or the two above).
OUTCOME_TEXT = {
    IDENTIFIED: "MVI identified the Veteran; DST has looked up the Veteran's details again.",
    OTHER_VETERAN: (
        "MVI found a Veteran whose ICN differs from the one this consult carries, so DST changed nothing. "
        "Check the traits against the Veteran's record in CPRS."
    ),
    "MVI-NOT-FOUND": (
        "MVI found no Veteran with these traits. Check the spelling of the name, the date of birth and "
        "the SSN against the Veteran's ID; if they are right, report it to the Enterprise Service Desk "
        "for MVI."
    ),
    "MVI-MULTIPLE-MATCHES": (
        "MVI found more than one Veteran with these traits, so DST cannot tell which is this Veteran. "
        "Report the duplicate records to the Enterprise Service Desk for MVI."
    ),
    READ_ONLY: "The consult was released to HSRM, so its DST record is read-only: DST changed nothing.",
    INVALID: (
        "Enter the given name, family name, date of birth and the whole nine-digit SSN: MVI needs all four."
    ),
}


def outcome_text(outcome: str) -> str:
    return OUTCOME_TEXT.get(outcome, "MVI did not answer the search; try again in a minute.")


async def identify_by_traits(request: Request, dst_id: str, traits: TraitsIn, principal: Principal) -> str:
    """Search MVI by traits for this record's Veteran; the outcome's code, audited either way."""
    try:
        person = await request.app.state.gateway.person_by_traits(
            given=traits.given, family=traits.family, birth_date=traits.birth_date, ssn=traits.ssn
        )
    except PartnerError as failure:
        code = failure.code
        await in_transaction(request, lambda s: _audit(s, dst_id, principal, code, None))
        return code

    def fill(session: Session) -> str:
        record = service.get_record(session, dst_id)
        outcome = IDENTIFIED
        if record.released_to_hsrm:
            outcome = READ_ONLY
        elif record.icn is None:
            record.icn = person.icn
        elif record.icn != person.icn:
            outcome = OTHER_VETERAN
        _audit(session, dst_id, principal, outcome, record)
        shared = get_panels(request).shared
        if shared is not None and outcome == IDENTIFIED:
            shared.forget(session, dst_id)  # every panel asks its partners again, now with the ICN
        return outcome

    outcome = await in_transaction(request, fill)
    if outcome == IDENTIFIED:
        get_panels(request).cache.forget(dst_id)
    return outcome


def _audit(
    session: Session, dst_id: str, principal: Principal, outcome: str, record: DstRecord | None
) -> None:
    if record is None:
        record = service.get_record(session, dst_id)
    record_event(
        session,
        principal=principal,
        action="mvi-search-by-traits",
        dst_id=dst_id,
        icn=record.icn,
        station=record.station,
        outcome="ok" if outcome == IDENTIFIED else "refused",
        detail={"answer": outcome},
    )
