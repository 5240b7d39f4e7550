"""Shapes of the synthetic demo network. No real person's data ever goes in here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from dst.partners.fakes import EeBehaviour, MviBehaviour
from dst.partners.types import Address, CommunityProvider, FacilityRecord, GeoPoint, Seoc, VceCode


@dataclass(frozen=True)
class DemoStation:
    """A VA medical center (parent station) with its real sta3n."""

    sta3n: str
    name: str
    city: str
    state: str
    visn: str
    location: GeoPoint


@dataclass(frozen=True)
class DemoVeteran:
    icn: str
    edipi: str
    given_name: str
    family_name: str
    birth_date: date
    gender: Literal["M", "F"]
    ssn: str  # always in the never-issued 000 area
    station: str  # home sta3n
    dfn: str  # DFN at the home station
    address: Address | None
    geocode: GeoPoint | None
    vce_codes: tuple[VceCode, ...]
    scenario: str  # one line saying what this Veteran demonstrates
    mvi_behaviour: MviBehaviour = "ok"
    ee_behaviour: EeBehaviour = "ok"

    @property
    def state(self) -> str | None:
        return self.address.state if self.address else None


@dataclass(frozen=True)
class DemoNetwork:
    stations: tuple[DemoStation, ...]
    facilities: tuple[FacilityRecord, ...]
    veterans: tuple[DemoVeteran, ...]
    providers: tuple[CommunityProvider, ...]
    seocs: tuple[Seoc, ...]
    extras: dict[str, object] = field(default_factory=dict)
