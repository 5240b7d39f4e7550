"""An OSRM-compatible `table` service whose durations come from the estimator, so tests are exact."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp

from dst.partners.fakes import delayed
from dst.partners.routing.estimator import DriveTimeEstimator
from dst.partners.types import GeoPoint


class InvalidQueryError(ValueError):
    pass


def parse_coordinates(text: str) -> list[GeoPoint]:
    """Parse OSRM `lng,lat;lng,lat` text, refusing anything OSRM would refuse."""
    points = []
    for pair in text.split(";"):
        parts = pair.split(",")
        if len(parts) != 2:
            raise InvalidQueryError("Query string malformed close to position 0")
        try:
            lng, lat = float(parts[0]), float(parts[1])
        except ValueError as error:
            raise InvalidQueryError("Query string malformed close to position 0") from error
        if not (-180.0 <= lng <= 180.0 and -90.0 <= lat <= 90.0):
            raise InvalidQueryError("Coordinates are invalid")
        points.append(GeoPoint(lat=lat, lng=lng))
    if len(points) < 2:
        raise InvalidQueryError("Number of coordinates needs to be at least two")
    return points


def parse_indexes(text: str | None, count: int) -> list[int]:
    if text is None or text == "all":
        return list(range(count))
    try:
        indexes = [int(part) for part in text.split(";")]
    except ValueError as error:
        raise InvalidQueryError("Query string malformed close to position 0") from error
    if any(not 0 <= i < count for i in indexes):
        raise InvalidQueryError("Index out of range")
    return indexes


def _waypoint(point: GeoPoint) -> dict[str, object]:
    return {"hint": "", "distance": 0, "name": "", "location": [point.lng, point.lat]}


def table_answer(
    points: list[GeoPoint], sources: list[int], estimator: DriveTimeEstimator
) -> dict[str, object]:
    durations = [
        [round((estimator.estimate(points[s], "", p).minutes or 0.0) * 60.0, 1) for p in points]
        for s in sources
    ]
    return {
        "code": "Ok",
        "durations": durations,
        "sources": [_waypoint(points[s]) for s in sources],
        "destinations": [_waypoint(p) for p in points],
    }


def create_app(*, latency_s: float = 0.0, estimator: DriveTimeEstimator | None = None) -> ASGIApp:
    """`GET /table/v1/driving/{coordinates}?sources=…&annotations=duration`."""
    router = estimator or DriveTimeEstimator()
    app = FastAPI(title="Fake OSRM")

    @app.get("/table/v1/driving/{coordinates}")
    async def table(coordinates: str, request: Request) -> JSONResponse:
        try:
            points = parse_coordinates(coordinates.removesuffix(".json"))
            sources = parse_indexes(request.query_params.get("sources"), len(points))
        except InvalidQueryError as error:
            return JSONResponse({"code": "InvalidQuery", "message": str(error)}, status_code=400)
        return JSONResponse(table_answer(points, sources, router))

    return delayed(app, latency_s)
