"""Report pages, CSV downloads and the JSON API under /api/v1/reports, for the reporting and admin roles."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import Principal
from dst.errors import Invalid
from dst.reports import query, service
from dst.reports.schemas import Report, ReportFilter, ReportIndexEntry
from dst.reports.shape import TITLES
from dst.web.deps import ReportingUser, in_transaction
from dst.web.templating import render

api = APIRouter(prefix="/api/v1/reports", tags=["Reports"])
pages = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class FilterParams:
    start: str | None
    end: str | None
    visn: str | None
    station: str | None
    clinical_service: str | None


def filter_params(
    start: Annotated[
        str | None, Query(alias="from", max_length=40, description="First day, YYYY-MM-DD (UTC)")
    ] = None,
    end: Annotated[str | None, Query(alias="to", max_length=40, description="Last day, YYYY-MM-DD")] = None,
    visn: Annotated[str | None, Query(max_length=10, description="VISN number, such as 1 or 21")] = None,
    station: Annotated[str | None, Query(max_length=10, description="Station number (sta3n)")] = None,
    clinical_service: Annotated[
        str | None, Query(alias="clinicalService", max_length=80, description="Clinical service name")
    ] = None,
) -> FilterParams:
    return FilterParams(start, end, visn, station, clinical_service)


Filters = Annotated[FilterParams, Depends(filter_params)]


def today() -> date:
    return datetime.now(UTC).date()


def _check(session: Session, params: FilterParams) -> ReportFilter:
    return query.check_filter(
        session,
        start=params.start,
        end=params.end,
        visn=params.visn,
        station=params.station,
        clinical_service=params.clinical_service,
        today=today(),
    )


def _audit(session: Session, principal: Principal, action: str, names: list[str], f: ReportFilter) -> None:
    # Reports hold no Veteran's data; who looked at which figures is still worth an audit line.
    record_event(session, principal=principal, action=action, detail={"reports": names, **f.query()})


async def _reports(
    request: Request, principal: Principal, params: FilterParams, names: list[str], action: str
) -> list[Report]:
    def work(session: Session) -> list[Report]:
        f = _check(session, params)
        _audit(session, principal, action, names, f)
        return [service.build(session, name, f) for name in names]

    return await in_transaction(request, work)


def _known(name: str) -> str:
    if name not in TITLES:
        raise HTTPException(404, f"There is no report called '{name[:40]}'. See /reports for the list.")
    return name


@api.get("", summary="The reports, each with the question it answers", response_model=list[ReportIndexEntry])
async def list_reports(principal: ReportingUser) -> list[ReportIndexEntry]:
    return [
        ReportIndexEntry(name=name, title=title, question=question, href=f"/api/v1/reports/{name}")
        for name, (title, question) in TITLES.items()
    ]


def _api_route(name: str) -> Callable[..., Awaitable[Report]]:
    async def one_report(request: Request, principal: ReportingUser, params: Filters) -> Report:
        return (await _reports(request, principal, params, [name], "api-report"))[0]

    return one_report


for _name, (_title, _question) in TITLES.items():
    api.add_api_route(
        f"/{_name}",
        _api_route(_name),
        methods=["GET"],
        response_model=Report,
        summary=_title,
        description=f"{_question} Counts only; no Veteran is identified. See docs/reports.md.",
        operation_id=f"report_{_name.replace('-', '_')}",
    )


@pages.get("/reports/{name}.csv")
async def report_csv(request: Request, name: str, principal: ReportingUser, params: Filters) -> Response:
    report = (await _reports(request, principal, params, [_known(name)], "download-report"))[0]
    filename = f"dst-{name}-{report.filters.start}-to-{report.filters.end}.csv"
    return Response(
        to_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if report.empty:
        writer.writerow(["note"])
        writer.writerows([[note] for note in report.notes])
        return out.getvalue()
    writer.writerow([c.label for c in report.columns])
    for row in [*report.rows, *([report.totals] if report.totals else [])]:
        writer.writerow([_csv_cell(row.get(c.key)) for c in report.columns])
    return out.getvalue()


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell that starts like a formula; the quote keeps it text.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pages.get("/reports", response_class=HTMLResponse)
async def reports_page(request: Request, principal: ReportingUser, params: Filters) -> Response:
    return await _page(request, principal, params, list(TITLES), single=False)


@pages.get("/reports/{name}", response_class=HTMLResponse)
async def report_page(request: Request, name: str, principal: ReportingUser, params: Filters) -> Response:
    return await _page(request, principal, params, [_known(name)], single=True)


async def _page(
    request: Request, principal: Principal, params: FilterParams, names: list[str], *, single: bool
) -> Response:
    def work(session: Session) -> dict[str, Any]:
        choices = {
            "visns": query.visns(session),
            "stations": query.stations(session),
            "services": query.clinical_services(session),
        }
        try:
            f = _check(session, params)
        except Invalid as exc:
            return {**choices, "error": exc.detail, "reports": [], "filter": None}
        _audit(session, principal, "view-report", names, f)
        return {
            **choices,
            "error": None,
            "filter": f,
            "reports": [service.build(session, n, f) for n in names],
        }

    data = await in_transaction(request, work)
    f: ReportFilter | None = data["filter"]
    context = {
        **data,
        "single": single,
        "names": names,
        "titles": TITLES,
        "form": params,
        "qs": urlencode(f.query()) if f else "",
        "action": f"/reports/{names[0]}" if single else "/reports",
    }
    return render(request, "reports/index.html", context, status_code=422 if data["error"] else 200)
