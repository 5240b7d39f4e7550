"""VistA's GMRC call on consult signature: `GET /vs/v2/consultFactor/{dstId}` (DESIGN §5).

VistA's web server entry has no login; the unguessable DST ID is the capability. The answer is
idempotent, plain text, and read from stored data only, so it comes back in milliseconds.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import Principal, Role
from dst.consults import service
from dst.consults.factors import consult_factor_text
from dst.web.deps import client_ip, in_transaction

router = APIRouter(tags=["VistA"])


@router.get(
    "/vs/v2/consultFactor/{dst_id}",
    response_class=PlainTextResponse,
    summary="Consult factor text for VistA to file as the consult comment",
)
async def consult_factor(request: Request, dst_id: str) -> PlainTextResponse:
    """Lines `XXX-Label: value` joined by `^`, always starting with the DST ID and CSC lines."""
    vista = Principal("vista", "VistA GMRC", Role.SERVICE, client_ip(request))

    def work(session: Session) -> str:
        record = service.get_record(session, dst_id)
        decision = record.decision
        record_event(
            session,
            principal=vista,
            action="vista-fetch",
            dst_id=dst_id,
            icn=record.icn,
            station=record.station,
            detail={"revision": decision.revision if decision else None},
        )
        return consult_factor_text(record, decision)

    text = await in_transaction(request, work)
    return PlainTextResponse(text, headers={"Cache-Control": "no-store"})


@router.get("/vs/v1/consultFactor/{dst_id}", response_class=PlainTextResponse, include_in_schema=False)
async def consult_factor_v1(request: Request, dst_id: str) -> PlainTextResponse:
    """Sites still on GMRC*3*124 call the first context root; the answer is the same."""
    return await consult_factor(request, dst_id)
