"""OSRM `table` service client: drive minutes from one origin to many destinations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import httpx2

from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.resilience import check_status, decode_json, require_mapping, send
from dst.partners.routing.estimator import DriveTimeEstimator
from dst.partners.types import DriveTime, GeoPoint

METHOD_TEXT = "routing: OSRM table, fastest road route"
_P = Partner.ROUTING


def osrm_coordinates(points: Sequence[GeoPoint]) -> str:
    """OSRM wants `lng,lat` pairs joined by `;` (the reverse of the usual lat,lng order)."""
    return ";".join(f"{p.lng:.6f},{p.lat:.6f}" for p in points)


class RoutingClient:
    def __init__(self, base_url: str, http: httpx2.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http

    async def drive_minutes(
        self, origin: GeoPoint, destinations: Sequence[tuple[str, GeoPoint]]
    ) -> list[DriveTime]:
        if not destinations:
            return []
        points = [origin, *(point for _, point in destinations)]
        url = f"{self.base_url}/table/v1/driving/{osrm_coordinates(points)}"
        response = await send(_P, self.http, url, params={"sources": "0", "annotations": "duration"})
        check_status(_P, response)
        body = require_mapping(_P, decode_json(_P, response), "answer")
        if body.get("code") != "Ok":
            raise PartnerError(_P, FailureKind.REJECTED, f"OSRM refused the query: {body.get('code')}")
        row = _first_row(body, expected=len(points))
        # Column 0 is the origin itself; the destinations follow in request order.
        return [
            _drive_time(destination_id, seconds)
            for (destination_id, _), seconds in zip(destinations, row[1:], strict=True)
        ]


def _first_row(body: dict[str, object], *, expected: int) -> list[object]:
    durations = body.get("durations")
    if not isinstance(durations, list) or not durations or not isinstance(durations[0], list):
        raise PartnerError(_P, FailureKind.MALFORMED, "OSRM answer has no durations row")
    row: list[object] = durations[0]
    if len(row) != expected:
        raise PartnerError(_P, FailureKind.MALFORMED, "OSRM durations row has the wrong length")
    return row


def _drive_time(destination_id: str, seconds: object) -> DriveTime:
    if seconds is None:  # OSRM: no route between the two points
        return DriveTime(destination_id, None, source="routing", method=f"{METHOD_TEXT}; no route found")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        raise PartnerError(_P, FailureKind.MALFORMED, "OSRM duration is not a number")
    return DriveTime(destination_id, round(seconds / 60.0, 1), source="routing", method=METHOD_TEXT)


class DriveTimeSource(Protocol):
    """What the eligibility engine needs: RoutingClient with a router, DriveTimeEstimator without."""

    async def drive_minutes(
        self, origin: GeoPoint, destinations: Sequence[tuple[str, GeoPoint]]
    ) -> list[DriveTime]: ...


def drive_time_source(routing_url: str | None, http: httpx2.AsyncClient) -> DriveTimeSource:
    """The OSRM client when a routing URL is configured, otherwise the labelled estimator."""
    return RoutingClient(routing_url, http) if routing_url else DriveTimeEstimator()
