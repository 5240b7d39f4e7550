"""Group commit: small writes from many concurrent requests share one transaction.

Each caller queues a write and waits until the transaction holding it has committed, so a caller
that got its answer knows its write is durable. Writes queued while a commit is under way go into
the next one; under load one commit carries the writes of many requests instead of each request
queueing for its own transaction (on SQLite every write transaction queues for the one write lock).

Only independent work belongs here (a read with its audit row, a shared partner answer): if the
transaction fails, every piece of work in it fails with the same error.

`alone` is for work that writes in one statement needing no transaction around it and otherwise
only reads (a shared partner answer stored, a claim released, a panel's read with its audit row).
Queued with others it shares their transaction like any write; queued by itself on PostgreSQL it
runs in autocommit, one round trip instead of three (BEGIN, the statement, COMMIT). Several
statements still share one commit rather than each waiting for its own flush of the write-ahead
log. SQLite has no round trips to save.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from sqlalchemy.orm import Session, sessionmaker

from dst.db.engine import retried, transaction, uses_postgresql
from dst.db.threads import run_db

Write = Callable[[Session], None]
T = TypeVar("T")


@dataclass
class _Queue:
    writes: list[Callable[[Session], object]] = field(default_factory=list)
    waiters: list[asyncio.Future[object]] = field(default_factory=list)
    lone: int = 0  # how many of the writes are one statement each (`alone`)
    writer: asyncio.Task[None] | None = None


class GroupCommit:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        # One queue per event loop: a queue's futures belong to the loop that made them.
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = (
            weakref.WeakKeyDictionary()
        )
        self.postgres = uses_postgresql(sessions)
        self.commits = 0
        self.writes = 0

    async def write(self, work: Write) -> None:
        """Return once `work` is committed; raise what the commit raised if it failed."""
        await self._queued(work, lone=False)

    async def alone(self, work: Write) -> None:
        """`write` for work of one statement that needs no transaction around it: by itself on
        PostgreSQL it is committed in autocommit, without BEGIN and COMMIT."""
        await self._queued(work, lone=True)

    async def run(self, work: Callable[[Session], T], *, lone: bool = False) -> T:
        """`work(session)` in the next shared transaction; its result once that has committed.

        For a read that must not be answered before its audit row is durable: the read and the row
        go into one transaction with the other requests' (one thread hop, one commit, for all).
        `lone`: the work writes in one statement and otherwise only reads, as for `alone`."""
        return cast(T, await self._queued(work, lone=lone))

    async def _queued(self, work: Callable[[Session], object], *, lone: bool) -> object:
        loop = asyncio.get_running_loop()
        queue = self._queues.setdefault(loop, _Queue())
        done: asyncio.Future[object] = loop.create_future()
        queue.writes.append(work)
        queue.waiters.append(done)
        queue.lone += lone
        if queue.writer is None or queue.writer.done():
            queue.writer = loop.create_task(self._write_all(queue))
        return await asyncio.shield(done)

    async def _write_all(self, queue: _Queue) -> None:
        while queue.writes:
            writes, waiters, lone = queue.writes, queue.waiters, queue.lone
            queue.writes, queue.waiters, queue.lone = [], [], 0
            by_itself = self.postgres and len(writes) == 1 and lone == 1
            try:
                results = await run_db(self._autocommit if by_itself else self._commit, writes)
            except Exception as error:
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_exception(error)
            except BaseException:
                for waiter in waiters:
                    if not waiter.done():
                        waiter.cancel()
                raise
            else:
                for waiter, result in zip(waiters, results, strict=True):
                    if not waiter.done():
                        waiter.set_result(result)

    async def drain(self) -> None:
        """Wait until every write queued on this loop is committed (at shutdown, before the engine
        is disposed: a commit running after it would open a connection nobody closes)."""
        queue = self._queues.get(asyncio.get_running_loop())
        while queue is not None and queue.writer is not None and not queue.writer.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(queue.writer)

    def _commit(self, writes: list[Callable[[Session], object]]) -> list[object]:
        def once() -> list[object]:
            with transaction(self.sessions) as session:
                return [work(session) for work in writes]

        results = retried(once)  # a batch given up in a deadlock is written again, audit rows and all
        self.commits += 1
        self.writes += len(writes)
        return results

    def _autocommit(self, writes: list[Callable[[Session], object]]) -> list[object]:
        """One statement, committed by the server as it runs. A lone statement holds no lock while
        it waits for another, so it is never a deadlock's victim and is not run again."""
        with transaction(self.sessions, autocommit=True) as session:
            results = [writes[0](session)]
        self.commits += 1
        self.writes += 1
        return results
