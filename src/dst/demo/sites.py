"""Where outpatient sites go: how many each medical center runs, and at which real towns."""

from __future__ import annotations

import random

from dst.demo.model import DemoStation
from dst.demo.places import Gazetteer, Place, places_at_least, seeded_rng
from dst.demo.remote import KEEP_CLEAR_MILES

OUTPATIENT_SITES = 1_100
CBOC_MIN_MILES, CBOC_MAX_MILES = 30.0, 120.0
MAX_SITES_PER_STATION = 26  # suffixes GA..GZ
# Pacific and Caribbean clinics hang off Honolulu and San Juan as they do in VA: far beyond the usual
# 120-mile ring, but the only VA care in those territories.
TERRITORY_CLINICS: dict[str, tuple[tuple[str, str], ...]] = {
    "459": (("Hagatna", "GU"), ("Saipan", "MP"), ("Pago Pago", "AS")),
    "672": (("Christiansted", "VI"), ("St Thomas", "VI")),
}
_SPREAD_MILES = 8.0  # two clinics of one medical center are never in the same neighbourhood
_SAME_STATE_PULL = 3.0  # clinics mostly serve the parent's own state


def _site_targets(stations: tuple[DemoStation, ...], rng: random.Random) -> dict[str, int]:
    """Sites per medical center, varied but summing to OUTPATIENT_SITES (before towns run out)."""
    weights = {s.sta3n: rng.uniform(0.5, 1.5) for s in stations}
    scale = OUTPATIENT_SITES / sum(weights.values())
    targets = {k: max(3, min(MAX_SITES_PER_STATION, round(w * scale))) for k, w in weights.items()}
    by_weight = sorted(weights, key=lambda k: -weights[k])
    while (gap := OUTPATIENT_SITES - sum(targets.values())) != 0:
        step = 1 if gap > 0 else -1
        for key in by_weight if step > 0 else reversed(by_weight):
            if (
                3 <= targets[key] + step <= MAX_SITES_PER_STATION
                and sum(targets.values()) != OUTPATIENT_SITES
            ):
                targets[key] += step
    return targets


def _towns_around(station: DemoStation, places: Gazetteer, keep_clear: list[Place]) -> list[Place]:
    """One place per town 30-120 miles out, away from the remote scenario towns."""
    here = station.location
    hits = sorted(places.within(here.lat, here.lng, CBOC_MAX_MILES), key=lambda hit: hit[1].zip)
    towns: dict[tuple[str, str], Place] = {}
    for miles, place in hits:
        if miles >= CBOC_MIN_MILES:
            towns.setdefault((place.city, place.state), place)
    candidates = list(towns.values())
    for remote in keep_clear:
        if remote.miles_to(here.lat, here.lng) < CBOC_MAX_MILES + KEEP_CLEAR_MILES:
            candidates = places_at_least(candidates, remote.lat, remote.lng, KEEP_CLEAR_MILES)
    return candidates


def _territory_towns(station: DemoStation, places: Gazetteer) -> list[Place]:
    wanted = TERRITORY_CLINICS.get(station.sta3n, ())
    found = []
    for city, state in wanted:
        in_city = [p for p in places.in_state(state) if p.city == city]
        found.extend(in_city[:1])
    return found


class _SitePicker:
    """Draws towns for one medical center, bigger towns and the parent's own state first."""

    def __init__(self, station: DemoStation, candidates: list[Place], rng: random.Random) -> None:
        self.station = station
        self.candidates = candidates
        self.rng = rng

    def draw(self, used: set[tuple[str, str]]) -> Place | None:
        open_towns = [p for p in self.candidates if (p.city, p.state) not in used]
        if not open_towns:
            return None
        weights = [p.size * (_SAME_STATE_PULL if p.state == self.station.state else 1.0) for p in open_towns]
        chosen = self.rng.choices(open_towns, weights=weights)[0]
        self.candidates = places_at_least(open_towns, chosen.lat, chosen.lng, _SPREAD_MILES)
        return chosen


def place_outpatient_sites(
    stations: tuple[DemoStation, ...], places: Gazetteer, keep_clear: list[Place], seed: int
) -> dict[str, list[Place]]:
    """Station number -> towns of its outpatient sites, in suffix order (GA, GB, ...)."""
    rng = seeded_rng(seed, "outpatient-sites")
    targets = _site_targets(stations, rng)
    chosen: dict[str, list[Place]] = {s.sta3n: _territory_towns(s, places) for s in stations}
    used = {(p.city, p.state) for towns in chosen.values() for p in towns}
    pickers = [_SitePicker(s, _towns_around(s, places, keep_clear), rng) for s in stations]
    for picker in pickers:
        _fill(picker, chosen[picker.station.sta3n], targets[picker.station.sta3n], used)
    # Where a medical center ran out of towns (islands, coasts), others with room take up the slack.
    shortfall = OUTPATIENT_SITES - sum(len(towns) for towns in chosen.values())
    for picker in pickers * MAX_SITES_PER_STATION:
        if shortfall <= 0:
            break
        towns = chosen[picker.station.sta3n]
        before = len(towns)
        _fill(picker, towns, min(before + 1, MAX_SITES_PER_STATION), used)
        shortfall -= len(towns) - before
    return chosen


def _fill(picker: _SitePicker, towns: list[Place], target: int, used: set[tuple[str, str]]) -> None:
    while len(towns) < target:
        place = picker.draw(used)
        if place is None:
            return
        towns.append(place)
        used.add((place.city, place.state))
