"""The demo's VA medical centers and outpatient sites look like VA's: real stations, sane places, real ids."""

from __future__ import annotations

import re
from collections import Counter

from dst.demo.facilities import CATALOG_SERVICES, MULTI_SPECIALTY_CBOC, PRIMARY_CARE_CBOC, VAMC
from dst.demo.model import DemoNetwork
from dst.demo.sites import OUTPATIENT_SITES, TERRITORY_CLINICS
from dst.demo.stations import load_stations
from dst.partners.types import FacilityRecord, great_circle_miles

CURRENT_VISNS = {
    "1",
    "2",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "12",
    "15",
    "16",
    "17",
    "19",
    "20",
    "21",
    "22",
    "23",
}
NAMED_STATIONS = {
    "688": "DC", "523": "MA", "640": "CA", "463": "AK", "459": "HI", "608": "NH",
    "607": "WI", "659": "NC", "660": "UT", "358": "PH", "672": "PR", "757": "OH",
}  # fmt: skip


def _outpatient(network: DemoNetwork) -> list[FacilityRecord]:
    return [f for f in network.facilities if f.classification != VAMC]


def test_reference_file_holds_real_stations_with_their_states() -> None:
    stations = {s.sta3n: s for s in load_stations()}
    assert len(stations) == 130
    assert {sta3n: stations[sta3n].state for sta3n in NAMED_STATIONS} == NAMED_STATIONS
    assert all(re.fullmatch(r"\d{3}", sta3n) for sta3n in stations)
    assert {s.visn for s in stations.values()} == CURRENT_VISNS


def test_network_uses_the_real_stations_unpadded(network: DemoNetwork) -> None:
    assert network.stations == load_stations()
    assert not any("Demo VA" in s.name for s in network.stations)


def test_every_station_has_a_medical_center_record(network: DemoNetwork, facilities_by_id) -> None:
    for station in network.stations:
        record = facilities_by_id[f"vha_{station.sta3n}"]
        assert record.classification == VAMC
        assert record.station == station.sta3n
        assert record.visn == station.visn


def test_about_1100_outpatient_sites_across_all_18_visns(network: DemoNetwork) -> None:
    sites = _outpatient(network)
    assert len(sites) == OUTPATIENT_SITES
    assert {f.visn for f in sites} == CURRENT_VISNS
    assert {f.classification for f in sites} == {PRIMARY_CARE_CBOC, MULTI_SPECIALTY_CBOC}


def test_facility_ids_are_unique_and_real_style(network: DemoNetwork) -> None:
    ids = [f.facility_id for f in network.facilities]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"vha_\d{3}(G[A-Z])?", facility_id) for facility_id in ids)


def test_every_outpatient_site_is_within_a_sane_distance_of_its_parent(network: DemoNetwork) -> None:
    parents = {s.sta3n: s for s in network.stations}
    for site in _outpatient(network):
        assert site.location is not None
        parent = parents[site.station].location
        miles = great_circle_miles(parent.lat, parent.lng, site.location.lat, site.location.lng)
        if (site.address.city, site.address.state) in TERRITORY_CLINICS.get(site.station, ()):
            continue  # Guam, Saipan and American Samoa hang off Honolulu, thousands of miles away
        assert 29 <= miles <= 121, (site.facility_id, miles)


def test_territories_have_their_own_clinics(network: DemoNetwork) -> None:
    states = Counter(f.address.state for f in _outpatient(network))
    assert all(states[t] >= 1 for t in ("GU", "MP", "AS", "VI", "PR"))


def test_facilities_carry_what_lighthouse_v1_carries(network: DemoNetwork) -> None:
    for record in network.facilities:
        assert record.facility_type == "va_health_facility"
        assert record.operating_status == "NORMAL"
        assert record.address.is_complete
        assert record.phone and re.fullmatch(r"\d{3}-555-01\d{2}", record.phone)
        assert {"primaryCare", "mentalHealth"} <= set(record.services)
        assert set(record.wait_days) == set(record.services) & set(CATALOG_SERVICES)


def test_medical_centers_offer_nearly_all_services_and_clinics_fewer(network: DemoNetwork) -> None:
    domestic = [f for f in network.facilities if f.classification == VAMC and f.station != "358"]
    catalog = set(CATALOG_SERVICES)
    assert all(len(catalog - set(f.services)) <= 2 for f in domestic)
    assert sum(catalog <= set(f.services) for f in domestic) > len(domestic) * 0.5
    primary = [f for f in network.facilities if f.classification == PRIMARY_CARE_CBOC]
    assert all(len(set(f.services) & catalog) <= 4 for f in primary)


def test_some_waits_miss_the_20_and_28_day_standards(network: DemoNetwork) -> None:
    waits = [(service, new) for f in network.facilities for service, (new, _) in f.wait_days.items()]
    primary = [new for service, new in waits if service == "primaryCare" and new is not None]
    specialty = [new for service, new in waits if service == "cardiology" and new is not None]
    assert 0.05 < sum(new > 20 for new in primary) / len(primary) < 0.5
    assert 0.05 < sum(new > 28 for new in specialty) / len(specialty) < 0.6
    assert any(new is None for _, new in waits)  # "Data Not Available"
    assert all(
        est is None or new is None or est <= new
        for f in network.facilities
        for new, est in f.wait_days.values()
    )
