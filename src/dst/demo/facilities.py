"""Demo VA facilities: every real medical center plus synthetic outpatient sites (CBOCs) at real towns."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace

from dst.demo.model import DemoStation
from dst.demo.places import Gazetteer, Place, seeded_rng
from dst.demo.sites import MAX_SITES_PER_STATION, TERRITORY_CLINICS, place_outpatient_sites
from dst.demo.stations import OVERSEAS_STATIONS, SCENARIO_STATIONS
from dst.partners.types import Address, FacilityRecord, GeoPoint
from dst.reference.catalog import NATIONAL_CLINICAL_SERVICES, CareCategory

VAMC = "VA Medical Center (VAMC)"
PRIMARY_CARE_CBOC = "Primary Care CBOC"
MULTI_SPECIALTY_CBOC = "Multi-Specialty CBOC"
HEALTH_FACILITY = "va_health_facility"

CATALOG_SERVICES: tuple[str, ...] = tuple(
    dict.fromkeys(s.lighthouse_service_id for s in NATIONAL_CLINICAL_SERVICES)
)
_FRONT_LINE = ("primaryCare", "mentalHealth")
_SPECIALTIES = tuple(s for s in CATALOG_SERVICES if s not in _FRONT_LINE)
_RARER_AT_VAMCS = ("chiropractic", "complementaryHealth", "geriatrics", "gynecology")
_PRIMARY_CARE_CBOC_EXTRAS = ("womensHealth", "nutrition", "optometry", "audiology", "podiatry")
# Lighthouse v1 ids a medical center also lists; not clinical services DST consults on.
_VAMC_ONLY = ("emergencyCare", "urgentCare", "laboratory", "pharmacy", "radiology", "surgery", "dental")
_STREETS = (
    "Veterans Way",
    "Veterans Memorial Drive",
    "Medical Center Drive",
    "Freedom Way",
    "Liberty Street",
    "Patriot Parkway",
    "Eagle Drive",
    "Honor Road",
)

# As the Lighthouse Facilities API publishes vha_358 (public facility data, not a person's).
MANILA_ADDRESS = Address(
    line1="1501 Roxas Boulevard",
    line2="NOX3 Seafront Compound",
    city="Pasay City",
    state="PH",
    zip="01302",
    country="PH",
)

_FRONT_LINE_CATEGORIES = {CareCategory.PRIMARY_CARE, CareCategory.MENTAL_HEALTH, CareCategory.EXTENDED_CARE}
_FRONT_LINE_IDS = frozenset(
    s.lighthouse_service_id for s in NATIONAL_CLINICAL_SERVICES if s.care_category in _FRONT_LINE_CATEGORIES
)


def _wait_days(service: str, rng: random.Random) -> tuple[float | None, float | None]:
    """(new, established) average days; a long tail so some sites miss the 20- and 28-day standards."""
    if rng.random() < 0.03:
        return (None, None)  # "Data Not Available": no completed new-patient visits in 30 days
    scale = 6.5 if service in _FRONT_LINE_IDS else 11.0
    new = min(120.0, rng.gammavariate(2.0, scale))
    established = new * rng.uniform(0.15, 0.6)
    return (round(new, 1), round(established, 1))


def _address(place: Place, rng: random.Random) -> Address:
    line1 = f"{rng.randint(100, 9899)} {rng.choice(_STREETS)}"
    return Address(line1=line1, city=place.city, state=place.state, zip=place.zip, country="USA")


def _record(
    facility_id: str,
    *,
    name: str,
    classification: str,
    visn: str,
    place: Place,
    services: Iterable[str],
    rng: random.Random,
) -> FacilityRecord:
    offered = tuple(services)
    return FacilityRecord(
        facility_id=facility_id,
        name=name,
        facility_type=HEALTH_FACILITY,
        classification=classification,
        visn=visn,
        address=_address(place, rng),
        location=GeoPoint(place.lat, place.lng),
        phone=place.fake_phone(rng.randrange(100)),
        services=offered,
        wait_days={s: _wait_days(s, rng) for s in offered if s in CATALOG_SERVICES},
        operating_status="NORMAL",
    )


def _vamc_services(station: DemoStation, rng: random.Random) -> list[str]:
    if station.sta3n in OVERSEAS_STATIONS:
        return list(_FRONT_LINE)
    services = list(CATALOG_SERVICES)
    if station.sta3n not in SCENARIO_STATIONS:
        # "Nearly all": a few medical centers lack one of the less common services.
        for missing in rng.sample(_RARER_AT_VAMCS, k=rng.choice((0, 0, 0, 1, 2))):
            services.remove(missing)
    return [*services, *_VAMC_ONLY]


def _vamc_place(station: DemoStation, places: Gazetteer) -> Place:
    """The station's own spot, with the ZIP code of the nearest ZIP centroid in its city."""
    here = station.location
    if station.sta3n in OVERSEAS_STATIONS:
        # Manila is outside the ZIP data; Lighthouse files it under "PH" with ZIP 01302 and a Hawaii phone.
        return Place("01302", station.city, station.state, "", here.lat, here.lng, 1, "808")
    in_city = [p for p in places.in_state(station.state) if p.city == station.city]
    closest = (
        min(in_city, key=lambda p: p.miles_to(here.lat, here.lng))
        if in_city
        else places.nearest(here.lat, here.lng)
    )
    return replace(closest, lat=here.lat, lng=here.lng)


