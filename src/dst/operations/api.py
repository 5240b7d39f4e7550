"""The console's JSON API under /api/v1/admin, for automation (service token) or an admin session."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy.orm import Session

from dst.auth import Principal, Role
from dst.consults import records
from dst.db.base import utcnow
from dst.errors import NotFound
from dst.operations import designations, enablement, maintenance, mappings, outages
from dst.operations.monitor import OperationsMonitor, report_check
from dst.operations.schemas import (
    CheckIn,
    DesignationIn,
    EnablementIn,
    OverrideIn,
    WindowIn,
    designation_json,
    notice_json,
    outage_json,
    override_json,
    rule_json,
    standing_json,
    window_json,
)
from dst.reference import service as reference
from dst.web.deps import in_transaction, require_roles

router = APIRouter(prefix="/api/v1/admin", tags=["Operations"])
Operator = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.ADMIN_API, Role.SERVICE))]


def monitor_of(request: Request) -> OperationsMonitor:
    monitor: OperationsMonitor = request.app.state.operations
    return monitor


@router.get("/enablement", summary="Enablement rules (newest first) and the stations where DST is off")
async def list_enablement(request: Request, _: Operator) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        now = utcnow()
        return {
            "rules": [rule_json(r) for r in enablement.history(session)],
            "turnedOff": [standing_json(s) for s in enablement.turned_off_stations(session, at=now)],
        }

    return await in_transaction(request, work)


@router.get("/enablement/stations/{sta3n}", summary="Whether DST is on at a station now, and why")
async def station_enablement(request: Request, sta3n: str, _: Operator) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        if reference.get_station(session, sta3n) is None:
            raise NotFound(f"Station {sta3n} is not a known VA station number.")
        return standing_json(enablement.standing(session, station=sta3n, at=utcnow()))

    return await in_transaction(request, work)


@router.post("/enablement", status_code=201, summary="Turn DST on or off for a station, a VISN or nationally")
async def add_enablement(request: Request, body: EnablementIn, principal: Operator) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        now = utcnow()
        rule, kept = enablement.add_rule(
            session,
            scope=body.scope,
            key=body.key,
            enabled=body.enabled,
            effective_from=body.effective_from or now,
            note=body.note,
            principal=principal,
            now=now,
            records_at=records.records_at,
        )
        return {"rule": rule_json(rule), "recordsKeptReadable": kept}

    return await in_transaction(request, work)


@router.get("/maintenance-windows", summary="Upcoming and open windows, then past and cancelled ones")
async def list_windows(request: Request, _: Operator) -> list[dict[str, Any]]:
    rows = await in_transaction(request, lambda s: maintenance.listing(s, now=utcnow()))
    return [window_json(w) for w in rows]


@router.post("/maintenance-windows", status_code=201, summary="Schedule a maintenance window")
async def schedule_window(request: Request, body: WindowIn, principal: Operator) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        window = maintenance.schedule(
            session,
            target=body.target.strip().lower(),
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            message=body.message,
            principal=principal,
            now=utcnow(),
        )
        return window_json(window)

    out = await in_transaction(request, work)
    await monitor_of(request).refresh()
    return out


@router.delete("/maintenance-windows/{window_id}", summary="Cancel a window (kept as history)")
async def cancel_window(
    request: Request, window_id: Annotated[int, Path(ge=1, le=2**31 - 1)], principal: Operator
) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        return window_json(
            maintenance.cancel(session, window_id=window_id, principal=principal, now=utcnow())
        )

    out = await in_transaction(request, work)
    await monitor_of(request).refresh()
    return out


@router.get("/outages", summary="Partner outages: the open ones and the history")
async def list_outages(request: Request, _: Operator) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        return {
            "current": [outage_json(o) for o in outages.current(session)],
            "history": [outage_json(o) for o in outages.history(session)],
        }

    return await in_transaction(request, work)


@router.post("/outages/checks", summary="Report a steel-thread check result for a partner")
async def report_steel_thread(request: Request, body: CheckIn, _: Operator) -> dict[str, Any]:
    partner = outages.parse_partner(body.partner)
    board = await report_check(
        monitor_of(request), partner=partner, ok=body.ok, detail=body.detail, check=body.check
    )
    return {"notices": [notice_json(n) for n in board.notices]}


@router.get("/notices", summary="The banners every page shows now")
async def current_notices(request: Request, _: Operator) -> dict[str, Any]:
    board = await monitor_of(request).refresh()
    return {"notices": [notice_json(n) for n in board.notices]}


@router.get("/consult-service-overrides", summary="Active consult-service mapping overrides")
async def list_overrides(request: Request, _: Operator) -> list[dict[str, Any]]:
    rows = await in_transaction(request, mappings.active_overrides)
    return [override_json(o) for o in rows]


@router.post("/consult-service-overrides", status_code=201, summary="Map a station's consult service")
async def add_override(request: Request, body: OverrideIn, principal: Operator) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        override = mappings.set_override(
            session,
            station=body.station,
            consult_service=body.consult_service,
            clinical_service=body.clinical_service,
            principal=principal,
            now=utcnow(),
        )
        return override_json(override)

    return await in_transaction(request, work)


@router.delete("/consult-service-overrides/{override_id}", summary="Remove an override (audited)")
async def remove_override(request: Request, override_id: int, principal: Operator) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        override = mappings.remove_override(
            session, override_id=override_id, principal=principal, now=utcnow()
        )
        return override_json(override)

    return await in_transaction(request, work)


@router.get(
    "/service-designations", summary="Designations of services not offered or below quality standards"
)
async def list_designations(request: Request, _: Operator) -> list[dict[str, Any]]:
    rows = await in_transaction(request, designations.listing)
    return [designation_json(r) for r in rows]


@router.post(
    "/service-designations",
    status_code=201,
    summary="Designate a station's clinical service as not offered by VA or below VA quality standards",
)
async def add_designation(request: Request, body: DesignationIn, principal: Operator) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        row = designations.add_designation(
            session,
            station=body.station,
            clinical_service=body.clinical_service,
            kind=body.kind,
            effective_from=body.effective_from,
            effective_to=body.effective_to,
            reason=body.reason,
            principal=principal,
            now=utcnow(),
        )
        return designation_json(row)

    return await in_transaction(request, work)


@router.delete("/service-designations/{designation_id}", summary="End a designation from today (audited)")
async def end_designation(
    request: Request, designation_id: Annotated[int, Path(ge=1, le=2**31 - 1)], principal: Operator
) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        # The same calendar day the eligibility rules use for as_of (the server's local date).
        row = designations.end_designation(
            session, designation_id=designation_id, principal=principal, now=utcnow(), today=date.today()
        )
        return designation_json(row)

    return await in_transaction(request, work)
