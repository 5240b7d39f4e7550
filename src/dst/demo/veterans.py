"""Demo Veterans: a documented scenario set at the demo stations, then a few ordinary Veterans everywhere."""

from __future__ import annotations

from datetime import date

from dst.demo.identities import VCE_DESCRIPTIONS, Home, VeteranFactory, vce
from dst.demo.model import DemoStation, DemoVeteran
from dst.demo.places import JURISDICTIONS, NO_FULL_SERVICE_VA, Gazetteer, Place
from dst.demo.stations import SCENARIO_STATIONS

VETERANS_PER_JURISDICTION = 4
# Where the Veteran of each scenario station who lives in a no-full-service jurisdiction is placed
# when the station's own state has a full-service VA medical center.
_N_HOMES = {"688": "AK", "523": "GU", "640": "HI", "607": "VI", "659": "AS", "660": "MP"}
# Share of ordinary Veterans per E&E picture (letters joined by "+"; "" = no community-care codes).
_ORDINARY_CODES = (("", 50), ("B", 15), ("G", 8), ("U", 7), ("H", 5), ("ND", 5), ("X", 5), ("G+H", 5))


def _where(place: Place) -> str:
    return f"{place.city}, {place.state}"


def _nearest_in_city(station: DemoStation, places: Gazetteer) -> Place:
    here = station.location
    in_city = [p for p in places.in_state(station.state) if p.city == station.city] or list(places.places)
    return min(in_city, key=lambda p: p.miles_to(here.lat, here.lng))


def _around(station: DemoStation, places: Gazetteer, low: float, high: float, pick: int) -> Place:
    """A deterministic town low..high miles from the station, in its own state when there is one."""
    here = station.location
    hits = [(m, p) for m, p in places.within(here.lat, here.lng, high) if m >= low]
    same_state = [p for _, p in hits if p.state == station.state] or [p for _, p in hits]
    ordered = sorted(same_state, key=lambda p: p.zip)
    return ordered[pick % len(ordered)]


def _n_home(station: DemoStation, places: Gazetteer, pick: int) -> Place:
    if station.state in NO_FULL_SERVICE_VA:
        return _around(station, places, 20.0, 150.0, pick)
    towns = sorted(places.in_state(_N_HOMES[station.sta3n]), key=lambda p: p.zip)
    return towns[pick % len(towns)]


def _station_scenarios(
    factory: VeteranFactory, station: DemoStation, places: Gazetteer, remote: Place
) -> list[DemoVeteran]:
    """The nine Veterans every scenario station carries, in the same order at each station."""
    code = station.sta3n
    # Residents of AK, HI and NH carry N whatever else is true of them, as E&E assigns it by state.
    n_state = station.state in NO_FULL_SERVICE_VA
    resident = factory.codes("N") if n_state else ()
    plus_n = ("N",) if n_state else ()
    also_n = (
        " Lives in a state without a full-service VA medical center, so E&E also sends N." if n_state else ""
    )
    near = _nearest_in_city(station, places)
    nearby = _around(station, places, 8.0, 35.0, int(code))
    n_place = _n_home(station, places, int(code))
    make = factory.veteran
    return [
        make(
            station=code,
            home=Home(remote),
            codes=resident,
            scenario=f"Eligible by drive time: lives in {_where(remote)}, more than an hour from any VA "
            f"facility, so no VA site meets the 30- or 60-minute standard.{also_n}",
        ),
        make(
            station=code,
            home=Home(near, exact=True),
            codes=resident,
            scenario=f"Not eligible by drive time: lives in {_where(near)}, minutes from the medical center, "
            f"which offers every clinical service.{also_n}",
        ),
        make(
            station=code,
            home=Home(nearby),
            codes=factory.codes("G", *plus_n),
            scenario="Grandfathered (E&E code G): eligible under the Choice Program 40-mile rule.",
        ),
        make(
            station=code,
            home=Home(nearby),
            codes=factory.codes("H", *plus_n),
            scenario="Hardship (E&E code H): eligible because travel is an unusual or excessive burden.",
        ),
        make(
            station=code,
            home=Home(n_place),
            codes=factory.codes("N"),
            scenario=f"No full-service VA medical facility in the Veteran's state (E&E code N): lives in "
            f"{_where(n_place)}.",
        ),
        make(
            station=code,
            home=Home(nearby),
            codes=factory.codes("X"),
            scenario="Lacks basic community care eligibility (E&E code X): the dashboard is read-only and "
            "can only record that the Veteran is ineligible.",
        ),
        make(
            station=code,
            home=Home(None),
            codes=resident,
            scenario="No residential address on file: DST shows 'No address available' and cannot work "
            "out drive time.",
        ),
        make(
            station=code,
            home=Home(nearby),
            mvi="multiple-matches",
            scenario="MVI returns more than one match for the traits: DST must not guess the ICN.",
        ),
        make(
            station=code,
            home=Home(nearby),
            ee="fault",
            scenario="Enrollment & Eligibility is down (SOAP fault): eligibility is unknown, not 'no'.",
        ),
    ]


