"""A grid index of care sites by specialty code, so a radius search touches only nearby cells."""

from __future__ import annotations

import heapq
import math
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence

from dst.partners.types import EARTH_RADIUS_MILES

CELL_DEGREES = 0.5  # about 35 miles of latitude: a 40-mile search reads a 3×3 to 4×4 block of cells
MILES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_MILES / 180.0
_Cell = tuple[str, int, int]


def _cell(lat: float, lng: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEGREES), math.floor(lng / CELL_DEGREES)


class CareSiteIndex:
    """Site positions kept in flat arrays; buckets map (specialty code, cell) to site numbers.

    Built once when the fake starts. A query reads only the buckets of the requested codes whose
    cells overlap the search circle's bounding box, then measures exact great-circle distances.
    """

    def __init__(self, points: Iterable[tuple[float, float]], codes: Iterable[Sequence[str]]) -> None:
        # Radians and cos(lat) are stored, not degrees: the haversine in the hot loop then needs
        # one cos fewer per candidate, which is what keeps dense metro searches under 20 ms.
        self._lat = array("d")
        self._lng = array("d")
        self._cos_lat = array("d")
        buckets: defaultdict[_Cell, array[int]] = defaultdict(lambda: array("l"))
        for number, ((lat, lng), site_codes) in enumerate(zip(points, codes, strict=True)):
            self._lat.append(math.radians(lat))
            self._lng.append(math.radians(lng))
            self._cos_lat.append(math.cos(math.radians(lat)))
            row, col = _cell(lat, lng)
            for code in dict.fromkeys(site_codes):
                buckets[(code, row, col)].append(number)
        self._buckets = dict(buckets)

    def __len__(self) -> int:
        return len(self._lat)

    def within(
        self, lat: float, lng: float, radius_miles: float, codes: Iterable[str], limit: int | None = None
    ) -> list[tuple[float, int]]:
        """(miles, site number) for sites offering any of `codes` within the radius, nearest first."""
        found: dict[int, float] = {}
        lat0, lng0 = math.radians(lat), math.radians(lng)
        cos0 = math.cos(lat0)
        # Compare haversine terms instead of miles: asin and sqrt run only for the sites kept.
        h_max = math.sin(min(math.pi / 2, radius_miles / EARTH_RADIUS_MILES / 2)) ** 2
        lats, lngs, coss, sin = self._lat, self._lng, self._cos_lat, math.sin
        for key in self._keys(lat, lng, radius_miles, codes):
            for number in self._buckets.get(key, ()):
                if number in found:
                    continue
                h = (
                    sin((lats[number] - lat0) / 2) ** 2
                    + cos0 * coss[number] * sin((lngs[number] - lng0) / 2) ** 2
                )
                if h <= h_max:
                    found[number] = h
        nearest = (
            sorted((h, n) for n, h in found.items())
            if limit is None
            else heapq.nsmallest(limit, ((h, n) for n, h in found.items()))
        )
        return [(2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h))), n) for h, n in nearest]

    def _keys(self, lat: float, lng: float, radius_miles: float, codes: Iterable[str]) -> list[_Cell]:
        dlat = radius_miles / MILES_PER_DEGREE_LAT
        # Longitude degrees shrink toward the poles; near them, search every longitude. Cells do
        # not wrap at ±180°, which only the far Aleutians would notice.
        cos_lat = math.cos(math.radians(min(abs(lat) + dlat, 89.9)))
        dlng = min(180.0, dlat / cos_lat)
        row0, col0 = _cell(lat - dlat, lng - dlng)
        row1, col1 = _cell(lat + dlat, lng + dlng)
        return [
            (code, row, col)
            for code in dict.fromkeys(codes)
            for row in range(row0, row1 + 1)
            for col in range(col0, col1 + 1)
        ]
