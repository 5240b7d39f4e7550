"""Server-rendered pages for people: start page, the DST dashboard and its decision form, sign-out."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import PERSON_ROLES
from dst.consults import identity, workflow
from dst.consults.schemas import ConsultContext, DecisionIn, TraitsIn
from dst.errors import DstProblem
from dst.reference import service as reference
from dst.web import dashboard
from dst.web import form_errors as form_errors_table
from dst.web.deps import ClinicalUser, check_csrf, current_principal, get_runtime, in_transaction
from dst.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    roles = list(PERSON_ROLES)
    return render(request, "home.html", {"roles": roles})


@router.post("/sign-out")
async def sign_out(request: Request, csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf)
    principal = current_principal(request)
    if principal is not None:
        signed = principal
        await in_transaction(request, lambda s: record_event(s, principal=signed, action="sign-out"))
    request.session.clear()  # the server-side session ends: a copy of the cookie no longer works
    return RedirectResponse("/", status_code=303)


async def choose_service_page(
    request: Request, ctx: ConsultContext, params: dict[str, str], *, launch: Any = None
) -> Response:
    """Its form posts the launch with the chosen service (and the CSRF token): choosing confirms it."""

    def work(session: Session) -> list[dict[str, str]]:
        return [
            {"name": s.name, "synonyms": ", ".join(sorted(x.synonym for x in s.synonyms))}
            for s in reference.all_clinical_services(session)
        ]

    services = await in_transaction(request, work)
    return render(
        request,
        "choose_service.html",
        {
            "consult_service": ctx.consult_service,
            "station": ctx.station,
            "params": params,
            "services": services,
            "launch": launch,
        },
    )


@router.get("/dst/{dst_id}", response_class=HTMLResponse)
async def dashboard_page(
    request: Request, dst_id: str, principal: ClinicalUser, saved: int = 0, static: int = 0
) -> Response:
    """`static=1` renders every panel here: the page browsers without JavaScript are sent to."""
    return await _dashboard(request, dst_id, principal, saved=bool(saved), live=not static)


async def _dashboard(
    request: Request,
    dst_id: str,
    principal: Any,
    *,
    saved: bool = False,
    live: bool = False,
    form: dict[str, Any] | None = None,
    form_errors: list[dict[str, Any]] | None = None,
    conflict: bool = False,
) -> Response:
    context = await dashboard.page_context(request, dst_id, principal, live=live)
    context |= {
        "saved": saved,
        "form_errors": form_errors or [],
        "field_errors": form_errors_table.by_group(form_errors or []),
        "conflict": conflict,
    }
    if form is not None:
        context["form"] = form
    # Only a save based on an older version is "someone else saved first"; other refusals are plain errors.
    conflict = conflict and str(context["record"]["version"]) != str((form or {}).get("baseVersion"))
    context["conflict"] = conflict
    status = (409 if conflict else 422) if form_errors else 200
    response = render(request, "dashboard.html", context, status_code=status)
    return dashboard.with_map_images(response, request.app.state.settings)


@router.post("/dst/{dst_id}/decision")
async def post_decision(request: Request, dst_id: str, principal: ClinicalUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get("csrf"))
    try:
        body = decision_from_form(form)
        await workflow.save_decision(
            get_runtime(request),
            dst_id,
            body,
            principal,
            key=form.get("idempotencyKey") or str(uuid.uuid4()),
            expected_version=body.base_version,
        )
    except ValidationError as exc:
        errors = form_errors_table.from_validation(exc)
        return await _dashboard(request, dst_id, principal, form=form, form_errors=errors)
    except DstProblem as exc:
        if exc.status == 404:
            raise
        errors = form_errors_table.from_problem(exc)
        return await _dashboard(
            request, dst_id, principal, form=form, form_errors=errors, conflict=exc.status == 409
        )
    # No #saved fragment: the message stands beside the summary, and jumping to it would scroll the
    # summary out of the first screen; dst.js moves the focus to it.
    return RedirectResponse(f"/dst/{dst_id}?saved=1", status_code=303)


@router.post("/dst/{dst_id}/identify")
async def post_identify(request: Request, dst_id: str, principal: ClinicalUser) -> Response:
    """Search MVI by traits for a Veteran it could not find from the consult; the traits are posted,
    never put in a URL, and only the outcome is kept (in the session, for the Veteran panel)."""
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    check_csrf(request, form.get("csrf"))
    try:
        traits = TraitsIn.model_validate(
            {k: form.get(k, "") for k in ("given", "family", "birthDate", "ssn")}
        )
    except ValidationError:
        outcome = identity.INVALID
    else:
        outcome = await identity.identify_by_traits(request, dst_id, traits, principal)
    request.session[dashboard.IDENTIFY_OUTCOME] = {"dstId": dst_id, "outcome": outcome}
    return RedirectResponse(f"/dst/{dst_id}#consult-h", status_code=303)


def decision_from_form(form: dict[str, str]) -> DecisionIn:
    def value(name: str) -> str | None:
        raw = form.get(name, "").strip()
        return raw or None

    bmi = None
    if value("bmiFactor") or value("bmiExplanation"):
        bmi = {"factor": value("bmiFactor") or "", "explanation": value("bmiExplanation") or ""}
    return DecisionIn.model_validate(
        {
            "veteranOption": value("veteranOption") or "",
            "seocId": value("seocId"),
            "forward": value("forward") == "yes",
            "forwardTo": value("forwardTo") if value("forward") == "yes" else None,
            "bmi": bmi,
            "nextAvailableDate": value("nextAvailableDate"),
            "veteranAgreedLaterDate": value("veteranAgreedLaterDate"),
            "agreedDateConfirmed": value("agreedDateConfirmed") == "yes",
            "baseVersion": value("baseVersion"),
        }
    )
