"""Real US places (ZIP centroids from the `zipcodes` package) and distance look-ups for the demo."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import zipcodes

from dst.partners.types import great_circle_miles

# States, DC and the inhabited territories; military (AA/AE/AP) and freely associated states are left out.
JURISDICTIONS: tuple[str, ...] = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP",
)  # fmt: skip
TERRITORIES: frozenset[str] = frozenset({"PR", "GU", "VI", "AS", "MP"})
# 38 U.S.C. 1703(d)(1)(B): no full-service VA medical facility in the State. Puerto Rico is not on the
# list because the San Juan VA Medical Center is a full-service hospital.
NO_FULL_SERVICE_VA: frozenset[str] = frozenset({"AK", "HI", "NH", "GU", "AS", "MP", "VI"})

# American Samoa and the Northern Mariana Islands have only PO-box ZIP codes; without them the demo
# could place nobody there.
_PO_BOX_ONLY: frozenset[str] = frozenset({"AS", "MP"})


def seeded_rng(seed: int, topic: str) -> random.Random:
    """A reproducible generator per topic, so adding one kind of demo data never shifts another."""
    # Synthetic demo data, not security: a seeded Mersenne Twister is exactly what is wanted.
    return random.Random(f"{seed}:{topic}")  # noqa: S311


def _lng_miles_lower_bound(lat: float, radius_miles: float) -> float:
    """Miles per degree of longitude at the poleward edge of a circle, shaved by 1%: never too big."""
    return max(0.5, 0.99 * 69.0 * math.cos(math.radians(min(89.0, abs(lat) + radius_miles / 69.0))))


def places_at_least(places: list[Place], lat: float, lng: float, miles: float) -> list[Place]:
    """The places `miles` or more from a point; a box test settles most without trigonometry."""
    lng_miles = _lng_miles_lower_bound(lat, miles)
    return [
        p
        for p in places
        if abs(p.lat - lat) * 69.0 >= miles
        or abs(p.lng - lng) * lng_miles >= miles
        or p.miles_to(lat, lng) >= miles
    ]


@dataclass(frozen=True, slots=True)
class Place:
    """One delivery ZIP code: where demo facilities, Veterans and providers are put."""

    zip: str
    city: str
    state: str
    county: str
    lat: float
    lng: float
    size: int  # ZIP codes sharing this city name: a rough stand-in for population
    area_code: str

    def fake_phone(self, line: int) -> str:
        """A number in the 555-0100..0199 block that is reserved for fiction, under the local area code."""
        return f"{self.area_code}-555-01{line % 100:02d}"

    def miles_to(self, lat: float, lng: float) -> float:
        return great_circle_miles(self.lat, self.lng, lat, lng)


class Gazetteer:
    """All demo places with a one-degree grid, so nearby-place queries stay cheap."""

    def __init__(self, places: tuple[Place, ...]) -> None:
        self.places = places
        self._grid: dict[tuple[int, int], list[Place]] = defaultdict(list)
        for place in places:
            self._grid[(math.floor(place.lat), math.floor(place.lng))].append(place)
        self._by_state: dict[str, list[Place]] = defaultdict(list)
        for place in places:
            self._by_state[place.state].append(place)

    def in_state(self, state: str) -> list[Place]:
        return self._by_state.get(state, [])

    def within(self, lat: float, lng: float, radius_miles: float) -> Iterator[tuple[float, Place]]:
        """(distance, place) for every place within the radius, in grid order."""
        # A lower bound on miles per degree, so the box tests below never drop a place that is in range.
        lng_miles = _lng_miles_lower_bound(lat, radius_miles)
        dlat = math.ceil(radius_miles / 69.0)
        dlng = min(180, math.ceil(radius_miles / lng_miles))
        row, col = math.floor(lat), math.floor(lng)
        for r in range(row - dlat, row + dlat + 1):
            for c in range(col - dlng, col + dlng + 1):
                for place in self._grid.get((r, c), ()):
                    # Cheap box test first: most of a block of one-degree cells is out of range.
                    if (
                        abs(place.lat - lat) * 69.0 > radius_miles
                        or abs(place.lng - lng) * lng_miles > radius_miles
                    ):
                        continue
                    miles = place.miles_to(lat, lng)
                    if miles <= radius_miles:
                        yield miles, place

    def nearest(self, lat: float, lng: float) -> Place:
        for radius in (5.0, 25.0, 100.0, 400.0):
            found = min(self.within(lat, lng, radius), default=None, key=lambda hit: hit[0])
            if found:
                return found[1]
        return min(self.places, key=lambda p: p.miles_to(lat, lng))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Standard (street-delivery) ZIP codes in the states, DC and territories, loaded once."""
    wanted = frozenset(JURISDICTIONS)
    rows = [
        z
        for z in zipcodes.list_all()
        if z["active"]
        and z["state"] in wanted
        and z["lat"]
        and (z["zip_code_type"] == "STANDARD" or z["state"] in _PO_BOX_ONLY)
    ]
    sizes = Counter((z["city"], z["state"]) for z in rows)
    places = tuple(
        Place(
            zip=z["zip_code"],
            city=z["city"],
            state=z["state"],
            county=z["county"] or "",
            lat=float(z["lat"]),
            lng=float(z["long"]),
            size=sizes[(z["city"], z["state"])],
            area_code=(z["area_codes"] or ["800"])[0],
        )
        for z in sorted(rows, key=lambda z: z["zip_code"])
    )
    return Gazetteer(places)
