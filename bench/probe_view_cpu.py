"""Server CPU per request of a dashboard view, one request at a time: where a view's CPU goes.

Starts `dst fakes serve` (no added latency) and `dst serve` as separate processes on a freshly seeded
database, as bench_dashboard.py does, then opens records one after another and, for each, fetches the
five panels one by one, reading the DST processes' CPU time from the operating system before and
after each request. Prints the median CPU per request kind and per whole view, so a change can be
weighed request by request without the noise of 50 concurrent clinicians. On PostgreSQL it also
prints the database server's own CPU per view (every `postgres` process on this machine), since the
database shares the same two cores and its statements cost CPU there too.

    .venv/bin/python bench/probe_view_cpu.py --views 200
    scripts/with-postgres.sh sh -c '.venv/bin/python bench/probe_view_cpu.py --views 200 \
        --database-url "$DST_TEST_POSTGRES_URL"'
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx2
import psutil
from bench_dashboard import (
    PANELS,
    SERVICE_TOKEN,
    ServerProcesses,
    consult_body,
    cpu_seconds,
    dst_command,
    free_port,
    process,
)

from dst.demo.network import demo_network


def database_cpu_s() -> float:
    """CPU seconds of every PostgreSQL process on this machine (0 when none runs: SQLite)."""
    every = psutil.process_iter(["name"])
    return cpu_seconds(p for p in every if (p.info["name"] or "").startswith("postgres"))


def probe(dst: str, server: ServerProcesses, views: int) -> dict[str, list[float]]:
    veterans = [
        v
        for v in demo_network().veterans
        if v.scenario.startswith("Ordinary Veteran")
        and v.mvi_behaviour == v.ee_behaviour == "ok"
        and v.geocode
    ]
    kinds: dict[str, list[float]] = {"POST": [], **{p: [] for p in PANELS}, "view": []}
    kinds["database, per view"] = []
    with httpx2.Client(
        base_url=dst, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}, timeout=30
    ) as http:
        for n in range(views + 5):
            v = veterans[n % len(veterans)]
            first, database_first = server.cpu_s(), database_cpu_s()
            opened = http.post("/api/v1/dst", json=consult_body(v, 700_000 + n))
            opened.raise_for_status()
            dst_id = opened.json()["dstId"]
            time.sleep(0.05)  # the partner calls the POST started finish on the server
            spent = {"POST": server.cpu_s() - first}
            for panel in PANELS:
                before = server.cpu_s()
                answer = http.get(f"/api/v1/dst/{dst_id}/{panel}")
                answer.raise_for_status()
                if answer.json().get("errors"):
                    raise SystemExit(f"partner error in a panel: {answer.json()['errors']}")
                spent[panel] = server.cpu_s() - before
            time.sleep(0.02)  # group commits and stores after the answers
            spent["view"] = server.cpu_s() - first
            spent["database, per view"] = database_cpu_s() - database_first
            if n >= 5:  # the first views warm connections, snapshots and lazy imports
                for kind, seconds in spent.items():
                    kinds[kind].append(seconds)
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--views", type=int, default=200)
    parser.add_argument("--database-url", help="an empty database to seed (default: a fresh SQLite file)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="extra DST_* setting"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="dst-probe-"))
    env = {**os.environ, "DST_ENV": "dev", "DST_STEEL_THREAD_ICN": "skip", "DST_RATE_MACHINE_PER_SECOND": "0"}
    env["DST_DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'dst.sqlite3'}"
    env |= dict(item.split("=", 1) for item in args.env)
    for step in (("db", "upgrade"), ("demo", "seed")):
        subprocess.run(dst_command(*step), env=env, check=True, capture_output=True)
    fakes_port, dst_port = free_port(), free_port()
    fakes, dst = f"http://127.0.0.1:{fakes_port}", f"http://127.0.0.1:{dst_port}"
    dst_env = env | {
        f"DST_{p.upper()}_URL": f"{fakes}/{p}" for p in ("mvi", "ee", "facilities", "ppms", "seoc", "routing")
    }
    serve = dst_command("serve", "--port", str(dst_port), "--workers", str(args.workers))
    with (
        process(
            dst_command("fakes", "serve", "--port", str(fakes_port)), env, f"{fakes}/seoc/", workdir / "f.log"
        ),
        process(serve, dst_env, f"{dst}/health/live", workdir / "dst.log") as server,
    ):
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        kinds = probe(dst, ServerProcesses(server.pid), args.views)
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    shutil.rmtree(workdir, ignore_errors=True)
    # The operating system counts CPU time in clock ticks (10 ms): a mean over many requests is
    # exact where a median of single requests would round to the tick.
    print(f"{args.views} views one request at a time; server CPU per request, mean:")
    for kind, values in kinds.items():
        if kind == "database, per view" and not any(values):
            continue  # SQLite: the database's work is in the DST processes' own figures
        print(f"  {kind:20s} {statistics.fmean(values) * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
