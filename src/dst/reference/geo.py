"""Straight-line distance and ZIP-centroid placement (offline, from the `zipcodes` package)."""

from __future__ import annotations

import math
from functools import lru_cache

import zipcodes

from dst.partners.types import GeoPoint

EARTH_RADIUS_MILES = 3958.8


def miles_between(a: GeoPoint, b: GeoPoint) -> float:
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlng = math.radians(b.lng - a.lng)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))


def bounding_box(center: GeoPoint, radius_miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) enclosing the circle; a cheap index-friendly prefilter."""
    dlat = radius_miles / 69.0
    dlng = radius_miles / max(1.0, 69.0 * math.cos(math.radians(center.lat)))
    return center.lat - dlat, center.lat + dlat, center.lng - dlng, center.lng + dlng


@lru_cache(maxsize=4096)
def zip_centroid(zip_code: str) -> GeoPoint | None:
    five = (zip_code or "").strip()[:5]
    if len(five) != 5 or not five.isdigit():
        return None
    matches = zipcodes.matching(five)
    if not matches:
        return None
    return GeoPoint(float(matches[0]["lat"]), float(matches[0]["long"]))
