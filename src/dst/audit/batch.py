"""Group commit for audited reads: many requests' audit rows share one transaction.

A read of a Veteran's record is answered only after its audit row is committed, so an answer a
clinician received always has its row, even if the process is killed right after. Rows that arrive
while a commit is under way wait for the next one, so under load one commit carries the rows of
many requests instead of each request queueing for its own write transaction (on SQLite every
write queues for the one write lock).

Changes are not batched: a decision and its audit row commit together in the change's own
transaction (`record_event`).
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from typing import Any

import anyio
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from dst.audit.models import AuditEvent
from dst.auth import Principal
from dst.db.base import utcnow
from dst.db.engine import transaction


@dataclass
class _Queue:
    rows: list[dict[str, Any]] = field(default_factory=list)
    waiters: list[asyncio.Future[None]] = field(default_factory=list)
    writer: asyncio.Task[None] | None = None


class AuditBatcher:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        # One queue per event loop: a queue's futures belong to the loop that made them.
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = (
            weakref.WeakKeyDictionary()
        )
        self.commits = 0
        self.rows_written = 0

    async def record(
        self,
        *,
        principal: Principal,
        action: str,
        dst_id: str | None = None,
        icn: str | None = None,
        station: str | None = None,
        outcome: str = "ok",
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Return once the row is committed; raise what the commit raised if it failed."""
        loop = asyncio.get_running_loop()
        queue = self._queues.setdefault(loop, _Queue())
        done: asyncio.Future[None] = loop.create_future()
        queue.rows.append(
            {
                "at": utcnow(),
                "actor": principal.user_id,
                "role": str(principal.role),
                "action": action,
                "dst_id": dst_id,
                "icn": icn,
                "station": station,
                "source_ip": principal.source_ip,
                "outcome": outcome,
                "detail": detail or {},
            }
        )
        queue.waiters.append(done)
        if queue.writer is None or queue.writer.done():
            queue.writer = loop.create_task(self._write_all(queue))
        await asyncio.shield(done)

    async def _write_all(self, queue: _Queue) -> None:
        while queue.rows:
            rows, waiters = queue.rows, queue.waiters
            queue.rows, queue.waiters = [], []
            try:
                await anyio.to_thread.run_sync(self._write, rows)
            except BaseException as error:
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_exception(error if isinstance(error, Exception) else RuntimeError(error))
                if not isinstance(error, Exception):
                    raise
            else:
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_result(None)

    def _write(self, rows: list[dict[str, Any]]) -> None:
        with transaction(self.sessions) as session:
            session.execute(insert(AuditEvent), rows)
        self.commits += 1
        self.rows_written += len(rows)
