"""The outage monitor: keeps the banners current and holds breakers open during maintenance.

A task started in the app's lifespan refreshes every PERIOD_S seconds; each page request also
refreshes when a breaker changed state or a window boundary passed, so a banner is never a minute late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dst.db.base import utcnow
from dst.db.engine import transaction
from dst.db.threads import run_db
from dst.operations import maintenance, outages
from dst.operations.models import WHOLE_DST, MaintenanceWindow
from dst.operations.notices import Notice, compose
from dst.partners.errors import Partner
from dst.partners.gateway import PartnerGateway

log = logging.getLogger(__name__)
PERIOD_S = 15.0
BREAKER_CAUSE = "DST's circuit breaker opened: calls to the partner failed or timed out."


@dataclass(frozen=True)
class WholeDstMaintenance:
    ends_at: datetime
    message: str


@dataclass(frozen=True)
class Board:
    """What every page shows, as of `refreshed_at`."""

    notices: tuple[Notice, ...] = ()
    dst_maintenance: WholeDstMaintenance | None = None
    refreshed_at: datetime | None = None
    next_change: datetime | None = None
    down: frozenset[Partner] = frozenset()


@dataclass
class _Reading:
    windows: list[MaintenanceWindow]
    notices: list[Notice]
    next_change: datetime | None
    reported: set[Partner] = field(default_factory=set)


class OperationsMonitor:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        gateway: PartnerGateway,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions, self.gateway, self.clock = sessions, gateway, clock
        self.reporter = outages.reporter_name()
        self.board = Board()
        self._reported: set[Partner] = set()  # partners this process has an open outage row for
        self._forced: set[Partner] = set()  # breakers this monitor holds open for a window
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def start(cls, sessions: sessionmaker[Session], gateway: PartnerGateway) -> OperationsMonitor:
        monitor = cls(sessions, gateway)
        monitor._task = asyncio.create_task(monitor._run(), name="dst-operations-monitor")
        return monitor

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception as error:  # a database hiccup must not end the monitor
                log.warning("operations monitor refresh failed: %s", type(error).__name__)
            await asyncio.sleep(PERIOD_S)

    def down_now(self) -> frozenset[Partner]:
        return self.gateway.down_partners()

    def due(self) -> bool:
        board, now = self.board, self.clock()
        if board.refreshed_at is None or now - board.refreshed_at >= timedelta(seconds=PERIOD_S):
            return True
        if board.next_change is not None and now >= board.next_change:
            return True
        return self.down_now() != board.down

    async def refresh_if_due(self) -> Board:
        if self.due():
            async with self._lock:
                if self.due():  # concurrent requests wait for one refresh instead of each running one
                    await self._refresh()
        return self.board

    async def refresh(self) -> Board:
        async with self._lock:
            return await self._refresh()

    async def _refresh(self) -> Board:
        now, down = self.clock(), self.down_now()
        reading = await run_db(self._read, now, down)
        self._reported = reading.reported
        self._hold_breakers(reading.windows, now)
        self.board = Board(
            tuple(reading.notices), _whole_dst(reading.windows, now), now, reading.next_change, down
        )
        return self.board

    def _read(self, now: datetime, down: frozenset[Partner]) -> _Reading:
        with transaction(self.sessions) as session:
            for partner in down | self._reported:
                outages.report(
                    session,
                    partner=partner,
                    source=outages.BREAKER,
                    reporter=self.reporter,
                    down=partner in down,
                    cause=BREAKER_CAUSE,
                    now=now,
                )
            outages.close_stale(session, now=now)
            session.flush()  # the factory does not autoflush; the notices must see these rows
            windows = maintenance.announced(session, now=now)
            notices = compose(windows, outages.current(session), now)
            return _Reading(windows, notices, _next_change(session, windows, now), set(down))

    def _hold_breakers(self, windows: list[MaintenanceWindow], now: datetime) -> None:
        open_now = {
            Partner(w.target): w for w in windows if w.target != WHOLE_DST and maintenance.is_open(w, now)
        }
        for partner, window in open_now.items():
            self.gateway.hold_open(partner, until=window.ends_at)
        for partner in self._forced - set(open_now):
            self.gateway.release(partner)
        self._forced = set(open_now)


def _whole_dst(windows: list[MaintenanceWindow], now: datetime) -> WholeDstMaintenance | None:
    for window in windows:
        if window.target == WHOLE_DST and maintenance.is_open(window, now):
            return WholeDstMaintenance(window.ends_at, window.message)
    return None


def _next_change(session: Session, windows: list[MaintenanceWindow], now: datetime) -> datetime | None:
    """The next moment a banner must change: a window starts or ends, or comes within notice."""
    moments = [m for w in windows for m in (w.starts_at, w.ends_at) if m > now]
    later = session.scalar(
        select(MaintenanceWindow.starts_at)
        .where(
            MaintenanceWindow.cancelled_at.is_(None),
            MaintenanceWindow.starts_at > now + maintenance.NOTICE_AHEAD,
        )
        .order_by(MaintenanceWindow.starts_at)
        .limit(1)
    )
    if later is not None:
        moments.append(later - maintenance.NOTICE_AHEAD)
    return min(moments, default=None)


async def report_check(
    monitor: OperationsMonitor, *, partner: Partner, ok: bool, detail: str, check: str = "steel-thread"
) -> Board:
    """The steel-thread check's door: a failed check opens an outage, a passing one ends it."""
    now = monitor.clock()

    def work() -> None:
        with transaction(monitor.sessions) as session:
            outages.report(
                session,
                partner=partner,
                source=outages.STEEL_THREAD,
                reporter=check[:80],
                down=not ok,
                cause=f"Steel-thread check failed: {detail}".strip()[:500],
                now=now,
            )

    await run_db(work)
    return await monitor.refresh()


def outage_reporter(monitor: OperationsMonitor) -> Callable[[Partner, Any, Any], Awaitable[None]]:
    """Feed the steel-thread check into the outage board: a partner DOWN opens an outage, a pass ends it."""

    async def report(partner: Partner, error: Any, check: Any) -> None:
        if error is None:
            await report_check(monitor, partner=partner, ok=True, detail="")
        elif str(check.status) == "DOWN":
            await report_check(monitor, partner=partner, ok=False, detail=error.code)

    return report
