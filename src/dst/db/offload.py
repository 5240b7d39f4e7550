"""Blocking database work on a worker thread, finished even when the awaiting task is cancelled.

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
from collections.abc import Callable
from typing import TypeVar

import anyio

T = TypeVar("T")


async def run_to_completion(work: Callable[..., T], *args: object) -> T:
    thread: asyncio.Future[T] = asyncio.ensure_future(anyio.to_thread.run_sync(work, *args))
    try:
        return await asyncio.shield(thread)
    except asyncio.CancelledError:
        while not thread.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait({thread})
        if not thread.cancelled():
            thread.exception()  # retrieved, so an error in the abandoned work is not reported twice
        raise
