"""Share one partner call between the panels of one page view: a short-lived, in-process task cache."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

ERROR_TTL_S = 5.0


class PanelCache:
    """Maps a key to the task computing it; entries live `ttl_s` seconds.

    Panels of one dashboard arrive within a second of each other, so caching for two minutes means
    each partner is called at most once per page view. Results are per replica and never persisted.
    """

    def __init__(self, ttl_s: float = 120.0, max_entries: int = 5000) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, asyncio.Task[Any]]] = {}

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and self._usable(entry, now):
            return await asyncio.shield(entry[1])
        task: asyncio.Task[T] = asyncio.ensure_future(compute())
        self._prune(now)
        self._entries[key] = (now, task)
        return await asyncio.shield(task)

    def _usable(self, entry: tuple[float, asyncio.Task[Any]], now: float) -> bool:
        started, task = entry
        if now - started > self.ttl_s:
            return False
        if task.done():
            # A failure is shared by one page view only; a reload a few seconds later tries again.
            return not task.cancelled() and (task.exception() is None or now - started < ERROR_TTL_S)
        # A pending task from another event loop (tests run several) cannot be awaited here.
        return task.get_loop() is asyncio.get_running_loop()

    def _prune(self, now: float) -> None:
        if len(self._entries) < self.max_entries:
            return
        for key in [k for k, (t, _) in self._entries.items() if now - t > self.ttl_s]:
            del self._entries[key]
        while len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]

    def forget(self, prefix: Hashable) -> None:
        """Drop every entry whose key starts with `prefix` (a reopened record re-queries live)."""
        for key in [k for k in self._entries if isinstance(k, tuple) and k[:1] == (prefix,)]:
            del self._entries[key]
