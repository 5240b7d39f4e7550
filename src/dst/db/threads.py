"""Blocking database work on a small pool of worker threads, finished even when its caller is
cancelled.

Python runs one thread at a time; database calls let go of it only while they wait on the
database. Dozens of threads taking turns (anyio's default allows 40) spend CPU handing the lock to
one another without finishing work sooner, so database work goes through a limiter sized to the
connection pool instead.

`anyio.to_thread.run_sync` lets go of its thread when the asyncio task awaiting it is cancelled
(`task.cancel()`, as a lifespan does to its background loops): the caller moves on while the thread
still holds, or is about to take, a database connection. At shutdown the engine is then disposed
under it, and the connection the thread checks out of the fresh pool is never closed — on
PostgreSQL a server connection held until the process exits, and psycopg's "deleted while still
open" warning when the garbage collector finds it. Here a cancelled caller first waits for the
thread, then is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

import anyio
import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from dst.db.engine import retried, transaction

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

DB_THREADS = 8
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(DB_THREADS)
    return limiter


async def run_db(func: Callable[[*Ts], T], *args: *Ts) -> T:
    """`func(*args)` on one of the database threads; a cancelled caller waits for it to finish."""
    thread: asyncio.Future[T] = asyncio.ensure_future(
        anyio.to_thread.run_sync(func, *args, limiter=_limiter())
    )
    try:
        return await asyncio.shield(thread)
    except asyncio.CancelledError:
        while not thread.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait({thread})
        if not thread.cancelled():
            thread.exception()  # retrieved, so an error in the abandoned work is not reported twice
        raise


async def in_transaction(
    sessions: sessionmaker[Session], work: Callable[[Session], T], *, read_only: bool = False
) -> T:
    """Run `work` in one database transaction on a database thread, so the event loop never blocks."""

    def once() -> T:
        with transaction(sessions, read_only=read_only) as session:
            return work(session)

    return await run_db(retried, once)
