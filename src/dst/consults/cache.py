"""Share one partner call between the panels of one page view: a short-lived, in-process task cache."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

ERROR_TTL_S = 5.0


@dataclass
class _Entry:
    started: float
    task: asyncio.Task[Any]
    finished: float | None = None

    def stamp(self, _task: asyncio.Task[Any]) -> None:
        self.finished = time.monotonic()

    @property
    def failed(self) -> bool:
        """A partner failure, or a panel built around one (it carries `errors`)."""
        if self.task.exception() is not None:
            return True
        return bool(getattr(self.task.result(), "errors", ()))


class PanelCache:
    """Maps a key to the task computing it; entries live `ttl_s` seconds.

    Panels of one dashboard arrive within a second of each other, so caching for two minutes means
    each partner is called at most once per page view. A failure, and a panel that shows one, is kept
    ERROR_TTL_S from when it finished: shared by the page view, asked again on a reload. Results are
    per replica and never persisted.
    """

    def __init__(self, ttl_s: float = 120.0, max_entries: int = 5000) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[Hashable, _Entry] = {}

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and self._usable(entry, now):
            return await asyncio.shield(entry.task)
        task: asyncio.Task[T] = asyncio.ensure_future(compute())
        self._prune(now)
        entry = _Entry(now, task)
        task.add_done_callback(entry.stamp)
        self._entries[key] = entry
        return await asyncio.shield(task)

    def _usable(self, entry: _Entry, now: float) -> bool:
        if now - entry.started > self.ttl_s:
            return False
        task = entry.task
        if task.done():
            if task.cancelled():
                return False
            # A failure is shared by one page view only; a reload a few seconds later tries again.
            return not entry.failed or now - (entry.finished or entry.started) < ERROR_TTL_S
        # A pending task from another event loop (tests run several) cannot be awaited here.
        return task.get_loop() is asyncio.get_running_loop()

    def _prune(self, now: float) -> None:
        if len(self._entries) < self.max_entries:
            return
        for key in [k for k, e in self._entries.items() if now - e.started > self.ttl_s]:
            del self._entries[key]
        while len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]

    def forget(self, prefix: Hashable) -> None:
        """Drop every entry whose key starts with `prefix` (a reopened record re-queries live)."""
        for key in [k for k in self._entries if isinstance(k, tuple) and k[:1] == (prefix,)]:
            del self._entries[key]

    def forget_kinds(self, dst_id: str, kinds: Collection[str]) -> None:
        """Drop a record's entries of these kinds (the second part of the key: "mvi", "patient"…)."""
        for key in [
            k for k in self._entries if isinstance(k, tuple) and k[:1] == (dst_id,) and k[1] in kinds
        ]:
            del self._entries[key]
