"""The demo network is deterministic: the same arguments give the same network, other seeds another."""

from __future__ import annotations

import pytest

from dst.demo.model import DemoNetwork
from dst.demo.network import build_network, demo_network


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
