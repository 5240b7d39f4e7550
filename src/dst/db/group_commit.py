"""Group commit: small writes from many concurrent requests share one transaction.

Each caller queues a write and waits until the transaction holding it has committed, so a caller
that got its answer knows its write is durable. Writes queued while a commit is under way go into
the next one; under load one commit carries the writes of many requests instead of each request
queueing for its own transaction (on SQLite every write transaction queues for the one write lock).

Only independent writes belong here (an audit row of a read, a shared partner answer): if the
transaction fails, every write in it fails with the same error.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from dst.db.engine import retried, transaction
from dst.db.threads import run_db

Write = Callable[[Session], None]


@dataclass
class _Queue:
    writes: list[Write] = field(default_factory=list)
    waiters: list[asyncio.Future[None]] = field(default_factory=list)
    writer: asyncio.Task[None] | None = None


class GroupCommit:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        # One queue per event loop: a queue's futures belong to the loop that made them.
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = (
            weakref.WeakKeyDictionary()
        )
        self.commits = 0
        self.writes = 0

    async def write(self, work: Write) -> None:
        """Return once `work` is committed; raise what the commit raised if it failed."""
        loop = asyncio.get_running_loop()
        queue = self._queues.setdefault(loop, _Queue())
        done: asyncio.Future[None] = loop.create_future()
        queue.writes.append(work)
        queue.waiters.append(done)
        if queue.writer is None or queue.writer.done():
            queue.writer = loop.create_task(self._write_all(queue))
        await asyncio.shield(done)

    async def _write_all(self, queue: _Queue) -> None:
        while queue.writes:
            writes, waiters = queue.writes, queue.waiters
            queue.writes, queue.waiters = [], []
            try:
                await run_db(self._commit, writes)
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
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_result(None)

    async def drain(self) -> None:
        """Wait until every write queued on this loop is committed (at shutdown, before the engine
        is disposed: a commit running after it would open a connection nobody closes)."""
        queue = self._queues.get(asyncio.get_running_loop())
        while queue is not None and queue.writer is not None and not queue.writer.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(queue.writer)

    def _commit(self, writes: list[Write]) -> None:
        def once() -> None:
            with transaction(self.sessions) as session:
                for work in writes:
                    work(session)

        retried(once)  # a batch given up in a deadlock is written again, audit rows and all
        self.commits += 1
        self.writes += len(writes)
