"""A CPRS/VistA simulator for the demo and the browser tests (development only; 404 when DST_ENV=prod).

It plays the three systems around DST: CPRS orders a consult for a demo Veteran, Consult Toolbox asks
requires-dst and launches DST, and on signature VistA's GMRC routine (`dst.demo.gmrc`) fetches the
consult factor text over HTTP and files it, forwarding the consult when DST says so.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

import anyio
import httpx2
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.consults.models import DstRecord
from dst.demo.gmrc import Consult, Gmrc
from dst.demo.network import demo_network, demo_patients
from dst.reference.models import ConsultService
from dst.web.deps import ClinicalUser, check_csrf, in_transaction
from dst.web.sessions import COOKIE
from dst.web.templating import render

STATE = "cprs"


def _dev_only(request: Request) -> None:
    if not request.app.state.settings.is_dev:
        raise HTTPException(404, "Not found")


# The router-wide check runs before sign-in is required, so production answers 404 to everyone.
router = APIRouter(prefix="/dev/cprs", include_in_schema=False, dependencies=[Depends(_dev_only)])


def _state(request: Request) -> dict[str, Any]:
    return dict(request.session.get(STATE) or {})


def _patient(icn: str) -> dict[str, Any]:
    for patient in demo_patients():
        if patient["icn"] == icn:
            return patient
    raise HTTPException(400, "That demo Veteran is not in the demo network; choose one from the list.")


def _station_services(session: Session, station: str) -> dict[str, list[str]]:
    rows = session.execute(
        select(ConsultService.name, ConsultService.community_care)
        .where(ConsultService.station == station, ConsultService.source != "seen")
        .order_by(ConsultService.name)
    )
    named = [(name, cc) for name, cc in rows]
    return {
        "orderable": [name for name, cc in named if not cc],
        "all": [name for name, _ in named],  # file #123.5, the names VistA can forward to
    }


@router.get("", response_class=HTMLResponse)
async def cprs_page(request: Request, principal: ClinicalUser) -> Response:
    state = _state(request)
    context: dict[str, Any] = {"state": state, "patients": demo_patients(), "patient": None}
    if state.get("icn"):
        context["patient"] = _patient(state["icn"])
        services = await in_transaction(request, lambda s: _station_services(s, state["station"]))
        context["services"] = services["orderable"]
    order = state.get("order")
    if order:
        context["launch_url"] = "/launch?" + urlencode(_launch_params(state, order))
    return render(request, "cprs.html", context)


@router.post("/patient")
async def choose_patient(
    request: Request, principal: ClinicalUser, csrf: Annotated[str, Form()], icn: Annotated[str, Form()]
) -> Response:
    check_csrf(request, csrf)
    patient = _patient(icn)
    request.session[STATE] = {"icn": patient["icn"], "station": patient["station"], "dfn": patient["dfn"]}
    return RedirectResponse("/dev/cprs#order", status_code=303)


@router.post("/order")
async def order_consult(
    request: Request,
    principal: ClinicalUser,
    csrf: Annotated[str, Form()],
    service: Annotated[str, Form(min_length=1, max_length=80)],
    urgency: Annotated[str, Form(pattern="^(routine|stat)$")],
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(request, csrf)
    state = _state(request)
    if not state.get("icn"):
        raise HTTPException(400, "Choose a demo Veteran before ordering a consult.")
    mapped = await _ask_consult_toolbox(request, station=state["station"], service=service)
    state["order"] = {
        "service": service,
        "urgency": urgency,
        "reason": reason.strip() or "Evaluate and treat.",
        "consultNumber": str(secrets.randbelow(9_000_000) + 1_000_000),
        "orderNumber": str(secrets.randbelow(9_000_000) + 1_000_000),
        "fileEntryDate": date.today().isoformat(),
        "requiresDst": mapped,
        "signed": False,
        "comments": [],
        "forwardedTo": None,
    }
    request.session[STATE] = state
    return RedirectResponse("/dev/cprs#consult", status_code=303)


def _launch_params(state: dict[str, Any], order: dict[str, Any]) -> dict[str, str]:
    params = {
        "station": state["station"],
        "dfn": state["dfn"],
        "consultService": order["service"],
        "urgency": order["urgency"],
        "fileEntryDate": order["fileEntryDate"],
        "consultNumber": order["consultNumber"],
        "orderNumber": order["orderNumber"],
    }
    if _vista_holds_icn(state["icn"]):
        params["icn"] = state["icn"]
    if order["signed"]:
        params["signed"] = "true"
    return params


def _vista_holds_icn(icn: str) -> bool:
    """The "MVI not found" demo Veteran is registered at the station without a national ICN, so
    Consult Toolbox sends only the DFN and DST must identify the Veteran (by traits, if need be)."""
    return next((v.mvi_behaviour for v in demo_network().veterans if v.icn == icn), "ok") != "not-found"


def _find_record(session: Session, station: str, consult_number: str) -> DstRecord | None:
    return session.scalar(
        select(DstRecord).where(DstRecord.station == station, DstRecord.consult_number == consult_number)
    )


@router.post("/sign")
async def sign_order(request: Request, principal: ClinicalUser, csrf: Annotated[str, Form()]) -> Response:
    """CTB writes `DST ID:<id>#` into Reason for Request; signing sends VistA to fetch and file it."""
    check_csrf(request, csrf)
    state = _state(request)
    order = state.get("order")
    if not order:
        raise HTTPException(400, "Order a consult before signing it.")

    def look(session: Session) -> str | None:
        record = _find_record(session, state["station"], order["consultNumber"])
        return record.dst_id if record else None

    dst_id = await in_transaction(request, look)
    if dst_id and "DST ID:" not in order["reason"]:
        order["reason"] += f" DST ID:{dst_id}#"
    order |= {"signed": True, "dstId": dst_id, "events": 0, "fetches": 0}
    await _order_event(request, state, order)
    return RedirectResponse("/dev/cprs#signed", status_code=303)


@router.post("/event")
async def order_event(request: Request, principal: ClinicalUser, csrf: Annotated[str, Form()]) -> Response:
    """A later event of the signed consult (received, scheduled...): GMRCDST runs again on each."""
    check_csrf(request, csrf)
    state = _state(request)
    order = state.get("order")
    if not order or not order.get("signed"):
        raise HTTPException(400, "Sign the order first: VistA acts on a consult's events once it is signed.")
    await _order_event(request, state, order)
    return RedirectResponse("/dev/cprs#signed", status_code=303)


async def _order_event(request: Request, state: dict[str, Any], order: dict[str, Any]) -> None:
    def services(session: Session) -> list[str]:
        return _station_services(session, state["station"])["all"]

    file_123_5 = await in_transaction(request, services)
    consult = Consult(
        reason_for_request=order["reason"],
        comments=[list(c) for c in order["comments"]],
        forwarded_to=order["forwardedTo"],
    )
    vista = Gmrc(str(request.base_url).rstrip("/"), set(file_123_5), sleep=lambda _s: None)
    vista.get = _in_process_get(request)
    await anyio.to_thread.run_sync(vista.on_event, consult)
    order |= {
        "comments": consult.comments,
        "forwardedTo": consult.forwarded_to,
        "events": order.get("events", 0) + 1,
        "fetches": order.get("fetches", 0) + vista.calls,
    }
    state["order"] = order
    request.session[STATE] = state


async def _ask_consult_toolbox(request: Request, *, station: str, service: str) -> bool:
    """Consult Toolbox's requires-dst question, asked over HTTP as CTB asks it, by the signed-in user.

    Asking it here (rather than resolving the service directly) is what makes the simulator's orders
    count in the "DST use" report: only authenticated requires-dst answers are counted.
    """
    transport = httpx2.ASGITransport(app=request.app)
    cookies = {COOKIE: request.cookies.get(COOKIE, "")}
    async with httpx2.AsyncClient(
        transport=transport, base_url=str(request.base_url), cookies=cookies
    ) as ctb:
        answer = await ctb.get("/ctb/v1/requires-dst", params={"service": service, "station": station})
    return answer.status_code == 200 and answer.text == "TRUE"


def _in_process_get(request: Request) -> Any:
    """VistA's HTTP GET, answered by this same application without leaving the process."""
    app = request.app

    async def fetch(url: str) -> httpx2.Response:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport) as client:
            return await client.get(url)

    def get(url: str, **_options: Any) -> httpx2.Response:
        return anyio.from_thread.run(fetch, url)

    return get


@router.post("/release-to-hsrm")
async def release_to_hsrm(
    request: Request, principal: ClinicalUser, csrf: Annotated[str, Form()]
) -> Response:
    """Community care staff release the consult to HSRM; CTB then adds the ICR factor DST locks on."""
    check_csrf(request, csrf)
    state = _state(request)
    order = state.get("order") or {}

    def release(session: Session) -> bool:
        record = _find_record(session, state.get("station", ""), order.get("consultNumber", ""))
        if record is None:
            return False
        record.released_to_hsrm = True
        record.version += 1
        record_event(
            session,
            principal=principal,
            action="release-to-hsrm",
            dst_id=record.dst_id,
            icn=record.icn,
            station=record.station,
        )
        return True

    if not await in_transaction(request, release):
        raise HTTPException(400, "Launch DST for this consult before releasing it to HSRM.")
    order["releasedToHsrm"] = True
    state["order"] = order
    request.session[STATE] = state
    return RedirectResponse("/dev/cprs#consult", status_code=303)


@router.post("/reset")
async def reset(request: Request, principal: ClinicalUser, csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf)
    request.session.pop(STATE, None)
    return RedirectResponse("/dev/cprs", status_code=303)
