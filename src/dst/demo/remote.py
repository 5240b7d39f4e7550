"""Towns kept more than an hour from any VA facility, so the drive-time scenarios hold by construction."""

from __future__ import annotations

from functools import lru_cache

from dst.demo.model import DemoStation
from dst.demo.places import Gazetteer, Place
from dst.demo.stations import SCENARIO_STATIONS, domestic_stations
from dst.partners.types import great_circle_miles

# A remote town is at least this far (straight line) from every medical center; outpatient sites are
# never put within KEEP_CLEAR_MILES of it. 70 straight-line miles is more than an hour's drive under
# any estimator, so the town fails the 30- and 60-minute standards for every clinical service.
REMOTE_FROM_VAMC_MILES = 75.0
KEEP_CLEAR_MILES = 70.0
_HOME_RADII = (150.0, 300.0)  # how far from its home station a remote Veteran may plausibly live


def _distance_to_nearest(place: Place, stations: tuple[DemoStation, ...]) -> float:
    return min(place.miles_to(s.location.lat, s.location.lng) for s in stations)


def remote_place_for(station: DemoStation, places: Gazetteer) -> Place:
    """The town near `station` (same state when possible) that lies farthest from every medical center."""
    here = station.location
    for radius in _HOME_RADII:
        # A place within `radius` of this station is nearer to it than to any station 2 x radius away.
        nearby = tuple(
            s
            for s in domestic_stations()
            if great_circle_miles(s.location.lat, s.location.lng, here.lat, here.lng) <= 2 * radius
        )
        around = places.within(here.lat, here.lng, radius)
        scored = [
            (_distance_to_nearest(p, nearby), p) for miles, p in around if miles >= REMOTE_FROM_VAMC_MILES
        ]
        remote = [hit for hit in scored if hit[0] >= REMOTE_FROM_VAMC_MILES]
        in_state = [hit for hit in remote if hit[1].state == station.state]
        if in_state or remote:
            return max(in_state or remote, key=lambda hit: (hit[0], hit[1].zip))[1]
    msg = f"no place far enough from a VA medical center near station {station.sta3n}"
    raise LookupError(msg)


@lru_cache(maxsize=1)
def remote_places(places: Gazetteer) -> dict[str, Place]:
    """One remote town per scenario station (station number -> place)."""
    by_number = {s.sta3n: s for s in domestic_stations()}
    return {sta3n: remote_place_for(by_number[sta3n], places) for sta3n in SCENARIO_STATIONS}
