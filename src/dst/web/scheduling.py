"""The schedulers' worklist page: consults whose decision waits for an appointment date."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import Principal, Role
from dst.consults import worklist
from dst.web.deps import in_transaction, require_roles
from dst.web.templating import render

router = APIRouter(include_in_schema=False)

SchedulerUser = Annotated[Principal, Depends(require_roles(Role.SCHEDULER))]


@router.get("/scheduling", response_class=HTMLResponse)
async def scheduling_worklist(
    request: Request,
    principal: SchedulerUser,
    station: Annotated[str, Query(pattern=r"^([0-9]{3})?$", description="a three-digit station")] = "",
) -> Response:
    """Listing the consults is a read of each record: the audit row names every record shown."""
    chosen = station

    def work(session: Session) -> worklist.Worklist:
        found = worklist.awaiting_a_date(session, chosen or None)
        record_event(
            session,
            principal=principal,
            action="view-scheduling-worklist",
            station=chosen or None,
            detail={"dstIds": [row.dst_id for row in found.rows]},
        )
        return found

    found = await in_transaction(request, work)
    return render(request, "scheduling.html", {"worklist": found, "station": chosen, "limit": worklist.LIMIT})
