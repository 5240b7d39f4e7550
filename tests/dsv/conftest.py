"""Viewer test wiring: start a SMART EHR launch from the development EHR, as PowerChart would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dst.demo.model import DemoVeteran
from dst.dsv.fake_ehr import ehr_patient_id

Launch = Callable[..., Any]


@pytest.fixture
def launch(client: Any) -> Launch:
    """`launch(veteran, outcome="ok")` runs the whole redirect chain and returns the last response."""

    def run(veteran: DemoVeteran, outcome: str = "ok", *, with_edipi: bool = True) -> Any:
        patient = ehr_patient_id(veteran, with_edipi=with_edipi)
        return client.get(f"/dev/ehr/launch?patient={patient}&outcome={outcome}", follow_redirects=True)

    return run


def first_ordinary(network_veterans: tuple[DemoVeteran, ...]) -> DemoVeteran:
    """The first demo Veteran the development EHR lists; its twin without an EDIPI is listed too."""
    return next(v for v in network_veterans if v.scenario.startswith("Ordinary Veteran"))
