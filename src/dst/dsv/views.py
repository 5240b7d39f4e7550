"""Viewer pages: the SMART EHR launch and its callback, the read-only patient page and its sections."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dst.config import Settings
from dst.consults.context import ServiceInfo
from dst.dsv import errors, service, smart
from dst.dsv import session as viewer_session
from dst.dsv.errors import ViewerProblem
from dst.dsv.fhir import edipi_of
from dst.dsv.viewer import Viewer
from dst.eligibility import CRITERION_LABELS
from dst.web.deps import client_ip, get_runtime, public_url
from dst.web.templating import render

router = APIRouter(prefix="/dsv", include_in_schema=False)

SECTIONS = ("demographics", "eligibility", "facilities", "seocs")
Text = Annotated[str | None, Query(max_length=2000)]
ServiceName = Annotated[str | None, Query(alias="service", max_length=80)]


def problem_page(request: Request, problem: ViewerProblem) -> HTMLResponse:
    return render(request, "dsv/problem.html", {"problem": problem}, status_code=problem.status)


def problem_response(request: Request, problem: Exception) -> Response:
    """A viewer problem raised before a handler ran: the page, or the fragment a section shows."""
    assert isinstance(problem, ViewerProblem)
    if request.url.path.startswith("/dsv/sections/"):
        return render(request, "dsv/_problem_fragment.html", {"problem": problem}, status_code=problem.status)
    return problem_page(request, problem)


def install(app: FastAPI) -> None:
    async def handle(request: Request, problem: Exception) -> Response:
        return problem_response(request, problem)

    app.add_exception_handler(ViewerProblem, handle)


# The viewer's pages need the viewer session; declared so it is checked before the query is validated.
NEEDS_VIEWER = [Depends(viewer_session.page_viewer)]


@router.get("/launch", response_class=HTMLResponse, name="dsv_launch")
async def launch(request: Request, iss: Text = None, launch: Text = None) -> Response:
    """SMART EHR launch: the EHR opens this with `iss` (its FHIR base) and an opaque `launch` id."""
    settings: Settings = request.app.state.settings
    try:
        missing = [name for name, value in (("iss", iss), ("launch", launch)) if not value]
        if missing:
            raise errors.missing_launch_parameters(missing)
        assert iss is not None and launch is not None
        if not smart.is_trusted(request, settings, iss):
            raise errors.untrusted_iss()
        config = await smart.discover(request, iss)
        url, state, verifier = await smart.authorization_request(
            config,
            client_id=settings.dsv_client_id,
            redirect_uri=public_url(request, "dsv_callback"),
            launch=launch,
        )
    except ViewerProblem as problem:
        await _audit_failure(request, problem)
        return problem_page(request, problem)
    viewer_session.remember_launch(request, state, {"config": config.as_dict(), "verifier": verifier})
    return RedirectResponse(url, status_code=303)


@router.get("/callback", response_class=HTMLResponse, name="dsv_callback")
async def callback(
    request: Request,
    code: Text = None,
    state: Text = None,
    error: Text = None,
    error_description: Text = None,
) -> Response:
    """The EHR sends the user back here with an authorization code, or with an error."""
    try:
        viewer = await _complete_launch(request, code, state, error, error_description)
    except ViewerProblem as problem:
        await _audit_failure(request, problem)
        return problem_page(request, problem)
    await service.audit(
        get_runtime(request),
        viewer.principal(client_ip(request)),
        "dsv-view-launch",
        icn=viewer.icn,
        detail={"viewerSession": viewer.sid, "iss": viewer.iss},
    )
    return RedirectResponse(request.url_for("dsv_patient").path, status_code=303)


async def _complete_launch(
    request: Request, code: str | None, state: str | None, error: str | None, description: str | None
) -> Viewer:
    settings: Settings = request.app.state.settings
    pending = viewer_session.take_launch(request, state)
    if error:
        raise errors.authorization_denied(description or error)
    if not code:
        raise errors.stale_launch()
    config = smart.SmartConfiguration(**pending["config"])
    token = await smart.exchange_code(
        request,
        config,
        client_id=settings.dsv_client_id,
        redirect_uri=public_url(request, "dsv_callback"),
        code=code,
        verifier=pending["verifier"],
    )
    patient_id = token.get("patient")
    if not isinstance(patient_id, str) or not patient_id.strip():
        raise errors.no_patient_context()
    user = await smart.signed_in_user(request, config, settings.dsv_client_id, token.get("id_token"))
    resource = await smart.read_patient(request, config.iss, token, patient_id)
    edipi = edipi_of(resource, settings.dsv_edipi_system)
    if edipi is None:
        raise errors.no_edipi()
    person = await service.resolve_person(get_runtime(request), edipi)
    return viewer_session.bind(
        request,
        icn=person.icn,
        edipi=edipi,
        patient_reference=f"Patient/{patient_id}",
        iss=config.iss,
        user=user,
        station=next(iter(person.dfns), None),
    )


async def _audit_failure(request: Request, problem: ViewerProblem) -> None:
    await service.audit(
        get_runtime(request),
        service.launch_principal(client_ip(request)),
        "dsv-launch",
        outcome=problem.code,
        detail={},
    )


@router.get("", response_class=HTMLResponse, name="dsv_patient", dependencies=NEEDS_VIEWER)
async def patient_page(request: Request, service_name: ServiceName = None, inline: int = 0) -> Response:
    """The read-only page. Sections load on their own; `inline=1` renders them all here (no JavaScript)."""
    try:
        viewer = viewer_session.require_page(request)
    except ViewerProblem as problem:
        return problem_page(request, problem)
    chosen = await service.find_service(get_runtime(request), service_name)
    context: dict[str, Any] = {
        "services": await service.clinical_services(get_runtime(request)),
        "chosen": chosen,
        "asked": service_name,
        "inline": bool(inline),
        "sections": SECTIONS,
    }
    await service.audit_view(get_runtime(request), viewer, "page", chosen, client_ip(request))
    if inline:
        parts = await asyncio.gather(*(_section_data(request, viewer, s, chosen) for s in SECTIONS))
        context.update({k: v for part in parts for k, v in part.items()})
    return render(request, "dsv/viewer.html", context)


@router.get("/sections/{section}", response_class=HTMLResponse, dependencies=NEEDS_VIEWER)
async def section(request: Request, section: str, service_name: ServiceName = None) -> Response:
    """One section as an HTML fragment, fetched by the page so each section loads on its own."""
    viewer = viewer_session.current(request)
    if viewer is None:
        problem = errors.no_viewer_session()
        return render(request, "dsv/_problem_fragment.html", {"problem": problem}, status_code=401)
    if section not in SECTIONS:
        raise HTTPException(404, f"Unknown viewer section {section!r}.")
    chosen = await service.find_service(get_runtime(request), service_name)
    data = await _section_data(request, viewer, section, chosen)
    return render(request, f"dsv/_{section}.html", {"chosen": chosen, **data})


async def _section_data(
    request: Request, viewer: Viewer, section: str, chosen: ServiceInfo | None
) -> dict[str, Any]:
    if section != "demographics" and chosen is None:
        return {}  # nothing about the Veteran is read until a service is chosen
    await service.audit_view(get_runtime(request), viewer, section, chosen, client_ip(request))
    if section == "demographics":
        return {"demographics": await service.demographics(get_runtime(request), viewer)}
    assert chosen is not None
    if section == "eligibility":
        return {
            "eligibility": await service.eligibility(get_runtime(request), viewer, chosen),
            "labels": CRITERION_LABELS,
            "icn": viewer.icn,
        }
    if section == "facilities":
        return await service.facilities(get_runtime(request), viewer, chosen)
    return {"seocs": await service.seocs(get_runtime(request), chosen)}