def _edge_cases(factory: VeteranFactory, station: DemoStation, places: Gazetteer) -> list[DemoVeteran]:
    """Further E&E and MVI answers the demo needs once, at the first scenario station."""
    code = station.sta3n
    nearby = _around(station, places, 8.0, 35.0, 7)
    farther = _around(station, places, 15.0, 45.0, 11)
    make = factory.veteran
    return [
        make(
            station=code,
            home=Home(nearby),
            codes=factory.codes("U"),
            scenario="Urgent care only (E&E code U): the urgent-care benefit, not a basis for routine care.",
        ),
        make(
            station=code,
            home=Home(nearby),
            codes=factory.codes("B"),
            scenario="Basic eligibility only (E&E code B): nothing decided yet, so drive time is checked.",
        ),
        make(
            station=code,
            home=Home(nearby),
            codes=(vce("ND", date(1915, 9, 3)),),
            scenario="Not determined (E&E code ND) with a placeholder 1915 effective date, as E&E sends.",
        ),
        make(
            station=code,
            home=Home(nearby),
            codes=(vce("G", date(2027, 3, 1)),),
            scenario="Grandfathered code dated 2027-03-01, in the future: not yet in force, so ignored.",
        ),
        make(
            station=code,
            home=Home(nearby),
            codes=(vce("H", date(2016, 4, 1)),),
            scenario="Hardship code dated 2016-04-01, before the MISSION Act: looks expired; show its date.",
        ),
        make(
            station=code,
            home=Home(farther, geocoded=False),
            scenario="Address on file but E&E has no geocode for it: DST must geocode the address itself.",
        ),
        make(
            station=code,
            home=Home(farther, complete=False),
            scenario="Address without a ZIP code: incomplete, so DST shows 'No address available'.",
        ),
        make(
            station=code,
            home=Home(farther),
            gender="F",
            scenario="Woman Veteran 15-45 miles out, for WOMENS HEALTH and GYNECOLOGY consults.",
        ),
        make(
            station=code,
            home=Home(nearby),
            mvi="not-found",
            scenario="MVI holds no record of the station's DFN (VistA has no ICN for the patient): DST says "
            "so and asks for the Veteran's name, date of birth and SSN to search MVI by traits.",
        ),
        make(
            station=code,
            home=Home(nearby),
            mvi="error",
            scenario="MVI answers with an application error (AR): DST shows a retryable partner error.",
        ),
        make(
            station=code,
            home=Home(nearby),
            ee="not-found",
            scenario="MVI knows the Veteran but E&E has no record for the ICN: not enrolled.",
        ),
    ]


def scenario_veterans(
    factory: VeteranFactory, stations: dict[str, DemoStation], places: Gazetteer, remote: dict[str, Place]
) -> list[DemoVeteran]:
    veterans: list[DemoVeteran] = []
    for code in SCENARIO_STATIONS:
        veterans += _station_scenarios(factory, stations[code], places, remote[code])
    return veterans + _edge_cases(factory, stations[SCENARIO_STATIONS[0]], places)


def _ordinary_codes(factory: VeteranFactory, state: str) -> tuple[str, ...]:
    if state in NO_FULL_SERVICE_VA:
        return ("N",)
    letters = factory.rng.choices([c for c, _ in _ORDINARY_CODES], weights=[w for _, w in _ORDINARY_CODES])[0]
    return tuple(letters.split("+")) if letters else ()


def _home_station(place: Place, stations: tuple[DemoStation, ...]) -> DemoStation:
    return min(stations, key=lambda s: place.miles_to(s.location.lat, s.location.lng))


def ordinary_veterans(
    factory: VeteranFactory, stations: tuple[DemoStation, ...], places: Gazetteer
) -> list[DemoVeteran]:
    """A few Veterans in every state, DC and territory, registered at their nearest medical center."""
    veterans = []
    for state in JURISDICTIONS:
        towns = sorted(places.in_state(state), key=lambda p: p.zip)
        for _ in range(VETERANS_PER_JURISDICTION):
            place = towns[factory.rng.randrange(len(towns))]
            letters = _ordinary_codes(factory, state)
            described = (
                " and ".join(f"{VCE_DESCRIPTIONS[c]} ({c})" for c in letters) or "no community-care codes"
            )
            veterans.append(
                factory.veteran(
                    station=_home_station(place, stations).sta3n,
                    home=Home(place, geocoded=factory.rng.random() > 0.05),
                    codes=factory.codes(*letters),
                    scenario=f"Ordinary Veteran in {_where(place)}; E&E: {described}.",
                )
            )
    return veterans
