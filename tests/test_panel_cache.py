"""The in-process panel cache: answers kept for a page view, failures for seconds, Retry's forgetting."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest

from dst.consults import cache as cache_module
from dst.consults.cache import ERROR_TTL_S, PanelCache
from dst.partners.errors import FailureKind, Partner, PartnerError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Panel:
    errors: tuple[str, ...] = ()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    held = Clock()
    monkeypatch.setattr(cache_module.time, "monotonic", held)
    return held


def counted(value: Any, calls: list[int]) -> Any:
    async def compute() -> Any:
        calls.append(1)
        return value

    return compute


def test_a_panel_showing_a_failure_is_kept_seconds_and_a_clean_one_minutes(clock: Clock) -> None:
    async def scenario() -> tuple[int, int]:
        panels = PanelCache(ttl_s=120)
        failed: list[int] = []
        clean: list[int] = []
        for _ in range(2):
            await panels.get(("R1", "patient"), counted(Panel(("EE-FAULT",)), failed))
            await panels.get(("R1", "facilities"), counted(Panel(), clean))
        clock.now += ERROR_TTL_S + 1
        await panels.get(("R1", "patient"), counted(Panel(("EE-FAULT",)), failed))
        await panels.get(("R1", "facilities"), counted(Panel(), clean))
        return len(failed), len(clean)

    assert asyncio.run(scenario()) == (2, 1)


def test_a_slow_failure_is_shared_for_its_seconds_after_it_finished(clock: Clock) -> None:
    """A partner that took ten seconds to time out: the page view's later panels still share it."""

    async def scenario() -> int:
        panels = PanelCache(ttl_s=120)
        calls: list[int] = []
        answered = asyncio.Event()

        async def times_out() -> Panel:
            calls.append(1)
            await answered.wait()
            raise PartnerError(Partner.EE, FailureKind.TIMEOUT, "no answer")

        first = asyncio.ensure_future(panels.get(("R1", "ee"), times_out))
        await asyncio.sleep(0)
        clock.now += 10.0
        answered.set()
        with pytest.raises(PartnerError):
            await first
        await asyncio.sleep(0)  # the finishing time is stamped
        with pytest.raises(PartnerError):
            await panels.get(("R1", "ee"), times_out)
        return len(calls)

    assert asyncio.run(scenario()) == 1


def test_forgetting_kinds_drops_only_those_of_that_record(clock: Clock) -> None:
    async def scenario() -> list[str]:
        panels = PanelCache()
        calls: dict[str, list[int]] = {}
        keys = [("R1", "ppms", 7), ("R1", "providers", 7), ("R1", "mvi"), ("R2", "ppms", 7)]
        for _ in range(2):
            for key in keys:
                await panels.get(key, counted(Panel(), calls.setdefault(str(key), [])))
            panels.forget_kinds("R1", ("ppms", "providers"))
        return [str(k) for k in keys if len(calls[str(k)]) == 2]

    assert asyncio.run(scenario()) == [str(("R1", "ppms", 7)), str(("R1", "providers", 7))]
