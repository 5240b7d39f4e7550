"""Synthetic community-care providers (PPMS care sites) spread over real towns in proportion to their size."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from dst.demo.names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from dst.demo.places import Gazetteer, Place, seeded_rng
from dst.demo.stations import load_stations
from dst.partners.types import Address, CommunityProvider, GeoPoint
from dst.reference.catalog import NATIONAL_CLINICAL_SERVICES, CareCategory, ClinicalServiceSpec

# Community Care Network regions by VISN, after VA's published CCN map (Alaska is its own region).
_CCN_REGION_BY_VISN = {
    **dict.fromkeys(("1", "2", "4", "5", "6"), 1),
    **dict.fromkeys(("10", "12", "15", "23"), 2),
    **dict.fromkeys(("7", "8", "9", "16"), 3),
    **dict.fromkeys(("17", "19", "20", "21", "22"), 4),
}
_TERRITORY_VISN = {"GU": "21", "AS": "21", "MP": "21", "VI": "8"}
# Credentials by NUCC taxonomy prefix; the rest are physicians (MD or DO).
_CREDENTIALS = {
    "213E": "DPM",
    "152W": "OD",
    "231H": "AuD",
    "2376": "AuD",
    "111N": "DC",
    "2251": "DPT",
    "133V": "RD",
    "133N": "RD",
    "1711": "LAc",
    "103T": "PhD",
    "101Y": "LPC",
    "363L": "NP",
    "3747": "HHA",
}
_ORGANISATION_CODES = frozenset({"261QP2300X", "261QH0700X", "261QA0600X", "3747P1801X"})
_PRACTICE_WORDS = ("Associates", "Clinic", "Center", "Partners", "Group", "Specialists")
_STREETS = (
    "Main Street",
    "Oak Avenue",
    "Maple Street",
    "Park Avenue",
    "Washington Street",
    "Elm Street",
    "Church Street",
    "Broad Street",
    "Highland Avenue",
    "Medical Plaza",
    "Commerce Drive",
    "Lake Road",
)
_WEIGHT_BY_CATEGORY = {CareCategory.PRIMARY_CARE: 6, CareCategory.MENTAL_HEALTH: 3}
# A code shared by two services (207V00000X) names the practice after the first service listing it.
_SPEC_BY_CODE = {
    code: spec for spec in reversed(NATIONAL_CLINICAL_SERVICES) for code in spec.ppms_specialty_codes
}

# Worked out once: these run for every one of up to a million providers.
_FEMALE = tuple(n.title() for n in FEMALE_GIVEN_NAMES)
_MALE = tuple(n.title() for n in MALE_GIVEN_NAMES)
_FAMILY = tuple(n.title() for n in FAMILY_NAMES)
_FIELD = {s.name: s.name.title().replace("Womens", "Women's") for s in NATIONAL_CLINICAL_SERVICES}
_DOCTORS = frozenset({"MD", "DO", "DPM", "OD", "AuD", "DC", "PhD", "DPT"})

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Town:
    """A place with what every provider there shares, worked out once."""

    place: Place
    network: str


def _networks_by_state() -> dict[str, str]:
    visn_by_state = {s.state: s.visn for s in reversed(load_stations())}
    visn_by_state |= _TERRITORY_VISN
    regions = {state: _CCN_REGION_BY_VISN.get(visn, 4) for state, visn in visn_by_state.items()}
    regions["AK"] = 5
    return {state: f"CCN Region {region}" for state, region in regions.items()}


class _Draw:
    """Fast weighted and uniform picks from one seeded generator (`Random.choices` is slow per call)."""

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random

    def one(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def weighted(self, items: Sequence[T], cumulative: Sequence[float]) -> T:
        return items[bisect.bisect_right(cumulative, self.random() * cumulative[-1])]


def _specialty_pool() -> tuple[tuple[ClinicalServiceSpec, ...], list[int]]:
    specs = NATIONAL_CLINICAL_SERVICES
    weights = [_WEIGHT_BY_CATEGORY.get(s.care_category, 1) for s in specs]
    return specs, list(itertools.accumulate(weights))


def _person_name(code: str, draw: _Draw) -> str:
    given = draw.one(_FEMALE if draw.random() < 0.5 else _MALE)
    family = draw.one(_FAMILY)
    credential = _CREDENTIALS.get(code[:4]) or draw.one(("MD", "MD", "DO"))
    return f"{'Dr. ' if credential in _DOCTORS else ''}{given} {family}, {credential}"


def _practice_name(spec: ClinicalServiceSpec, place: Place, draw: _Draw) -> str:
    owner = place.city if draw.random() < 0.5 else draw.one(_FAMILY)
    return f"{owner} {_FIELD[spec.name]} {draw.one(_PRACTICE_WORDS)}"


def _specialty_codes(draw: _Draw, specs: tuple[ClinicalServiceSpec, ...], cum: list[int]) -> tuple[str, ...]:
    # A second specialty is one of the same clinical service (a podiatrist who is also a foot surgeon):
    # a nutrition practice listing cardiology would put it in every cardiology list.
    spec = draw.weighted(specs, cum)
    first = draw.one(spec.ppms_specialty_codes)
    if draw.random() < 0.2:
        second = draw.one(spec.ppms_specialty_codes)
        return tuple(dict.fromkeys((first, second)))
    return (first,)


def _provider(
    index: int, town: _Town, draw: _Draw, specs: tuple[ClinicalServiceSpec, ...], cum: list[int]
) -> CommunityProvider:
    codes = _specialty_codes(draw, specs, cum)
    spec = _SPEC_BY_CODE[codes[0]]
    place = town.place
    practice = _practice_name(spec, place, draw)
    name = practice if codes[0] in _ORGANISATION_CODES else _person_name(codes[0], draw)
    address = Address(
        line1=f"{int(draw.random() * 9000) + 100} {draw.one(_STREETS)}",
        city=place.city,
        state=place.state,
        zip=place.zip,
        country="USA",
    )
    # Scatter care sites a couple of miles around the ZIP centroid so they do not stack up.
    lat = round(place.lat + (draw.random() - 0.5) * 0.06, 5)
    lng = round(place.lng + (draw.random() - 0.5) * 0.06, 5)
    accepting = draw.random()
    return CommunityProvider(
        provider_id=f"9{index:09d}",  # NPI-shaped; real NPIs start with 1 or 2, so these never clash
        name=name,
        care_site=practice,
        address=address,
        location=GeoPoint(lat, lng),
        specialty_codes=codes,
        phone=place.fake_phone(index),
        network=town.network,
        accepting_new_patients=True if accepting < 0.85 else (False if accepting < 0.95 else None),
    )


def iter_providers(n: int, seed: int, places: Gazetteer) -> Iterator[CommunityProvider]:
    """`n` providers, lazily, the same for the same arguments; bigger towns get more of them."""
    rng = seeded_rng(seed, "providers")
    networks = _networks_by_state()
    towns = [_Town(p, networks.get(p.state, "CCN Region 4")) for p in places.places]
    # Each ZIP weighs the square root of its town's ZIP count, so a town's share grows a little faster
    # than its ZIP count, roughly as population does.
    town_cum = list(itertools.accumulate(p.size**0.5 for p in places.places))
    specs, cum = _specialty_pool()
    draw = _Draw(rng)
    for index in range(n):
        yield _provider(index, draw.weighted(towns, town_cum), draw, specs, cum)
