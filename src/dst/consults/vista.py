"""VistA's GMRC call on consult signature: `GET /vs/v2/consultFactor/{dstId}` (DESIGN §5).

VistA's web server entry has no login; the unguessable DST ID is the capability. The answer is
idempotent, plain text, and read from stored data only, so it comes back in milliseconds.

GMRCDST never resets the ID between the lines of Reason for Request (FINDIDC) or between order
responses (FINDID45): a consult that carries `DST ID:<id>#` twice is asked for as `<id><id>`. DST
answers an ID that is one record's ID repeated with that record's text, and echoes the ID as VistA
asked for it on the `DST ID:` line, because the duplicate guard compares that line with the ID it
asked for.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import Principal, Role
from dst.consults import service
from dst.consults.factors import consult_factor_text
from dst.consults.models import DstRecord
from dst.errors import NotFound
from dst.web.deps import client_ip, in_transaction

router = APIRouter(tags=["VistA"])


@router.get(
    "/vs/v2/consultFactor/{dst_id}",
    response_class=PlainTextResponse,
    summary="Consult factor text for VistA to file as the consult comment",
)
async def consult_factor(request: Request, dst_id: str) -> PlainTextResponse:
    """Lines `XXX-Label: value` joined by `^`: with a saved decision the CSC line, then `DST ID:`."""
    vista = Principal("vista", "VistA GMRC", Role.SERVICE, client_ip(request))

    def work(session: Session) -> str:
        record = record_as_asked(session, dst_id)
        decision = record.decision
        record_event(
            session,
            principal=vista,
            action="vista-fetch",
            dst_id=record.dst_id,
            icn=record.icn,
            station=record.station,
            detail={
                "revision": decision.revision if decision else None,
                "repeatedId": record.dst_id != dst_id,
            },
        )
        return consult_factor_text(record, decision, as_asked=dst_id)

    text = await in_transaction(request, work)
    return PlainTextResponse(text, headers={"Cache-Control": "no-store"})


def record_as_asked(session: Session, dst_id: str) -> DstRecord:
    try:
        return service.get_record(session, dst_id)
    except NotFound:
        unit = repeated_unit(dst_id)
        if unit is not None:
            try:
                return service.get_record(session, unit)
            except NotFound:
                pass
        raise


def repeated_unit(dst_id: str) -> str | None:
    """`AB AB AB` → `AB`: the shortest piece the ID repeats whole, when it is a repetition at all."""
    period = (dst_id + dst_id).find(dst_id, 1)
    return dst_id[:period] if 0 < period < len(dst_id) else None


@router.get("/vs/v1/consultFactor/{dst_id}", response_class=PlainTextResponse, include_in_schema=False)
async def consult_factor_v1(request: Request, dst_id: str) -> PlainTextResponse:
    """Sites still on GMRC*3*124 call the first context root; the answer is the same."""
    return await consult_factor(request, dst_id)
