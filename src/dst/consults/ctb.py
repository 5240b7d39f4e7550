"""Consult Toolbox endpoints: does this consult need DST, and the launch that opens the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from dst.auth import COUNTED_CTB_ROLES
from dst.consults import service, workflow
from dst.consults.context import ReferenceSnapshots
from dst.consults.schemas import ConsultContext
from dst.db.base import utcnow
from dst.errors import IdentityConflict, Invalid
from dst.operations import enablement
from dst.operations.views import turned_off_page
from dst.reference import service as reference
from dst.reports.tallies import count_requires_dst
from dst.web.deps import (
    ClinicalUser,
    check_clinical,
    check_csrf,
    current_principal,
    get_runtime,
    in_transaction,
)
from dst.web.problems import describe_validation
from dst.web.templating import render

router = APIRouter(tags=["Consult Toolbox"])

CONTEXT_FIELDS = (
    "station",
    "dfn",
    "icn",
    "consultService",
    "urgency",
    "clinicallyIndicatedDate",
    "fileEntryDate",
    "consultNumber",
    "orderNumber",
    "signed",
    "clinicalService",
)


@router.get(
    "/ctb/v1/requires-dst",
    response_class=PlainTextResponse,
    summary="TRUE when the consult service is a MISSION Act clinical service that needs DST",
)
async def requires_dst(
    request: Request,
    service: Annotated[str, Query(min_length=1, max_length=80)],
    station: Annotated[str, Query(pattern=r"^[0-9]{3}$")],
) -> PlainTextResponse:
    # The contract needs no token, so anyone may ask; only an authenticated caller (CTB's own token,
    # the service token, a signed-in clinician) is counted in reports and names unmapped services.
    caller = current_principal(request)  # a wrong bearer token is refused with 401
    counted = caller is not None and caller.role in COUNTED_CTB_ROLES

    def work(session: Session) -> bool | None:
        known = reference.get_station(session, station)
        if known is None:
            return None
        if not enablement.is_enabled(session, station=station, at=utcnow()):
            return False  # staged rollout: DST is turned off at this station
        resolution = reference.resolve_consult_service(session, station=station, name=service)
        needed = resolution.clinical_service.name if resolution.clinical_service else None
        if counted:
            count_requires_dst(
                session, day=utcnow().date(), visn=known.visn, station=station, clinical_service=needed
            )
        if resolution.clinical_service is None:
            if counted:
                reference.note_unmapped(session, station=station, name=service)
            return False
        return True

    answer = await in_transaction(request, work, read_only=not counted)
    if answer is None:
        return PlainTextResponse(f"Unknown station {station}", status_code=404)
    return PlainTextResponse("TRUE" if answer else "FALSE")


def context_from_query(params: dict[str, str]) -> ConsultContext:
    data: dict[str, Any] = {k: v for k, v in params.items() if k in CONTEXT_FIELDS and v != ""}
    unknown = sorted(set(params) - set(CONTEXT_FIELDS) - {"user"})
    if unknown:
        raise Invalid(f"Unknown launch parameter(s): {', '.join(unknown)}.")
    if "signed" in data:
        data["signed"] = str(data["signed"]).strip().lower() in ("1", "true", "yes", "y")
    try:
        return ConsultContext.model_validate(data)
    except ValidationError as exc:
        from fastapi.exceptions import RequestValidationError

        detail, _ = describe_validation(RequestValidationError(exc.errors()))
        raise Invalid(
            f"The launch from Consult Toolbox is missing or has invalid parameters: {detail}"
        ) from exc


@dataclass(frozen=True)
class LaunchPreview:
    """What a launch would do, read without writing anything or calling a partner."""

    station: str
    station_name: str | None
    consult_service: str
    clinical_service: str | None  # None: the consult service is unmapped and no clinicalService came
    consult_number: str | None
    signed: bool
    urgency: str
    file_entry_date: str
    icn: str | None
    dfn: str | None
    existing: bool
    conflict: IdentityConflict | None


def preview_launch(
    session: Session, ctx: ConsultContext, today: date, snapshots: ReferenceSnapshots
) -> LaunchPreview:
    service.check_context(session, ctx, today, snapshots)
    try:
        chosen: str | None = service.resolve_service(session, ctx, snapshots).name
    except service.UnmappedService:
        chosen = None
    station = reference.get_station(session, ctx.station)
    record = service.find_by_consult(session, ctx)
    return LaunchPreview(
        station=ctx.station,
        station_name=station.name if station else None,
        consult_service=ctx.consult_service,
        clinical_service=chosen,
        consult_number=ctx.consult_number,
        signed=ctx.signed,
        urgency=ctx.urgency,
        file_entry_date=ctx.file_entry_date.isoformat(),
        icn=ctx.icn,
        dfn=ctx.dfn,
        existing=record is not None,
        conflict=service.identity_problem(record, ctx) if record is not None else None,
    )


@router.get(
    "/launch",
    summary="Consult Toolbox launch: confirm, then open or reopen the DST record and show it",
)
async def launch(request: Request) -> Response:
    """Shows the consult and one button; the POST it sends opens the record. A GET writes nothing and
    calls no partner, so a link on another site cannot open or change a record in a signed-in browser."""
    params = dict(request.query_params)
    principal = current_principal(request)
    if principal is None:
        return RedirectResponse(sign_in_url(request), status_code=303)
    check_clinical(principal)
    ctx = context_from_query(params)
    turned_off = await turned_off_page(request, ctx)
    if turned_off is not None:
        return turned_off
    runtime = get_runtime(request)
    today = runtime.today()
    preview = await in_transaction(request, lambda s: preview_launch(s, ctx, today, runtime.snapshots))
    if preview.conflict is not None:
        refused = preview.conflict
        audit = partial(workflow.audit_identity_conflict, conflict=refused, principal=principal, via="launch")
        await in_transaction(request, audit)
        raise refused
    shown = {k: v for k, v in params.items() if k in CONTEXT_FIELDS or k == "user"}
    if preview.clinical_service is None:
        from dst.web.pages import choose_service_page

        return await choose_service_page(request, ctx, shown, launch=preview)
    return render(request, "launch_confirm.html", {"launch": preview, "params": shown})


@router.post("/launch", include_in_schema=False)
async def confirm_launch(request: Request, principal: ClinicalUser) -> Response:
    """The clinician's confirmation (or chosen clinical service): open or reopen, then show the record."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    presented = form.pop("csrf", None)
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        check_csrf(request, presented)  # a valid bearer token was already checked by ClinicalUser
    ctx = context_from_query(form)
    turned_off = await turned_off_page(request, ctx)
    if turned_off is not None:
        return turned_off
    unmapped = await in_transaction(request, lambda s: _note_if_unmapped(s, ctx))
    if unmapped and not ctx.clinical_service:
        from dst.web.pages import choose_service_page

        runtime = get_runtime(request)
        today = runtime.today()
        preview = await in_transaction(request, lambda s: preview_launch(s, ctx, today, runtime.snapshots))
        return await choose_service_page(request, ctx, form, launch=preview)
    dst_id, _ = await workflow.open_record(get_runtime(request), ctx, principal, via="launch")
    return RedirectResponse(f"/dst/{dst_id}", status_code=303)


def _note_if_unmapped(session: Session, ctx: ConsultContext) -> bool:
    """Remember an unmapped consult service for the administrators, once the clinician acts on it."""
    if reference.get_station(session, ctx.station) is None:
        raise Invalid(f"Station {ctx.station} is not a known VA station number.", field="station")
    resolution = reference.resolve_consult_service(session, station=ctx.station, name=ctx.consult_service)
    if resolution.clinical_service is None:
        reference.note_unmapped(session, station=ctx.station, name=ctx.consult_service)
        return True
    return False


def sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    settings = request.app.state.settings
    if settings.is_dev:
        return "/dev/sign-in?" + urlencode({"role": "provider", "next": target})
    return "/sign-in?" + urlencode({"next": target})
