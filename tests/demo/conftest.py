"""Shared fixtures for the demo-network tests: one default network per test session."""

from __future__ import annotations

import pytest

from dst.demo.model import DemoNetwork, DemoVeteran
from dst.demo.network import demo_network
from dst.partners.types import FacilityRecord


@pytest.fixture(scope="session")
def network() -> DemoNetwork:
    return demo_network()


@pytest.fixture(scope="session")
def facilities_by_id(network: DemoNetwork) -> dict[str, FacilityRecord]:
    return {f.facility_id: f for f in network.facilities}


@pytest.fixture(scope="session")
def scenario_veterans(network: DemoNetwork) -> list[DemoVeteran]:
    return [v for v in network.veterans if not v.scenario.startswith("Ordinary Veteran")]
