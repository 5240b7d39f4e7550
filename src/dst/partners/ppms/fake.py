"""An in-process PPMS DWS (OData v1.0) serving ProviderLocator and Specialties from a grid index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp

from dst.partners.fakes import delayed
from dst.partners.ppms.index import CareSiteIndex
from dst.partners.ppms.wire import NO_PROVIDERS_MESSAGE, provider_row, specialty_row
from dst.partners.routing.estimator import estimated_minutes
from dst.partners.types import CommunityProvider, GeoPoint

CONTEXT = "https://dws.ppms.va.gov/v1.0/$metadata"
MAX_RESULTS_LIMIT = 625  # the ICD's ceiling for maxResults
MAX_RADIUS_MILES = 500


class BadLocatorQueryError(ValueError):
    pass


@dataclass(frozen=True)
class LocatorQuery:
    point: GeoPoint
    radius_miles: float
    codes: tuple[str, ...]
    max_results: int


def odata_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": "", "message": message}}, status_code=status)


def _unquote(text: str) -> str:
    """The legacy form quotes values ('213E00000X'); the current form does not. Accept both."""
    return text.strip().strip("'\"")


def _point(address: str | None) -> GeoPoint:
    parts = _unquote(address or "").split(",")
    try:
        lat, lng = (float(part) for part in parts)
    except ValueError as error:
        raise BadLocatorQueryError("address must be 'latitude,longitude'") from error
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise BadLocatorQueryError("address coordinates out of range")
    return GeoPoint(lat=lat, lng=lng)


def _bounded(text: str | None, name: str, default: float, high: float) -> float:
    try:
        value = default if text is None else float(_unquote(text))
    except ValueError as error:
        raise BadLocatorQueryError(f"{name} must be a number") from error
    if not 0 < value <= high:
        raise BadLocatorQueryError(f"{name} must be above 0 and at most {high:g}")
    return value


def parse_locator_query(params: Mapping[str, str]) -> LocatorQuery:
    codes = tuple(
        _unquote(params[f"specialtycode{n}"])
        for n in range(1, 6)
        if params.get(f"specialtycode{n}") and _unquote(params[f"specialtycode{n}"]) != "null"
    )
    if not codes:
        raise BadLocatorQueryError("at least one specialtycode is required")
    return LocatorQuery(
        point=_point(params.get("address")),
        radius_miles=_bounded(params.get("radius"), "radius", 0, MAX_RADIUS_MILES),
        codes=codes,
        max_results=int(_bounded(params.get("maxResults"), "maxResults", 50, MAX_RESULTS_LIMIT)),
    )


class ProviderDirectory:
    """The providers and their index, built once at start-up."""

    def __init__(self, providers: Sequence[CommunityProvider]) -> None:
        self.providers = providers
        self.index = CareSiteIndex(
            ((p.location.lat, p.location.lng) for p in providers), (p.specialty_codes for p in providers)
        )

    def locate(self, query: LocatorQuery) -> list[dict[str, Any]]:
        point = query.point
        found = self.index.within(point.lat, point.lng, query.radius_miles, query.codes, query.max_results)
        rows = []
        for miles, number in found:
            provider = self.providers[number]
            code = next(c for c in query.codes if c in provider.specialty_codes)
            rows.append(provider_row(provider, code, miles, estimated_minutes(miles)))
        return rows


def create_app(
    providers: Sequence[CommunityProvider],
    specialties: Sequence[Mapping[str, Any]] | None = None,
    latency_s: float = 0.0,
) -> ASGIApp:
    """`GET /v1.0/ProviderLocator` and `GET /v1.0/Specialties` in OData `value` envelopes.

    Without `specialties`, the list is every code the providers carry, named by its code.
    """
    directory = ProviderDirectory(providers)
    specialty_rows = (
        [dict(row) for row in specialties]
        if specialties is not None
        else [specialty_row(code) for code in sorted({c for p in providers for c in p.specialty_codes})]
    )
    app = FastAPI(title="Fake PPMS DWS v1.0")

    @app.get("/v1.0/ProviderLocator")
    async def provider_locator(request: Request) -> JSONResponse:
        try:
            query = parse_locator_query(request.query_params)
        except BadLocatorQueryError as error:
            return odata_error(400, str(error))
        rows = directory.locate(query)
        if not rows:
            return odata_error(500, NO_PROVIDERS_MESSAGE)  # PPMS's way of saying "none"
        context = f"{CONTEXT}#Collection(PpmsDwsApis.NetFramework.Models.V10.CosmosProviderLocatorResult)"
        return JSONResponse({"@odata.context": context, "value": rows})

    @app.get("/v1.0/Specialties")
    async def list_specialties() -> JSONResponse:
        return JSONResponse({"@odata.context": f"{CONTEXT}#Specialties", "value": specialty_rows})

    return delayed(app, latency_s)
