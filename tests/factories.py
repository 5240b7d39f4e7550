"""Consult contexts and decisions for tests, built around the demo network's Veterans."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from dst.demo.model import DemoVeteran
from dst.demo.network import demo_network

_consult_numbers = iter(range(100000, 999999))


def veteran(predicate: Callable[[DemoVeteran], bool]) -> DemoVeteran:
    return next(v for v in demo_network().veterans if predicate(v))


def ordinary(v: DemoVeteran) -> bool:
    """Identified by MVI, known to E&E, geocoded, with no E&E code that decides eligibility."""
    codes = {c.code for c in v.vce_codes}
    return (
        v.mvi_behaviour == "ok"
        and v.ee_behaviour == "ok"
        and v.geocode is not None
        and v.address is not None
        and not codes & {"G", "N", "H", "X"}
    )


def near_va(v: DemoVeteran) -> bool:
    """An ordinary Veteran minutes from a medical center offering every service: only wait time is open."""
    return ordinary(v) and v.scenario.startswith("Not eligible by drive time")


def consult(v: DemoVeteran, service: str = "ORTHOPEDICS", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "station": v.station,
        "dfn": v.dfn,
        "icn": v.icn,
        "consultService": service,
        "urgency": "routine",
        "fileEntryDate": date.today().isoformat(),
        "consultNumber": str(next(_consult_numbers)),
        "signed": False,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def days_from_today(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()
