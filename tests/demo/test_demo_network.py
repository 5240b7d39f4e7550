"""The demo network is deterministic: the same arguments give the same network, other seeds another."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dst.demo.model import DemoNetwork
from dst.demo.network import build_network, demo_network
from dst.partners.types import great_circle_miles


def test_same_arguments_build_equal_networks() -> None:
    first, second = build_network(providers=400), build_network(providers=400)
    assert first is not second
    assert first == second


def test_default_network_is_cached(network: DemoNetwork) -> None:
    assert demo_network() is network


def test_another_seed_changes_the_synthetic_parts_only() -> None:
    usual, other = build_network(providers=200), build_network(providers=200, seed=7)
    assert usual.stations == other.stations
    assert usual.providers != other.providers
    assert [v.icn for v in usual.veterans] == [v.icn for v in other.veterans]
    assert [v.given_name for v in usual.veterans] != [v.given_name for v in other.veterans]


def test_negative_provider_count_is_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        build_network(providers=-1)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_any_seed_keeps_the_promises_the_scenarios_rely_on(seed: int) -> None:
    network = build_network(providers=0, seed=seed)
    assert network.providers == ()
    ids = [f.facility_id for f in network.facilities]
    assert len(ids) == len(set(ids)) == 1_230
    assert all(v.ssn.startswith("000") for v in network.veterans)
    far = [v for v in network.veterans if v.scenario.startswith("Eligible by drive time")]
    assert len(far) == 9
    for veteran in far:
        assert veteran.geocode
        nearest = min(
            great_circle_miles(veteran.geocode.lat, veteran.geocode.lng, f.location.lat, f.location.lng)
            for f in network.facilities
            if f.location
        )
        assert nearest > 65
