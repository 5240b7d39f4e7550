"""Straight-line distance and ZIP-centroid placement (offline, from the `zipcodes` package)."""

from __future__ import annotations

import math
from functools import lru_cache

import zipcodes

from dst.partners.types import GeoPoint


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
