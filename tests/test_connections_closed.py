"""No database connection outlives the app: on PostgreSQL one left open is a server slot lost.

Work that went on after the app stopped read the database after the engine was disposed, from the
fresh pool a disposed engine starts: that connection was never closed, and the garbage collector
found it open (psycopg's "deleted while still open" warning) during some later test. Two paths did
it: the panels' prefetches started by opening a record (`Panels.prefetch`), and the lifespan's
background loops (operations monitor, steel thread) cancelled while their database work ran on a
worker thread, which `anyio.to_thread.run_sync` then abandons (`dst.db.threads`).
"""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi.testclient import TestClient

from dst.main import create_app

from factories import consult, ordinary, veteran
from harness import SERVICE, settings_for


def _pool_is_empty(app: Any) -> bool:
    pool = app.state.engine.pool
    return bool(pool.checkedout() == 0 and pool.checkedin() == 0)


def test_prefetches_end_with_the_app_and_leave_no_connection(database_url: str, monkeypatch: Any) -> None:
    import time

    from dst.consults.panels import Panels

    nearby = Panels._nearby

    def slow_nearby(self: Panels, *args: Any) -> Any:
        time.sleep(0.5)  # the facilities query is still to come when the app stops
        return nearby(self, *args)

    monkeypatch.setattr(Panels, "_nearby", slow_nearby)
    if True:
        app = create_app(settings_for(database_url))
        with TestClient(app) as client:
            created = client.post(
                "/api/v1/dst", json=consult(veteran(ordinary), consultNumber="770"), headers=SERVICE
            )
            assert created.status_code == 201, created.text
            time.sleep(0.15)  # the partner calls answer; the facilities query waits in its thread
        time.sleep(0.8)  # long enough for a prefetch that outlived the app to reach the database
        assert _pool_is_empty(app), app.state.engine.pool.status()


def test_the_engine_is_disposed_when_start_up_fails(database_url: str, monkeypatch: Any) -> None:
    from dst.operations.monitor import OperationsMonitor

    def refuse(*_: Any, **__: Any) -> Any:
        raise RuntimeError("monitor could not start")

    app = create_app(settings_for(database_url))
    with TestClient(app) as client:
        assert client.get("/health/ready").status_code == 200
    monkeypatch.setattr(OperationsMonitor, "start", refuse)
    failing = create_app(settings_for(database_url))
    with failing.state.engine.connect():  # a pooled connection the failed start-up must close
        pass
    try:
        with TestClient(failing):
            pass
    except RuntimeError:
        pass
    assert _pool_is_empty(failing)


def test_a_cancelled_caller_waits_for_its_database_thread() -> None:
    """A lifespan cancels its background loops; their database work must end before the engine goes."""
    import asyncio
    import threading
    import time

    import anyio

    from dst.db.threads import run_db as run_to_completion

    finished = threading.Event()

    def work() -> str:
        time.sleep(0.3)
        finished.set()
        return "done"

    async def cancel_midway() -> None:
        task = asyncio.ensure_future(run_to_completion(work))
        await asyncio.sleep(0.05)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert finished.is_set(), "the caller was released while its thread still ran"
        assert await run_to_completion(lambda: 42) == 42

    anyio.run(cancel_midway)


def test_the_operations_monitor_stops_only_after_its_database_read(
    database_url: str, monkeypatch: Any
) -> None:
    import time

    from dst.operations.monitor import OperationsMonitor

    read = OperationsMonitor._read

    def slow_read(self: OperationsMonitor, *args: Any) -> Any:
        time.sleep(0.4)  # the lifespan stops the monitor while this read is under way
        return read(self, *args)

    monkeypatch.setattr(OperationsMonitor, "_read", slow_read)
    app = create_app(settings_for(database_url))
    with TestClient(app):
        time.sleep(0.1)
    time.sleep(0.6)  # long enough for an abandoned read to reach the database
    assert _pool_is_empty(app), app.state.engine.pool.status()
