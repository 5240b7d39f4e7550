"""Lighthouse `/nearby` drive-time bands: the wire format, and the bands the fake derives from distance."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dst.partners.routing.estimator import DriveTimeEstimator
from dst.partners.types import FacilityRecord, GeoPoint

BAND_MINUTES = 10  # PSSG publishes 10-minute rings: 0-10, 10-20 … 80-90
MAX_DRIVE_TIME = 90
FAKE_BAND_VERSION = "FAKE-ESTIMATE"  # says plainly that the fake's bands are not PSSG polygons


class MalformedBandError(ValueError):
    pass


@dataclass(frozen=True)
class DriveTimeBand:
    """The query point lies inside this facility's `min_minutes`-`max_minutes` drive band."""

    facility_id: str
    min_minutes: int
    max_minutes: int


@dataclass(frozen=True)
class NearbyAnswer:
    bands: tuple[DriveTimeBand, ...]
    band_version: str | None  # PSSG's MONTHYEAR, kept as evidence for the decision record


def _minutes(attributes: Mapping[str, Any], v1: str, v0: str) -> int:
    value = attributes.get(v1, attributes.get(v0))
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedBandError(f"band without {v1}")
    return value


def parse_nearby(body: Any) -> NearbyAnswer:
    """v1 `minTime`/`maxTime`/`bandVersion` or v0 `min_time`/`max_time`/`band_version`; `{}` is none."""
    if not isinstance(body, Mapping):
        raise MalformedBandError("answer is not an object")
    items = body.get("data", [])
    if not isinstance(items, list):
        raise MalformedBandError("data is not a list")
    bands = []
    for item in items:
        attributes = item.get("attributes") if isinstance(item, Mapping) else None
        facility_id = item.get("id") if isinstance(item, Mapping) else None
        if not isinstance(attributes, Mapping) or not isinstance(facility_id, str):
            raise MalformedBandError("band without id or attributes")
        low, high = _minutes(attributes, "minTime", "min_time"), _minutes(attributes, "maxTime", "max_time")
        bands.append(DriveTimeBand(facility_id, low, high))
    meta = body.get("meta")
    version = meta.get("bandVersion", meta.get("band_version")) if isinstance(meta, Mapping) else None
    return NearbyAnswer(tuple(bands), version if isinstance(version, str) else None)


def estimated_bands(
    facilities: Sequence[FacilityRecord], point: GeoPoint, drive_time: int, services: Sequence[str]
) -> list[DriveTimeBand]:
    """The band each health facility would fall in by the estimator, as the fake answers `/nearby`."""
    estimator = DriveTimeEstimator()
    bands = []
    for record in facilities:
        if record.location is None or record.facility_type != "va_health_facility":
            continue
        if services and not any(s in record.services for s in services):
            continue
        minutes = estimator.estimate(point, record.facility_id, record.location).minutes or 0.0
        high = max(BAND_MINUTES, math.ceil(minutes / BAND_MINUTES) * BAND_MINUTES)
        if high <= drive_time:
            bands.append(DriveTimeBand(record.facility_id, high - BAND_MINUTES, high))
    return sorted(bands, key=lambda band: (band.max_minutes, band.facility_id))


def nearby_json(bands: Sequence[DriveTimeBand]) -> dict[str, Any]:
    data = [
        {
            "id": band.facility_id,
            "type": "nearby_facility",
            "attributes": {"minTime": band.min_minutes, "maxTime": band.max_minutes},
        }
        for band in bands
    ]
    return {"data": data, "meta": {"bandVersion": FAKE_BAND_VERSION}}
