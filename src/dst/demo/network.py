"""The deterministic synthetic demo network that the partner fakes serve and `dst demo seed` loads."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from dst.demo.facilities import build_facilities
from dst.demo.identities import VeteranFactory
from dst.demo.model import DemoNetwork, DemoVeteran
from dst.demo.places import gazetteer
from dst.demo.providers import iter_providers as _iter_providers
from dst.demo.remote import remote_places
from dst.demo.seocs import build_seocs
from dst.demo.stations import SCENARIO_STATIONS, domestic_stations, load_stations
from dst.demo.veterans import ordinary_veterans, scenario_veterans
from dst.partners.types import CommunityProvider

DEFAULT_PROVIDERS = 50_000
DEFAULT_SEED = 20261126


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The network is acyclic plain data; repeated full GC passes over it would double the build time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def iter_providers(n: int = DEFAULT_PROVIDERS, seed: int = DEFAULT_SEED) -> Iterator[CommunityProvider]:
    """Community providers one at a time, for benchmarks that want a million without holding them."""
    return _iter_providers(n, seed, gazetteer())


def _veterans(seed: int) -> tuple[DemoVeteran, ...]:
    places = gazetteer()
    stations = {s.sta3n: s for s in domestic_stations()}
    factory = VeteranFactory(seed)
    scenarios = scenario_veterans(factory, stations, places, remote_places(places))
    return (*scenarios, *ordinary_veterans(factory, domestic_stations(), places))


def build_network(providers: int = DEFAULT_PROVIDERS, seed: int = DEFAULT_SEED) -> DemoNetwork:
    """A freshly built network (no cache): what `demo_network` returns, for checks and benchmarks."""
    if providers < 0:
        msg = "providers must be zero or more"
        raise ValueError(msg)
    with _collector_paused():
        places = gazetteer()
        remote = remote_places(places)
        return DemoNetwork(
            stations=load_stations(),
            facilities=build_facilities(load_stations(), places, list(remote.values()), seed),
            veterans=_veterans(seed),
            providers=tuple(_iter_providers(providers, seed, places)),
            seocs=build_seocs(seed),
            extras={"scenario_stations": SCENARIO_STATIONS, "remote_towns": remote},
        )


@lru_cache(maxsize=2)
def demo_network(providers: int = DEFAULT_PROVIDERS, seed: int = DEFAULT_SEED) -> DemoNetwork:
    """The whole demo network; the same arguments always give an equal network (cached after the first)."""
    return build_network(providers, seed)


def demo_patients() -> list[dict[str, str | None]]:
    """The demo Veterans as the CPRS simulator lists them: scenario Veterans first, names as CPRS shows."""
    return [
        {
            "icn": v.icn,
            "station": v.station,
            "dfn": v.dfn,
            "name": f"{v.family_name},{v.given_name}",
            "state": v.state,
            "scenario": v.scenario,
        }
        for v in demo_network().veterans
    ]


def steel_thread_patient() -> str:
    """The demo Veteran the partner check asks about in development: the first ordinary one whom
    MVI and E&E both answer for."""
    return next(
        v.icn
        for v in demo_network().veterans
        if v.scenario.startswith("Ordinary Veteran") and v.mvi_behaviour == "ok" and v.ee_behaviour == "ok"
    )
