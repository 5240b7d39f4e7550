"""The `/facilities` query rules Lighthouse enforces, for the fake: parse, validate, filter."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.datastructures import QueryParams

from dst.partners.facilities.services import is_known_service, normalize_service_id
from dst.partners.types import FacilityRecord, GeoPoint

FACILITY_TYPES = {
    "health": "va_health_facility",
    "benefits": "va_benefits_facility",
    "cemetery": "va_cemetery",
    "vet_center": "vet_center",
}
MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 10
_ZIP = re.compile(r"^[0-9]{5}(-[0-9]{4})?\Z")


class BadQueryError(ValueError):
    """The request breaks a Lighthouse parameter rule (answered with 400)."""


@dataclass(frozen=True)
class FacilitiesQuery:
    ids: tuple[str, ...] | None = None
    facility_type: str | None = None
    services: tuple[str, ...] = ()
    mobile: bool | None = None
    bbox: tuple[float, float, float, float] | None = None  # min lng, min lat, max lng, max lat
    origin: GeoPoint | None = None
    radius_miles: float | None = None
    state: str | None = None
    zip: str | None = None
    visn: str | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


def _number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError as error:
        raise BadQueryError(f"{name} must be a number") from error


def _integer(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadQueryError(f"{name} must be an integer from {low} to {high}")
    return int(raw)


def _location_groups(params: QueryParams) -> list[str]:
    groups = {"bbox": "bbox[]", "lat/long": "lat", "state": "state", "zip": "zip", "visn": "visn"}
    present = [group for group, key in groups.items() if key in params]
    if "long" in params and "lat/long" not in present:
        present.append("lat/long")
    return present


def _check_combination(params: QueryParams) -> None:
    groups = _location_groups(params)
    if len(groups) > 1:
        raise BadQueryError(f"cannot combine {' and '.join(groups)}")
    if ("lat" in params) != ("long" in params):
        raise BadQueryError("lat and long go together")
    if "radius" in params and "lat" not in params:
        raise BadQueryError("radius needs lat and long")
    ids = params.get("facilityIds") or params.get("ids")
    if ids and groups and groups[0] != "lat/long":
        raise BadQueryError(f"facilityIds cannot be combined with {groups[0]}")
    if groups == ["visn"] and any(k in params for k in ("type", "services[]", "mobile")):
        raise BadQueryError("visn takes no filters")


def _bbox(params: QueryParams) -> tuple[float, float, float, float] | None:
    values = params.getlist("bbox[]")
    if not values:
        return None
    if len(values) != 4:
        raise BadQueryError("bbox[] needs exactly 4 values")
    lng1, lat1, lng2, lat2 = (_number(v, "bbox[]") for v in values)
    return min(lng1, lng2), min(lat1, lat2), max(lng1, lng2), max(lat1, lat2)


def _origin(params: QueryParams) -> GeoPoint | None:
    if "lat" not in params:
        return None
    lat, lng = _number(params["lat"], "lat"), _number(params["long"], "long")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise BadQueryError("lat/long out of range")
    return GeoPoint(lat=lat, lng=lng)


def _filters(params: QueryParams) -> tuple[str | None, tuple[str, ...], bool | None]:
    facility_type = params.get("type")
    if facility_type is not None and facility_type not in FACILITY_TYPES:
        raise BadQueryError(f"type must be one of {', '.join(FACILITY_TYPES)}")
    services = params.getlist("services[]")
    unknown = [s for s in services if not is_known_service(s)]
    if unknown:
        raise BadQueryError(f"unknown service {unknown[0]}")
    mobile = params.get("mobile")
    if mobile is not None and mobile not in ("true", "false"):
        raise BadQueryError("mobile must be true or false")
    normalized = tuple(normalize_service_id(s) for s in services)
    return facility_type, normalized, None if mobile is None else mobile == "true"


def _place(params: QueryParams) -> tuple[str | None, str | None]:
    state, zip_code = params.get("state"), params.get("zip")
    if state is not None and not (len(state) == 2 and state.isalpha()):
        raise BadQueryError("state must be a two-letter code")
    if zip_code is not None and not _ZIP.match(zip_code):
        raise BadQueryError("zip must be 5 digits or ZIP+4")
    return (state.upper() if state else None), (zip_code[:5] if zip_code else None)


def parse_query(params: QueryParams) -> FacilitiesQuery:
    _check_combination(params)
    raw_ids = params.get("facilityIds", params.get("ids"))
    facility_type, services, mobile = _filters(params)
    state, zip_code = _place(params)
    radius = _number(params["radius"], "radius") if "radius" in params else None
    if radius is not None and radius < 0:
        raise BadQueryError("radius must not be negative")
    return FacilitiesQuery(
        ids=tuple(i for i in raw_ids.split(",") if i) if raw_ids else None,
        facility_type=facility_type,
        services=services,
        mobile=mobile,
        bbox=_bbox(params),
        origin=_origin(params),
        radius_miles=radius,
        state=state,
        zip=zip_code,
        visn=params.get("visn"),
        page=_integer(params, "page", 1, 1, 1_000_000),
        per_page=_integer(params, "per_page", DEFAULT_PER_PAGE, 0, MAX_PER_PAGE),
    )


def _matches(record: FacilityRecord, query: FacilitiesQuery) -> bool:
    checks = (
        query.ids is None or record.facility_id in query.ids,
        query.facility_type is None or record.facility_type == FACILITY_TYPES[query.facility_type],
        not query.services or any(s in record.services for s in query.services),
        query.mobile is not True,  # the fake serves no mobile units
        query.state is None or record.address.state == query.state,
        query.zip is None or (record.address.zip or "")[:5] == query.zip,
        query.visn is None or record.visn == query.visn,
        query.bbox is None or _in_bbox(record.location, query.bbox),
    )
    return all(checks)


def _in_bbox(point: GeoPoint | None, bbox: tuple[float, float, float, float]) -> bool:
    return point is not None and bbox[0] <= point.lng <= bbox[2] and bbox[1] <= point.lat <= bbox[3]


def select(
    records: Sequence[FacilityRecord], query: FacilitiesQuery
) -> list[tuple[FacilityRecord, float | None]]:
    """Matching records with their distance in miles (lat/long queries), sorted as Lighthouse sorts."""
    chosen = [r for r in records if _matches(r, query)]
    if query.origin is None:
        return [(r, None) for r in sorted(chosen, key=lambda r: r.facility_id)]
    origin = query.origin
    located = [(r, origin.miles_to(r.location)) for r in chosen if r.location is not None]
    if query.radius_miles is not None:
        located = [(r, d) for r, d in located if d <= query.radius_miles]
    return [(r, d) for r, d in sorted(located, key=lambda pair: pair[1])]
