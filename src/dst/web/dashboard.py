"""The dashboard's panels, each gathered on its own so a slow partner delays only the panel that needs it.

`/dst/{id}` answers at once with the consult facts and a placeholder per panel; `dst.js` fills each
from `/dst/{id}/panels/{name}`. Without JavaScript the page sends the browser to `?static=1`, where
every panel is rendered on the server in one answer.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import Principal
from dst.consults import identity, serializers, service, workflow
from dst.consults.context import RecordContext
from dst.eligibility import BMI_FACTORS, CRITERION_LABELS
from dst.partners.advice import RETRYABLE_PARTNERS
from dst.partners.errors import Partner
from dst.reference import service as reference
from dst.reference.models import Facility
from dst.web import schematic
from dst.web.deps import ClinicalUser, check_csrf, get_panels, get_runtime, in_transaction
from dst.web.security import CSP
from dst.web.templating import render

router = APIRouter(include_in_schema=False)

PANELS = ("patient", "facilities", "map", "eligibility", "providers", "decision")
PANEL_TITLES = {
    "patient": "the Veteran's identity and address",
    "facilities": "VA facilities",
    "map": "the map",
    "eligibility": "community care eligibility",
    "providers": "community providers",
    "decision": "the decision form",
}


IDENTIFY_OUTCOME = "identify-outcome"  # the session key holding the last MVI search's outcome code


def identify_outcome(request: Request, dst_id: str) -> dict[str, str] | None:
    """The outcome of the MVI search by traits just made for this record, shown once."""
    held = request.session.get(IDENTIFY_OUTCOME)
    if not held or held.get("dstId") != dst_id:
        return None
    request.session.pop(IDENTIFY_OUTCOME, None)
    code = held.get("outcome", "")
    return {"code": code, "text": identity.outcome_text(code), "found": code == identity.IDENTIFIED}


def record_reads(
    dst_id: str, principal: Principal, action: str, *, full: bool = True
) -> Callable[[Session], tuple[RecordContext, dict[str, Any]]]:
    """One transaction per request: the audited read, the panel context and what the page shows.

    On SQLite every transaction queues for the write lock, so fewer of them is what keeps the
    panels quick when six arrive at once.
    """

    def reads(session: Session) -> tuple[RecordContext, dict[str, Any]]:
        record = service.get_record(session, dst_id)
        record_event(
            session, principal=principal, action=action, dst_id=dst_id, icn=record.icn, station=record.station
        )
        data: dict[str, Any] = {"record": serializers.record_json(record)}
        if full:
            data |= {
                "seocs": [
                    serializers.seoc_json(s) for s in reference.seocs_for(session, record.clinical_service)
                ],
                "cc_services": reference.community_care_services(session, record.station),
                "default_forward": reference.default_forward_target(
                    session, station=record.station, clinical_service=record.clinical_service
                )
                if record.clinical_service
                else "",
            }
        return RecordContext.of(record), data

    return reads


async def _patient(request: Request, ctx: RecordContext) -> dict[str, Any]:
    return {"patient": serializers.patient_json(await get_panels(request).patient(ctx))}


async def _facilities(request: Request, ctx: RecordContext) -> dict[str, Any]:
    panel = await get_panels(request).facilities(ctx)
    return {"facilities": serializers.facilities_json(ctx, panel, get_runtime(request).today())}


async def _providers(request: Request, ctx: RecordContext) -> dict[str, Any]:
    return {"providers": serializers.providers_json(await get_panels(request).providers(ctx))}


async def _eligibility(request: Request, ctx: RecordContext) -> dict[str, Any]:
    facilities, assessment = await asyncio.gather(
        _facilities(request, ctx), workflow.assess_record(get_runtime(request), ctx)
    )
    return {**facilities, "eligibility": serializers.eligibility_json(assessment), "labels": CRITERION_LABELS}


async def _decision(request: Request, ctx: RecordContext) -> dict[str, Any]:
    eligibility = await _eligibility(request, ctx)
    return {**eligibility, "bmi_factors": BMI_FACTORS}


async def _map(request: Request, ctx: RecordContext) -> dict[str, Any]:
    patient, facilities, providers = await asyncio.gather(
        _patient(request, ctx), _facilities(request, ctx), _providers(request, ctx)
    )
    data = {**patient, **facilities, **providers, "drawing": None}
    location = patient["patient"]["location"]
    radius = facilities["facilities"]["radiusMiles"] or providers["providers"]["radiusMiles"]
    if location is None or radius is None:
        return data
    ids = [f["facilityId"] for f in facilities["facilities"]["facilities"]]
    places = await in_transaction(request, lambda s: _facility_points(s, ids))
    rows = [
        (f["name"], *places[f["facilityId"]], f["withinDriveStandard"], _facility_detail(f))
        for f in facilities["facilities"]["facilities"]
        if f["facilityId"] in places
    ]
    found = (await get_panels(request).providers(ctx)).providers[:10]  # cached: no second PPMS call
    nearest = [
        (p.name, p.location.lat, p.location.lng, f"{p.distance_miles or 0:.1f} mi straight line")
        for p in found
    ]
    tiles = request.app.state.settings.map_tile_url
    data["drawing"] = schematic.draw((location["lat"], location["lng"]), radius, rows, nearest, tiles)
    return data


def _facility_points(session: Session, ids: list[str]) -> dict[str, tuple[float, float]]:
    rows = session.execute(
        select(Facility.facility_id, Facility.lat, Facility.lng).where(Facility.facility_id.in_(ids))
    )
    return {fid: (lat, lng) for fid, lat, lng in rows if lat is not None and lng is not None}


def _facility_detail(row: dict[str, Any]) -> str:
    if row["driveMinutes"] is None:
        return "drive time not available"
    minutes = f"{round(row['driveMinutes'])} min drive"
    return minutes + (", outside the standard" if row["withinDriveStandard"] is False else "")


GATHER: dict[str, Callable[[Request, RecordContext], Awaitable[dict[str, Any]]]] = {
    "patient": _patient,
    "facilities": _facilities,
    "providers": _providers,
    "eligibility": _eligibility,
    "decision": _decision,
    "map": _map,
}


def form_from_entries(entries: dict[str, Any] | None) -> dict[str, Any]:
    entries = entries or {}
    return {
        "veteranOption": entries.get("veteranOption"),
        "seocId": entries.get("seocId"),
        "forward": "yes" if entries.get("forward") else "no",
        "forwardTo": entries.get("forwardTo"),
        "bmiFactor": (entries.get("bmi") or {}).get("factor"),
        "bmiExplanation": (entries.get("bmi") or {}).get("explanation"),
        "nextAvailableDate": entries.get("nextAvailableDate"),
        "veteranAgreedLaterDate": entries.get("veteranAgreedLaterDate"),
        # A saved agreed date before the next available appointment was confirmed when it was saved.
        "agreedDateConfirmed": "yes" if _agreed_before_available(entries) else None,
    }


def _agreed_before_available(entries: dict[str, Any]) -> bool:
    agreed, available = entries.get("veteranAgreedLaterDate"), entries.get("nextAvailableDate")
    return bool(agreed and available and str(agreed) < str(available))


async def page_context(request: Request, dst_id: str, principal: Principal, *, live: bool) -> dict[str, Any]:
    """The shell's context; with `live=False` every panel's data as well."""
    ctx, data = await in_transaction(request, record_reads(dst_id, principal, "view-dashboard"))
    base = {
        **data,
        "live": live,
        "panel_titles": PANEL_TITLES,
        "form": form_from_entries(data["record"]["entries"]),
        "idempotency_key": str(uuid.uuid4()),
        "someone_else": _saved_by_someone_else(data["record"], principal),
    }
    if live:
        return base
    base["identify_outcome"] = identify_outcome(request, dst_id)
    gathered = await asyncio.gather(*(GATHER[name](request, ctx) for name in ("map", "decision")))
    for part in gathered:
        base.update(part)
    base["all_problems"] = unique_problems(
        base["patient"]["errors"], base["facilities"]["errors"], base["providers"]["errors"]
    )
    return base


def unique_problems(*lists: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each partner problem once, by its code, however many panels it touched."""
    seen: dict[str, dict[str, str]] = {}
    for errors in lists:
        for error in errors:
            seen.setdefault(error["code"], error)
    return list(seen.values())