def medical_center(station: DemoStation, places: Gazetteer, seed: int) -> FacilityRecord:
    rng = seeded_rng(seed, f"vamc:{station.sta3n}")
    record = _record(
        f"vha_{station.sta3n}",
        name=station.name,
        classification=VAMC,
        visn=station.visn,
        place=_vamc_place(station, places),
        services=_vamc_services(station, rng),
        rng=rng,
    )
    if station.sta3n in OVERSEAS_STATIONS:
        return replace(record, address=MANILA_ADDRESS)
    return record


def _cboc_services(classification: str, rng: random.Random) -> list[str]:
    if classification == MULTI_SPECIALTY_CBOC:
        extras = rng.sample(_SPECIALTIES, k=rng.randint(4, 9))
    else:
        extras = rng.sample(_PRIMARY_CARE_CBOC_EXTRAS, k=rng.randint(0, 2))
    return [*_FRONT_LINE, *sorted(extras, key=CATALOG_SERVICES.index)]


def site_suffixes() -> list[str]:
    return [f"G{chr(ord('A') + i)}" for i in range(MAX_SITES_PER_STATION)]


def outpatient_site(station: DemoStation, suffix: str, place: Place, seed: int) -> FacilityRecord:
    rng = seeded_rng(seed, f"cboc:{station.sta3n}{suffix}")
    multi = (place.city, place.state) in TERRITORY_CLINICS.get(station.sta3n, ()) or rng.random() < 0.3
    classification = MULTI_SPECIALTY_CBOC if multi else PRIMARY_CARE_CBOC
    return _record(
        f"vha_{station.sta3n}{suffix}",
        name=f"{place.city} VA Clinic",
        classification=classification,
        visn=station.visn,
        place=place,
        services=_cboc_services(classification, rng),
        rng=rng,
    )


def build_facilities(
    stations: tuple[DemoStation, ...], places: Gazetteer, keep_clear: list[Place], seed: int
) -> tuple[FacilityRecord, ...]:
    """Medical centers first (by station number), then each one's outpatient sites in suffix order."""
    domestic = tuple(s for s in stations if s.sta3n not in OVERSEAS_STATIONS)
    towns = place_outpatient_sites(domestic, places, keep_clear, seed)
    records = [medical_center(s, places, seed) for s in stations]
    for station in domestic:
        for suffix, place in zip(site_suffixes(), towns[station.sta3n], strict=False):
            records.append(outpatient_site(station, suffix, place, seed))
    return tuple(records)
