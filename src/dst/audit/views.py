"""The auditor's search of the audit trail: a page at `/audit` and JSON at `/api/v1/audit`."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from dst.audit.schemas import AuditPage
from dst.audit.service import AuditQuery, event_json, record_event, search_events
from dst.auth import Principal
from dst.web.deps import AuditorUser, in_transaction
from dst.web.templating import render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["Audit"])

PAGE_SIZE = 50


def audit_query(
    user: Annotated[str | None, Query(max_length=80, description="Who acted (user id)")] = None,
    dst_id: Annotated[str | None, Query(alias="dstId", max_length=32)] = None,
    icn: Annotated[str | None, Query(max_length=20)] = None,
    station: Annotated[str | None, Query(pattern=r"^[0-9]{3}$")] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    date_from: Annotated[date | None, Query(alias="from", description="First day, inclusive")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Last day, inclusive")] = None,
) -> AuditQuery:
    def clean(value: str | None) -> str | None:
        return value.strip() or None if value else None

    return AuditQuery(clean(user), clean(dst_id), clean(icn), station, clean(action), date_from, date_to)


QueryDep = Annotated[AuditQuery, Depends(audit_query)]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


async def _search(
    request: Request, query: AuditQuery, principal: Principal, page: int, page_size: int
) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        rows, total = search_events(session, query, page=page, page_size=page_size)
        # Reading the audit trail is itself audited: who searched for whom.
        record_event(
            session,
            principal=principal,
            action="search-audit",
            dst_id=query.dst_id,
            icn=query.icn,
            station=query.station,
            detail={k: v for k, v in query.as_params().items() if k not in ("dst_id", "icn", "station")},
        )
        return {"items": [event_json(r) for r in rows], "page": page, "pageSize": page_size, "total": total}

    return await in_transaction(request, work)


@pages.get("/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request, principal: AuditorUser, query: QueryDep, page: PageNumber = 1
) -> Response:
    found = await _search(request, query, principal, page, PAGE_SIZE)
    pages_total = max(1, math.ceil(found["total"] / PAGE_SIZE))
    params = query.as_params()
    filters = {
        "user": params.get("actor", ""),
        "dstId": params.get("dst_id", ""),
        "icn": params.get("icn", ""),
        "station": params.get("station", ""),
        "action": params.get("action", ""),
        "from": params.get("date_from", ""),
        "to": params.get("date_to", ""),
    }
    return render(
        request,
        "audit/search.html",
        {"found": found, "filters": filters, "page": page, "pages_total": pages_total},
    )


@api.get("/audit", response_model=AuditPage, summary="Search the audit trail (auditor role)")
async def audit_api(
    request: Request,
    principal: AuditorUser,
    query: QueryDep,
    page: PageNumber = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=500)] = PAGE_SIZE,
) -> dict[str, Any]:
    return await _search(request, query, principal, page, page_size)
