"""Benchmark: what the operations console adds to each request, and how soon an outage banner shows.

Prints p50/p95 of `requires-dst` with no rollout rules and with 300 rules on record, p50/p95 of a
page whose notices are current, and the seconds from a breaker opening to the banner when no page
request triggers a refresh (the lifespan task alone; the promise to users is one minute).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from dst.config import Settings
from dst.db.migrate import upgrade
from dst.demo.seed import seed_demo
from dst.main import create_app
from dst.operations.models import EnablementRule
from dst.partners.errors import Partner

ROUNDS = 400
SERVICE = {"Authorization": "Bearer dev-service-token"}


def percentiles(call: Callable[[], object]) -> tuple[float, float]:
    for _ in range(20):
        call()  # warm up
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * len(samples))]


def add_rules(client: TestClient, count: int) -> None:
    past = datetime.now(UTC) - timedelta(days=1)
    stations = ["688", "523", "640", "463", "459", "608"]
    with client.app.state.sessions() as session:
        for i in range(count):
            scope, key = ("station", stations[i % len(stations)]) if i % 3 else ("national", "")
            session.add(
                EnablementRule(
                    scope=scope,
                    scope_key=key,
                    enabled=True,
                    effective_from=past + timedelta(seconds=i),
                    note="bench",
                    created_by="bench",
                )
            )
        session.commit()


def banner_delay(client: TestClient) -> float:
    """Seconds until the board lists the outage, with no page request to hurry it along."""
    monitor = client.app.state.operations
    client.app.state.gateway.breakers[Partner.SEOC].record_failure()
    started = time.perf_counter()
    while not any(n.target == "seoc" for n in monitor.board.notices):
        time.sleep(0.1)
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'dst.sqlite3'}"
        upgrade(url)
        settings = Settings(database_url=url, env="dev", _env_file=None)  # type: ignore[call-arg]
        asyncio.run(seed_demo(settings))
        with TestClient(create_app(settings)) as client:
            params = {"service": "CARDIOLOGY", "station": "688"}

            def ask() -> object:
                return client.get("/ctb/v1/requires-dst", params=params)

            p50, p95 = percentiles(ask)
            print(f"requires-dst, no rollout rules:   p50 {p50:.2f} ms, p95 {p95:.2f} ms")
            add_rules(client, 300)
            p50, p95 = percentiles(ask)
            print(f"requires-dst, 300 rollout rules:  p50 {p50:.2f} ms, p95 {p95:.2f} ms")
            p50, p95 = percentiles(lambda: client.get("/"))
            print(f"start page with current notices:  p50 {p50:.2f} ms, p95 {p95:.2f} ms")
            print(f"breaker open -> banner (task only): {banner_delay(client):.1f} s (promise: 60 s)")


if __name__ == "__main__":
    main()
