"""An in-process Lighthouse Facilities API v1 speaking the same JSON:API wire format as the real one."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp

from dst.partners.facilities.nearby import MAX_DRIVE_TIME, estimated_bands, nearby_json
from dst.partners.facilities.query import (
    FACILITY_TYPES,
    BadQueryError,
    FacilitiesQuery,
    parse_query,
    select,
)
from dst.partners.facilities.services import is_known_service, normalize_service_id
from dst.partners.facilities.wire import detailed_services_json, facility_json
from dst.partners.fakes import delayed
from dst.partners.types import FacilityRecord, GeoPoint


def _error(status: int, title: str, detail: str) -> JSONResponse:
    body = {"errors": [{"title": title, "detail": detail, "code": str(status), "status": str(status)}]}
    return JSONResponse(body, status_code=status)


def _auth_failure(request: Request, api_key: str) -> JSONResponse | None:
    given = request.headers.get("apikey")
    if given is None:
        return JSONResponse({"message": "No API key found in request"}, status_code=401)
    if given != api_key:
        return JSONResponse({"message": "Invalid authentication credentials"}, status_code=401)
    return None


def _page_link(request: Request, page: int, per_page: int) -> str:
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "per_page")]
    query = urlencode([*kept, ("page", str(page)), ("per_page", str(per_page))])
    return f"{str(request.base_url).rstrip('/')}{request.url.path}?{query}"


def _links(request: Request, page: int, per_page: int, total_pages: int) -> dict[str, str]:
    last = max(total_pages, 1)
    links = {
        "self": _page_link(request, page, per_page),
        "first": _page_link(request, 1, per_page),
        "prev": _page_link(request, page - 1, per_page) if page > 1 else None,
        "next": _page_link(request, page + 1, per_page) if page < last else None,
        "last": _page_link(request, last, per_page),
    }
    # Recorded v1 answers leave out prev/next rather than sending null.
    return {name: link for name, link in links.items() if link is not None}


def _listing(
    request: Request,
    query: FacilitiesQuery,
    matches: list[tuple[FacilityRecord, float | None]],
    *,
    inline_wait_times: bool,
) -> dict[str, Any]:
    total = len(matches)
    total_pages = math.ceil(total / query.per_page) if query.per_page else 0
    start = (query.page - 1) * query.per_page
    window = matches[start : start + query.per_page]
    base = str(request.base_url).rstrip("/")
    meta: dict[str, Any] = {
        "pagination": {
            "currentPage": query.page,
            "perPage": query.per_page,
            "totalPages": total_pages,
            "totalEntries": total,
        }
    }
    if query.origin is not None:
        meta["distances"] = [{"id": r.facility_id, "distance": round(d or 0.0, 2)} for r, d in window]
    return {
        "data": [facility_json(r, base, inline_wait_times=inline_wait_times) for r, _ in window],
        "links": _links(request, query.page, query.per_page, total_pages),
        "meta": meta,
    }


def _nearby_query(request: Request) -> tuple[GeoPoint, int, list[str]]:
    """`lat` + `lng` (not `long`), `drive_time` in {10, 20, … 90}, optional `services[]`."""
    params = request.query_params
    try:
        point = GeoPoint(lat=float(params["lat"]), lng=float(params["lng"]))
        drive_time = int(params.get("drive_time", str(MAX_DRIVE_TIME)))
    except (KeyError, ValueError) as error:
        raise BadQueryError("lat and lng are required numbers; drive_time is whole minutes") from error
    if drive_time not in range(10, MAX_DRIVE_TIME + 1, 10):
        raise BadQueryError("drive_time must be 10, 20, … 90")
    services = params.getlist("services[]")
    if not all(is_known_service(s) for s in services):
        raise BadQueryError("unknown service")
    return point, drive_time, [normalize_service_id(s) for s in services]


def create_app(
    facilities: Sequence[FacilityRecord],
    api_key: str,
    latency_s: float = 0.0,
    *,
    inline_wait_times: bool = False,
    path_prefix: str = "",
) -> ASGIApp:
    """Serve `/facilities`, `/facilities/{id}`, `/facilities/{id}/services`, `/ids` and `/nearby`.

    With `inline_wait_times` each facility also carries the 2022 v1 `waitTimes` block, which saves
    the client one `/services` call per facility (the demo uses this; contract tests use both).
    `/nearby` derives 10-minute bands from the drive-time estimator instead of PSSG polygons.
    `path_prefix` (e.g. `/services/va_facilities/v1`) mounts the routes where Lighthouse has them.
    """
    by_id = {record.facility_id: record for record in facilities}
    app = FastAPI(title="Fake Lighthouse Facilities v1")
    routes = APIRouter()

    @app.middleware("http")
    async def gate(request: Request, call_next: Any) -> Any:
        return _auth_failure(request, api_key) or await call_next(request)

    @routes.get("/facilities")
    async def list_facilities(request: Request) -> JSONResponse:
        try:
            query = parse_query(request.query_params)
            body = _listing(request, query, select(facilities, query), inline_wait_times=inline_wait_times)
        except BadQueryError as error:
            return _error(400, "Bad Request", str(error))
        return JSONResponse(body)

    @routes.get("/facilities/{facility_id}")
    async def read_facility(facility_id: str, request: Request) -> JSONResponse:
        record = by_id.get(facility_id)
        if record is None:
            return _error(404, "Not Found", f"facility {facility_id} not found")
        base = str(request.base_url).rstrip("/")
        return JSONResponse({"data": facility_json(record, base, inline_wait_times=inline_wait_times)})

    @routes.get("/facilities/{facility_id}/services")
    async def read_services(facility_id: str, request: Request) -> JSONResponse:
        record = by_id.get(facility_id)
        if record is None:
            return _error(404, "Not Found", f"facility {facility_id} not found")
        return JSONResponse(detailed_services_json(record, str(request.base_url).rstrip("/")))

    @routes.get("/ids")
    async def list_ids(request: Request) -> JSONResponse:
        wanted = request.query_params.get("type")
        if wanted is not None and wanted not in FACILITY_TYPES:
            return _error(400, "Bad Request", "unknown type")
        chosen = [
            r.facility_id for r in facilities if wanted is None or r.facility_type == FACILITY_TYPES[wanted]
        ]
        return JSONResponse({"data": sorted(chosen)})

    @routes.get("/nearby")
    async def nearby(request: Request) -> JSONResponse:
        try:
            point, drive_time, services = _nearby_query(request)
        except BadQueryError as error:
            return _error(400, "Bad Request", str(error))
        return JSONResponse(nearby_json(estimated_bands(facilities, point, drive_time, services)))

    app.include_router(routes, prefix=path_prefix.rstrip("/"))
    return delayed(app, latency_s)
