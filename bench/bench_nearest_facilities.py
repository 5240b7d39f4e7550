"""Nearest VA facilities offering a service, from the local database: prints p50/p95 in ms (goal ≤ 2 ms).

This is the facilities panel's database step (`dst.reference.facilities.nearby_offering`) for one
Veteran: one indexed bounding-box query joined to the service and wait-time tables, then exact
distances. Veterans are the demo network's, at their E&E geocodes, across every clinical service.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from dst.consults.panels import RADIUS_MILES
from dst.db.engine import build_engine, build_session_factory
from dst.demo.network import demo_network
from dst.reference.facilities import nearby_offering
from dst.reference.models import ClinicalService

GOAL_MS = 2.0


def seed(url: str) -> None:
    env = {**os.environ, "DST_ENV": "dev", "DST_DATABASE_URL": url}
    for step in (("db", "upgrade"), ("demo", "seed")):
        subprocess.run([sys.executable, "-m", "dst.cli", *step], env=env, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="an empty database to seed (default: a fresh SQLite file)")
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="dst-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'dst.sqlite3'}"
    print("seeding the demo database ...", flush=True)
    seed(url)
    engine = build_engine(url)
    sessions = build_session_factory(engine)
    points = [v.geocode for v in demo_network().veterans if v.geocode is not None]
    with sessions() as session:
        services = list(session.scalars(select(ClinicalService)))
    timings: list[float] = []
    cpu: list[float] = []
    found: list[int] = []
    with sessions() as session:  # the panel opens a session per query; reuse here isolates the query
        for i in range(args.queries + 100):
            service = services[i % len(services)]
            point = points[i % len(points)]
            started, cpu_started = time.perf_counter(), time.thread_time()
            rows = nearby_offering(
                session,
                service_id=service.lighthouse_service_id,
                clinical_service_id=service.id,
                point=point,
                radius_miles=RADIUS_MILES.get(service.care_category, 100.0),
            )
            elapsed, cpu_elapsed = time.perf_counter() - started, time.thread_time() - cpu_started
            if i >= 100:  # the first queries warm the statement cache and the pages
                timings.append(elapsed * 1000)
                cpu.append(cpu_elapsed * 1000)
                found.append(len(rows))
    engine.dispose()
    shutil.rmtree(workdir, ignore_errors=True)
    backend = url.split(":", 1)[0]
    # Wall time includes waiting for a core on a busy machine; CPU time is the query's own work.
    for label, values in (("wall", timings), ("CPU", cpu)):
        values.sort()
        p50, p95 = statistics.median(values), values[int(0.95 * (len(values) - 1))]
        print(
            f"nearby_offering on {backend}, {label} time: n={len(values)} p50={p50:.3f} ms "
            f"p95={p95:.3f} ms max={values[-1]:.3f} ms"
        )
    wall_p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"mean facilities found: {statistics.mean(found):.1f}")
    print(f"goal p95 ≤ {GOAL_MS:g} ms (wall): {'MEETS' if wall_p95 <= GOAL_MS else 'MISSES'}")


if __name__ == "__main__":
    main()
