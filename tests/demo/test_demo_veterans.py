"""Demo Veterans: synthetic identities everywhere, and every scenario the demo promises is really there."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from dst.demo.facilities import CATALOG_SERVICES
from dst.demo.identities import VCE_DESCRIPTIONS
from dst.demo.model import DemoNetwork, DemoVeteran
from dst.demo.names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from dst.demo.network import demo_patients
from dst.demo.places import JURISDICTIONS, NO_FULL_SERVICE_VA
from dst.demo.stations import SCENARIO_STATIONS
from dst.partners.types import great_circle_miles

DEMO_STATIONS = ("688", "523", "640", "463", "459", "608", "607", "659", "660")


def _scenarios_at(veterans: list[DemoVeteran], station: str) -> list[DemoVeteran]:
    return [v for v in veterans if v.station == station]


def _one(veterans: list[DemoVeteran], prefix: str) -> DemoVeteran:
    found = [v for v in veterans if v.scenario.startswith(prefix)]
    assert len(found) == 1, prefix
    return found[0]


def _letters(veteran: DemoVeteran) -> set[str]:
    return {c.code for c in veteran.vce_codes}


def test_identities_are_synthetic_and_well_formed(network: DemoNetwork) -> None:
    veterans = network.veterans
    assert all(re.fullmatch(r"000\d{6}", v.ssn) for v in veterans)  # SSA never issues area 000
    assert all(re.fullmatch(r"9000\d{6}V\d{6}", v.icn) for v in veterans)
    assert all(re.fullmatch(r"\d{10}", v.edipi) for v in veterans)
    for field in ("icn", "edipi", "ssn"):
        assert len({getattr(v, field) for v in veterans}) == len(veterans), field
    assert {v.given_name for v in veterans} <= set(MALE_GIVEN_NAMES) | set(FEMALE_GIVEN_NAMES)
    assert {v.family_name for v in veterans} <= set(FAMILY_NAMES)


def test_dfns_are_unique_within_each_home_station(network: DemoNetwork) -> None:
    stations = {s.sta3n for s in network.stations}
    seen: dict[str, set[str]] = defaultdict(set)
    for veteran in network.veterans:
        assert veteran.station in stations
        assert veteran.dfn not in seen[veteran.station]
        seen[veteran.station].add(veteran.dfn)


def test_several_veterans_live_in_every_state_dc_and_territory(network: DemoNetwork) -> None:
    states = Counter(v.state for v in network.veterans)
    assert all(states[state] >= 4 for state in JURISDICTIONS)


def test_every_ee_code_and_no_code_appear(network: DemoNetwork) -> None:
    seen = {c.code for v in network.veterans for c in v.vce_codes}
    assert seen == set(VCE_DESCRIPTIONS)
    assert any(not v.vce_codes for v in network.veterans)
    assert all(c.description == VCE_DESCRIPTIONS[c.code] for v in network.veterans for c in v.vce_codes)


def test_codes_dated_in_the_future_and_long_ago_appear(network: DemoNetwork) -> None:
    dates = [c.effective_date for v in network.veterans for c in v.vce_codes if c.effective_date]
    assert any(d.year >= 2027 for d in dates)
    assert any(d.year < 2019 for d in dates)


def test_residents_of_no_full_service_states_carry_n(network: DemoNetwork) -> None:
    ordinary = [v for v in network.veterans if v.scenario.startswith("Ordinary Veteran")]
    assert all(_letters(v) == {"N"} for v in ordinary if v.state in NO_FULL_SERVICE_VA)
    assert not any("N" in _letters(v) for v in network.veterans if v.state == "PR")


def test_partner_behaviours_are_all_represented(network: DemoNetwork) -> None:
    assert {v.mvi_behaviour for v in network.veterans} == {"ok", "multiple-matches", "not-found", "error"}
    assert {v.ee_behaviour for v in network.veterans} == {"ok", "not-found", "fault"}
    assert any(v.address is None for v in network.veterans)
    assert any(v.address is not None and v.geocode is None for v in network.veterans)
    assert any(v.address is not None and not v.address.is_complete for v in network.veterans)


@pytest.mark.parametrize("station", DEMO_STATIONS)
def test_each_demo_station_carries_the_scenario_set(scenario_veterans, station: str) -> None:
    here = _scenarios_at(scenario_veterans, station)
    assert "G" in _letters(_one(here, "Grandfathered (E&E code G)"))
    assert "H" in _letters(_one(here, "Hardship (E&E code H)"))
    n_veteran = _one(here, "No full-service VA")
    assert _letters(n_veteran) == {"N"} and n_veteran.state in NO_FULL_SERVICE_VA
    assert _letters(_one(here, "Lacks basic community care eligibility")) == {"X"}
    assert _one(here, "No residential address").address is None
    assert _one(here, "MVI returns more than one match").mvi_behaviour == "multiple-matches"
    assert _one(here, "Enrollment & Eligibility is down").ee_behaviour == "fault"


@pytest.mark.parametrize("station", DEMO_STATIONS)
def test_drive_time_scenarios_hold_against_the_facilities(network, scenario_veterans, station: str) -> None:
    here = _scenarios_at(scenario_veterans, station)
    far, near = _one(here, "Eligible by drive time"), _one(here, "Not eligible by drive time")
    assert far.geocode and near.geocode
    for facility in network.facilities:
        assert facility.location
        miles = great_circle_miles(
            far.geocode.lat, far.geocode.lng, facility.location.lat, facility.location.lng
        )
        assert miles > 65, (facility.facility_id, miles)  # well over an hour's drive
    vamc = next(f for f in network.facilities if f.facility_id == f"vha_{station}")
    assert vamc.location
    assert great_circle_miles(near.geocode.lat, near.geocode.lng, vamc.location.lat, vamc.location.lng) < 10
    assert set(CATALOG_SERVICES) <= set(vamc.services)


def test_scenario_veterans_come_first_and_patients_list_them_like_cprs(network, scenario_veterans) -> None:
    patients = demo_patients()
    assert len(patients) == len(network.veterans)
    assert [p["icn"] for p in patients[: len(scenario_veterans)]] == [v.icn for v in scenario_veterans]
    assert patients[0]["station"] == SCENARIO_STATIONS[0]
    assert all(re.fullmatch(r"[A-Z]+,[A-Z]+", str(p["name"])) for p in patients)
    assert all(p["scenario"] for p in patients)
    assert set(patients[0]) == {"icn", "station", "dfn", "name", "state", "scenario"}
