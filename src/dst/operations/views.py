"""The operations console pages under /admin, and the pages a turned-off or maintained DST shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy.orm import Session

from dst.consults import records
from dst.consults.schemas import ConsultContext
from dst.db.base import utcnow
from dst.errors import DstProblem, Invalid
from dst.operations import designations, enablement, maintenance, mappings, outages
from dst.operations.models import WHOLE_DST
from dst.operations.monitor import WholeDstMaintenance
from dst.reference import service as reference
from dst.web.deps import AdminUser, check_csrf, in_transaction
from dst.web.templating import TEMPLATES, render

router = APIRouter(prefix="/admin", include_in_schema=False)


def _add_templates() -> None:
    """Let the shared page renderer find this package's templates, so every page has one base context."""
    ours = FileSystemLoader(Path(__file__).parent / "templates")
    env = TEMPLATES.env
    if env.loader is not None and not isinstance(env.loader, ChoiceLoader):
        env.loader = ChoiceLoader([env.loader, ours])


_add_templates()


def parse_moment(raw: str, field: str, label: str) -> datetime:
    """A `datetime-local` value, which the form labels as UTC."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid(
            f"Enter the {label} as a date and time, for example 2026-12-05T02:00.", field=field
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def _form(request: Request) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get("csrf"))
    return form


async def _act(
    request: Request,
    work: Callable[[Session], str],
    page: Callable[..., Any],
    form: dict[str, str],
    back: str,
) -> Response:
    """Run a console action; on bad input show the same page with an error summary, nothing saved."""
    try:
        done = await in_transaction(request, work)
    except DstProblem as problem:
        error = {"field": problem.field or "", "message": problem.detail}
        return await page(request, form=form, errors=[error], status_code=problem.status)
    await request.app.state.operations.refresh()
    return RedirectResponse(f"{back}?done={done}", status_code=303)


DONE = {
    "rule": "The rule was saved.",
    "off": "DST was turned off; existing DST records there stay readable and VistA still gets their text.",
    "window": "The maintenance window was scheduled.",
    "cancelled": "The maintenance window was cancelled.",
    "override": "The mapping override is in effect.",
    "removed": "The mapping override was removed.",
    "designation": "The designation was recorded; DST cites it in decisions while it is in force.",
    "ended": "The designation was ended; from today DST no longer cites it.",
}


def parse_day(raw: str, field: str, label: str, *, required: bool) -> date | None:
    """A `date` input value (YYYY-MM-DD)."""
    if not raw.strip():
        if required:
            raise Invalid(f"Enter the {label}, for example 2026-12-01.", field=field)
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid(f"Enter the {label} as a date, for example 2026-12-01.", field=field) from None


@router.get("", response_class=HTMLResponse)
async def console(request: Request, _: AdminUser) -> Response:
    def work(session: Session) -> dict[str, Any]:
        now = utcnow()
        return {
            "outages": outages.current(session),
            "windows": maintenance.announced(session, now=now),
            "turned_off": enablement.turned_off_stations(session, at=now),
            "overrides": mappings.active_overrides(session),
        }

    data = await in_transaction(request, work)
    return render(request, "operations/console.html", data)


async def rollout_page(
    request: Request,
    *,
    form: dict[str, str] | None = None,
    errors: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    def work(session: Session) -> dict[str, Any]:
        now = utcnow()
        return {
            "rules": enablement.history(session),
            "turned_off": enablement.turned_off_stations(session, at=now),
        }

    data = await in_transaction(request, work)
    context = {
        **data,
        "form": form or {"scope": "station"},
        "errors": errors or [],
        "done": DONE.get(request.query_params.get("done", "")),
    }
    return render(request, "operations/rollout.html", context, status_code=status_code)


@router.get("/rollout", response_class=HTMLResponse)
async def rollout(request: Request, _: AdminUser) -> Response:
    return await rollout_page(request)


@router.post("/rollout")
async def post_rollout(request: Request, principal: AdminUser) -> Response:
    form = await _form(request)

    def work(session: Session) -> str:
        now = utcnow()
        raw = form.get("effectiveFrom", "").strip()
        rule, _ = enablement.add_rule(
            session,
            scope=form.get("scope", ""),
            key=form.get("key", ""),
            enabled=form.get("enabled") == "on",
            effective_from=parse_moment(raw, "effectiveFrom", "effective date") if raw else now,
            note=form.get("note", ""),
            principal=principal,
            now=now,
            records_at=records.records_at,
        )
        return "rule" if rule.enabled else "off"

    return await _act(request, work, rollout_page, form, "/admin/rollout")


async def maintenance_admin_page(
    request: Request,
    *,
    form: dict[str, str] | None = None,
    errors: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    now = utcnow()
    windows = await in_transaction(request, lambda s: maintenance.listing(s, now=now))
    context = {
        "windows": windows,
        "now": now,
        "targets": [
            (t, "All of DST" if t == WHOLE_DST else outages.PARTNER_NAMES[outages.Partner(t)])
            for t in maintenance.TARGETS
        ],
        "form": form or {"target": WHOLE_DST},
        "errors": errors or [],
        "done": DONE.get(request.query_params.get("done", "")),
    }
    return render(request, "operations/maintenance.html", context, status_code=status_code)


@router.get("/maintenance", response_class=HTMLResponse)
async def maintenance_admin(request: Request, _: AdminUser) -> Response:
    return await maintenance_admin_page(request)


@router.post("/maintenance")
async def post_maintenance(request: Request, principal: AdminUser) -> Response:
    form = await _form(request)

    def work(session: Session) -> str:
        maintenance.schedule(
            session,
            target=form.get("target", ""),
            starts_at=parse_moment(form.get("startsAt", ""), "startsAt", "start"),
            ends_at=parse_moment(form.get("endsAt", ""), "endsAt", "end"),
            message=form.get("message", ""),
            principal=principal,
            now=utcnow(),
        )
        return "window"

    return await _act(request, work, maintenance_admin_page, form, "/admin/maintenance")


@router.post("/maintenance/{window_id}/cancel")
async def post_cancel_window(request: Request, window_id: int, principal: AdminUser) -> Response:
    form = await _form(request)

    def work(session: Session) -> str:
        maintenance.cancel(session, window_id=window_id, principal=principal, now=utcnow())
        return "cancelled"

    return await _act(request, work, maintenance_admin_page, form, "/admin/maintenance")


@router.get("/outages", response_class=HTMLResponse)
async def outage_history(request: Request, _: AdminUser) -> Response:
    rows = await in_transaction(request, outages.history)
    return render(request, "operations/outages.html", {"outages": rows, "names": outages.PARTNER_NAMES})


async def mappings_page(
    request: Request,
    *,
    form: dict[str, str] | None = None,
    errors: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    def work(session: Session) -> dict[str, Any]:
        return {
            "overrides": mappings.active_overrides(session),
            "history": mappings.override_history(session),
            "services": [s.name for s in reference.all_clinical_services(session)],
        }

    data = await in_transaction(request, work)
    prefill = {k: request.query_params.get(k, "") for k in ("station", "consultService")}
    context = {
        **data,
        "form": form or prefill,
        "errors": errors or [],
        "done": DONE.get(request.query_params.get("done", "")),
    }
    return render(request, "operations/mappings.html", context, status_code=status_code)


@router.get("/mappings", response_class=HTMLResponse)
async def mappings_admin(request: Request, _: AdminUser) -> Response:
    return await mappings_page(request)


@router.post("/mappings")
async def post_mapping(request: Request, principal: AdminUser) -> Response:
    form = await _form(request)

    def work(session: Session) -> str:
        mappings.set_override(
            session,
            station=form.get("station", ""),
            consult_service=form.get("consultService", ""),
            clinical_service=form.get("clinicalService", ""),
            principal=principal,
            now=utcnow(),
        )
        return "override"

    return await _act(request, work, mappings_page, form, "/admin/mappings")


@router.post("/mappings/{override_id}/remove")
async def post_remove_mapping(request: Request, override_id: int, principal: AdminUser) -> Response:
    form = await _form(request)

    def work(session: Session) -> str:
        mappings.remove_override(session, override_id=override_id, principal=principal, now=utcnow())
        return "removed"

    return await _act(request, work, mappings_page, form, "/admin/mappings")


async def designations_page(
    request: Request,
    *,
    form: dict[str, str] | None = None,
    errors: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    def work(session: Session) -> dict[str, Any]:
        return {
            "designations": designations.listing(session),
            "services": [s.name for s in reference.all_clinical_services(session)],
        }

    data = await in_transaction(request, work)
    context = {
        **data,
        "kinds": designations.KIND_LABELS,
        "today": date.today(),
        "form": form or {"kind": "service-not-offered"},
        "errors": errors or [],
        "done": DONE.get(request.query_params.get("done", "")),
    }
    return render(request, "operations/designations.html", context, status_code=status_code)


@router.get("/designations", response_class=HTMLResponse)
async def designations_admin(request: Request, _: AdminUser) -> Response:
    return await designations_page(request)


@router.post("/designations")
async def post_designation(request: Request, principal: AdminUser) -> Response:
    form = await _form(request)

    def work(session: Session) -> str:
        designations.add_designation(
            session,
            station=form.get("station", ""),
            clinical_service=form.get("clinicalService", ""),
            kind=form.get("kind", ""),
            effective_from=parse_day(
                form.get("effectiveFrom", ""), "effectiveFrom", "first day", required=True
            )
            or date.today(),
            effective_to=parse_day(form.get("effectiveTo", ""), "effectiveTo", "last day", required=False),
            reason=form.get("reason", ""),
            principal=principal,
            now=utcnow(),
        )
        return "designation"

    return await _act(request, work, designations_page, form, "/admin/designations")


@router.post("/designations/{designation_id}/end")
async def post_end_designation(request: Request, designation_id: int, principal: AdminUser) -> Response:
    form = await _form(request)

    def work(session: Session) -> str:
        designations.end_designation(
            session, designation_id=designation_id, principal=principal, now=utcnow(), today=date.today()
        )
        return "ended"

    return await _act(request, work, designations_page, form, "/admin/designations")


async def turned_off_page(request: Request, ctx: ConsultContext) -> Response | None:
    """For a Consult Toolbox launch: a clear page when DST is off at the station, else None."""

    def work(session: Session) -> tuple[enablement.Standing, str | None] | None:
        if reference.get_station(session, ctx.station) is None:
            return None  # the launch reports the unknown station itself
        standing = enablement.standing(session, station=ctx.station, at=utcnow())
        if standing.enabled:
            return None
        return standing, records.existing_record(
            session, station=ctx.station, consult_number=ctx.consult_number
        )

    found = await in_transaction(request, work)
    if found is None:
        return None
    standing, dst_id = found
    context = {"station": ctx.station, "because": standing.because, "dst_id": dst_id}
    return render(request, "operations/turned_off.html", context, status_code=409)


def maintenance_page(request: Request, window: WholeDstMaintenance) -> Response:
    return render(request, "operations/maintenance_page.html", {"window": window}, status_code=503)
