"""Load_Facilities: 1,300 facilities from the fake Lighthouse server over HTTP (target ≤ 10 s).

Run: .venv/bin/python bench/bench_load_facilities.py [--database-url URL] [--inline-wait-times]
By default the fake answers like current Lighthouse v1 (wait times only under /facilities/{id}/services),
so the job also makes one /services call per facility; --inline-wait-times uses the 2022 v1 shape.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import anyio
import uvicorn
from harness_bench import settings_for_bench

from dst.db.engine import build_engine, build_session_factory
from dst.db.migrate import upgrade
from dst.demo.network import demo_network
from dst.jobs.registry import job_spec
from dst.jobs.runner import run_spec
from dst.partners.facilities.fake import create_app
from dst.partners.types import FacilityRecord
from dst.reference.loading import load_national_reference

API_KEY = "bench-key"
FACILITIES = 1_300


def facilities() -> list[FacilityRecord]:
    """The demo network's facilities, topped up to 1,300 with renamed copies."""
    records = list(demo_network().facilities)
    n = 0
    while len(records) < FACILITIES:
        source = records[n]
        records.append(replace(source, facility_id=f"{source.facility_id}X{n}", name=f"{source.name} Annex"))
        n += 1
    return records[:FACILITIES]


def serve(app: object) -> tuple[uvicorn.Server, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--inline-wait-times", action="store_true")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'dst.sqlite3'}"
    upgrade(url)
    load_national_reference(url)
    server, base = serve(create_app(facilities(), API_KEY, inline_wait_times=args.inline_wait_times))
    settings = settings_for_bench(url, facilities_url=base, facilities_api_key=API_KEY)
    engine = build_engine(url)
    try:
        started = time.perf_counter()
        summary = anyio.run(
            lambda: run_spec(
                job_spec("load-facilities"), settings=settings, sessions=build_session_factory(engine)
            )
        )
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
        server.should_exit = True
    shape = "inline wait times" if args.inline_wait_times else "one /services call per facility"
    print(
        f"load-facilities: {summary.outcome}, read {summary.read:,}, "
        f"wrote {summary.written:,} in {elapsed:.2f} s"
    )
    print(f"fake Lighthouse over HTTP ({shape}); database {url.split(':')[0]} (target <= 10 s)")


if __name__ == "__main__":
    main()
