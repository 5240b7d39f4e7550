"""The steel-thread check: one synthetic Veteran's journey through every partner, run in the background.

`/health/partners` reads the last results and never calls a partner itself, so a load balancer's
probe cannot add load to a struggling partner. The check asks each partner one realistic question
(MVI and E&E for a synthetic test ICN, then Facilities, PPMS, SEOC and routing near that Veteran)
and keeps, per partner, the last outcome, the last success and the run of consecutive failures.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import anyio
from prometheus_client import Gauge

from dst.config import Settings
from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.gateway import PartnerGateway
from dst.partners.resilience import CircuitBreaker, guarded_call
from dst.partners.types import EeSummary, GeoPoint

log = logging.getLogger(__name__)

DOWN_AFTER_FAILURES = 3
SKIP = "skip"
# Where PPMS, routing and Facilities are asked when E&E gave no geocode: the Washington DC VAMC.
FALLBACK_POINT = GeoPoint(38.9296, -77.0107)
ROUTING_PROBE = ("steel-thread", GeoPoint(38.9296, -77.0107))
PPMS_PROBE_SPECIALTY = "207X00000X"  # orthopaedic surgery: offered in every demo and real market
PROBE_RADIUS_MILES = 40.0

# One series per partner; the value is 1 while the partner is UP, 0 otherwise. No request detail.
STEEL_THREAD_UP = Gauge("dst_steel_thread_up", "Last steel-thread check of the partner passed", ["partner"])
STEEL_THREAD_FAILURES = Gauge(
    "dst_steel_thread_consecutive_failures", "Consecutive failed steel-thread checks", ["partner"]
)

CHECKED_PARTNERS = (
    Partner.MVI,
    Partner.EE,
    Partner.FACILITIES,
    Partner.PPMS,
    Partner.SEOC,
    Partner.ROUTING,
)


class CheckStatus(StrEnum):
    UNKNOWN = "UNKNOWN"  # not checked yet
    UP = "UP"
    FAILING = "FAILING"  # failed the last check, fewer than DOWN_AFTER_FAILURES times in a row
    DOWN = "DOWN"


@dataclass
class PartnerCheck:
    """What the steel thread last learned about one partner."""

    consecutive_failures: int = 0
    last_checked: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None  # a named code such as MVI-TIMEOUT, never a partner's text
    last_ms: float | None = None
    checks: int = 0

    @property
    def status(self) -> CheckStatus:
        if self.checks == 0:
            return CheckStatus.UNKNOWN
        if self.consecutive_failures == 0:
            return CheckStatus.UP
        if self.consecutive_failures >= DOWN_AFTER_FAILURES:
            return CheckStatus.DOWN
        return CheckStatus.FAILING

    def record(self, at: datetime, elapsed_s: float, error: PartnerError | None) -> None:
        self.checks += 1
        self.last_checked = at
        self.last_ms = round(elapsed_s * 1000, 1)
        if error is None:
            self.consecutive_failures = 0
            self.last_success = at
            self.last_error = None
        else:
            self.consecutive_failures += 1
            self.last_error = error.code

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "consecutiveFailures": self.consecutive_failures,
            "lastChecked": _iso(self.last_checked),
            "lastSuccess": _iso(self.last_success),
            "lastError": self.last_error,
            "lastMs": self.last_ms,
        }


def resolve_test_icn(settings: Settings, dev_patient: Callable[[], str | None] = lambda: None) -> str | None:
    """The ICN to check with, or None when the check is off.

    An explicit `DST_STEEL_THREAD_ICN` wins (`skip` turns the check off). Unset, development uses
    `dev_patient()` (the app factory gives the demo's first ordinary Veteran) and production does not
    check: a real test patient must be chosen.
    """
    configured = (settings.steel_thread_icn or "").strip()
    if configured.lower() == SKIP:
        return None
    if configured:
        return configured
    if not settings.is_dev:
        return None
    return dev_patient()


ResultListener = Callable[[Partner, "PartnerError | None", "PartnerCheck"], Awaitable[None]]


class SteelThread:
    """Runs the check and holds the per-partner results for the health endpoint."""

    def __init__(
        self,
        gateway: PartnerGateway,
        icn: str | None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_result: ResultListener | None = None,
    ) -> None:
        self.gateway = gateway
        self.on_result = on_result
        self.icn = icn
        self.clock = clock
        self.results: dict[Partner, PartnerCheck] = {p: PartnerCheck() for p in CHECKED_PARTNERS}
        # The check's own breakers never hold a call back: the check is how we learn a partner is back.
        self._breakers = {p: CircuitBreaker(retry_after_s=0.0) for p in CHECKED_PARTNERS}
        self.runs = 0
        self.enabled = icn is not None

    async def run_once(self) -> None:
        """One pass over every partner; partners that do not depend on each other are asked together."""
        if self.icn is None:
            return
        icn = self.icn
        summary: list[EeSummary] = []

        async def ee() -> None:
            summary.append(await self.gateway.ee.get_ee_summary(icn))

        async with anyio.create_task_group() as group:
            group.start_soon(self._check, Partner.MVI, lambda: self.gateway.mvi.find_by_icn(icn))
            group.start_soon(self._check, Partner.EE, ee)
        point = summary[0].geocode if summary and summary[0].geocode else FALLBACK_POINT
        async with anyio.create_task_group() as group:
            group.start_soon(self._check, Partner.FACILITIES, lambda: self.gateway.facilities.nearby(point))
            group.start_soon(
                self._check,
                Partner.PPMS,
                lambda: self.gateway.ppms.provider_locator(point, PROBE_RADIUS_MILES, [PPMS_PROBE_SPECIALTY]),
            )
            group.start_soon(self._check, Partner.SEOC, self.gateway.seoc.active_seocs)
            group.start_soon(self._check, Partner.ROUTING, lambda: self._route(point))
        self.runs += 1

    async def _route(self, point: GeoPoint) -> Any:
        return await self.gateway.routing.drive_minutes(point, [ROUTING_PROBE])

    async def _check(self, partner: Partner, op: Callable[[], Awaitable[Any]]) -> None:
        started = time.perf_counter()
        error: PartnerError | None = None
        try:
            await guarded_call(partner, op, timeout_s=self.gateway.timeout_s, breaker=self._breakers[partner])
        except PartnerError as exc:
            error = exc
        except Exception as exc:  # a client bug must not stop the other partners' checks
            log.exception("steel-thread check of %s raised", partner.value)
            error = PartnerError(partner, FailureKind.MALFORMED, type(exc).__name__)
        check = self.results[partner]
        check.record(self.clock(), time.perf_counter() - started, error)
        STEEL_THREAD_UP.labels(partner=partner.value).set(1 if error is None else 0)
        STEEL_THREAD_FAILURES.labels(partner=partner.value).set(check.consecutive_failures)
        if error is not None:
            log.warning(
                "steel-thread check of %s failed: %s (%d in a row)",
                partner.value,
                error.code,
                check.consecutive_failures,
            )
        if self.on_result is not None:
            try:
                await self.on_result(partner, error, check)
            except Exception:  # the outage board failing must not stop the checks
                log.exception("steel-thread result listener failed for %s", partner.value)

    async def run_forever(self, interval_s: float) -> None:
        """Check now, then every `interval_s` seconds, until cancelled."""
        while True:
            try:
                await self.run_once()
            except Exception:  # keep checking; one broken pass says nothing about the next
                log.exception("steel-thread pass failed")
            await asyncio.sleep(interval_s)

    def report(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "runs": self.runs,
            "partners": {p.value: c.as_json() for p, c in self.results.items()},
        }


def wanted(settings: Settings) -> bool:
    """Is the check on? Cheap: the development patient itself is looked up in the background."""
    configured = (settings.steel_thread_icn or "").strip().lower()
    return configured != SKIP and (bool(configured) or settings.is_dev)


def start(
    gateway: PartnerGateway,
    settings: Settings,
    on_result: ResultListener | None = None,
    dev_patient: Callable[[], str | None] = lambda: None,
) -> tuple[SteelThread, asyncio.Task[None] | None]:
    """Build the check for the app's lifespan and start its loop (none when the check is off)."""
    thread = SteelThread(gateway, None, on_result=on_result)
    if not wanted(settings):
        return thread, None
    thread.enabled = True

    async def run() -> None:
        # Finding the development patient (the demo builds its network) takes a moment: no waiting.
        thread.icn = await anyio.to_thread.run_sync(resolve_test_icn, settings, dev_patient)
        await thread.run_forever(settings.steel_thread_interval_s)

    return thread, asyncio.create_task(run())


async def stop(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
