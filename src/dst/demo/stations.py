"""VA medical centers (parent stations) from the national reference file `reference/data/stations.csv`."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

from dst.demo.model import DemoStation
from dst.partners.types import GeoPoint

# The demo's headline stations (DESIGN §5) plus three more used by the scenario set.
SCENARIO_STATIONS: tuple[str, ...] = ("688", "523", "640", "463", "459", "608", "607", "659", "660")

# Parent stations outside the United States: they get no outpatient sites and no demo Veterans.
OVERSEAS_STATIONS: frozenset[str] = frozenset({"358"})  # Manila VA Clinic, Pasay City, Philippines


@lru_cache(maxsize=1)
def load_stations() -> tuple[DemoStation, ...]:
    """Every real parent station in the reference file, ordered by station number."""
    text = resources.files("dst.reference").joinpath("data/stations.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    stations = (
        DemoStation(
            sta3n=row["sta3n"],
            name=row["name"],
            city=row["city"],
            state=row["state"],
            visn=row["visn"],
            location=GeoPoint(lat=float(row["lat"]), lng=float(row["lng"])),
        )
        for row in rows
    )
    return tuple(sorted(stations, key=lambda s: s.sta3n))


def domestic_stations() -> tuple[DemoStation, ...]:
    return tuple(s for s in load_stations() if s.sta3n not in OVERSEAS_STATIONS)