def _saved_by_someone_else(record: dict[str, Any], principal: Principal) -> dict[str, str] | None:
    decision = record.get("decision")
    if not decision or decision["decidedBy"] == principal.display_name:
        return None
    return {"by": decision["decidedBy"], "role": decision["decidedRole"], "at": decision["decidedAt"]}


def with_map_images(response: Response, settings: Any) -> Response:
    """A configured base map needs its tile host in img-src; nothing else is loosened."""
    origin = schematic.tile_origin(settings.map_tile_url)
    if origin:
        response.headers["Content-Security-Policy"] = CSP.replace(
            "img-src 'self' data:", f"img-src 'self' data: {origin}"
        )
    return response


@router.get("/dst/{dst_id}/panels/{name}", response_class=HTMLResponse)
async def panel_fragment(request: Request, dst_id: str, name: str, principal: ClinicalUser) -> Response:
    if name not in GATHER:
        raise HTTPException(404, f"There is no dashboard panel called {name!r}.")
    action = f"view-panel-{name}"
    ctx, data = await in_transaction(
        request, record_reads(dst_id, principal, action, full=name == "decision")
    )
    context: dict[str, Any] = {"name": name, "live": True, **data}
    if name == "patient":
        context["identify_outcome"] = identify_outcome(request, dst_id)
    if name == "decision":
        context |= {
            "form": form_from_entries(data["record"]["entries"]),
            "idempotency_key": str(uuid.uuid4()),
        }
    context |= await GATHER[name](request, ctx)
    return render(request, "panels/fragment.html", context)


@router.post("/dst/{dst_id}/retry")
async def retry_partner(request: Request, dst_id: str, principal: ClinicalUser) -> Response:
    """Ask one partner again for this record: its failure is forgotten (here and in the shared
    answers), the other partners' answers stay, and the page refetches its panels."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    partner = _retryable(str(form.get("partner") or ""))

    def work(session: Session) -> None:
        record = service.get_record(session, dst_id)
        record_event(
            session,
            principal=principal,
            action="retry-partner",
            dst_id=dst_id,
            icn=record.icn,
            station=record.station,
            detail={"partner": partner.value},
        )
        panels = get_panels(request)
        if panels.shared is not None:
            panels.shared.forget_failure(session, dst_id, partner)

    await in_transaction(request, work)
    get_panels(request).forget_partner(dst_id, partner)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"retried": partner.value})
    page = f"/dst/{dst_id}" + ("?static=1" if form.get("static") else "")
    return RedirectResponse(page + "#summary", status_code=303)


def _retryable(name: str) -> Partner:
    names = ", ".join(p.value for p in RETRYABLE_PARTNERS)
    try:
        partner = Partner(name)
    except ValueError:
        partner = None
    if partner not in RETRYABLE_PARTNERS:
        raise HTTPException(422, f"Retry asks one of the record's partners again ({names}), not {name!r}.")
    assert partner is not None
    return partner
