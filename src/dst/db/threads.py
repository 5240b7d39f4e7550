"""Database work off the event loop, on a small pool of threads.

Python runs one thread at a time; database calls release the lock only while they wait on the
database. Dozens of threads taking turns (anyio's default allows 40) spend CPU handing the lock to
one another without finishing work sooner, so database work goes through a limiter sized to the
connection pool instead.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

import anyio
import anyio.to_thread

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
    """`func(*args)` on one of the database threads."""
    return await anyio.to_thread.run_sync(func, *args, limiter=_limiter())
