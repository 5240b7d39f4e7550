"""cProfile of dashboard views served in one process: where a view's CPU goes, request by request.

Runs DST in this process with its embedded partner fakes (no latency) on a fresh SQLite demo database
(or --database-url), then serves N views one after another — the POST and the five panels, each view
all at once as a page does — under cProfile, and prints CPU per view and the top functions by own
time and by cumulative time. The embedded fakes' own CPU is printed apart, as it is not DST's.

    .venv/bin/python bench/profile_view.py --views 200 --top 40
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2
from bench_dashboard import consult_body

from dst.config import Settings
from dst.db.migrate import upgrade
from dst.demo.network import demo_network
from dst.demo.seed import seed_demo
from dst.main import create_app

PANELS = ("patient", "facilities", "community-providers", "eligibility", "seocs")
TOKEN = "profile-service-token"  # a throwaway database's token


async def one_view(http: httpx2.AsyncClient, v: Any, number: int) -> None:
    opened = await http.post("/api/v1/dst", json=consult_body(v, number) | {"consultService": "CARDIOLOGY"})
    opened.raise_for_status()
    dst_id = opened.json()["dstId"]
    answers = await asyncio.gather(*(http.get(f"/api/v1/dst/{dst_id}/{p}") for p in PANELS))
    for answer in answers:
        answer.raise_for_status()


async def run(settings: Settings, views: int, profile: cProfile.Profile) -> float:
    app = create_app(settings)
    veterans = [
        v
        for v in demo_network().veterans
        if v.scenario.startswith("Ordinary Veteran")
        and v.mvi_behaviour == v.ee_behaviour == "ok"
        and v.geocode
    ]
    transport = httpx2.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx2.AsyncClient(
            transport=transport, base_url="http://dst", headers={"Authorization": f"Bearer {TOKEN}"}
        ) as http,
    ):
        for n in range(5):  # warm-up: lazy imports, snapshots, first connections
            await one_view(http, veterans[n % len(veterans)], 100_000 + n)
        started = time.process_time()
        profile.enable()
        for n in range(views):
            await one_view(http, veterans[n % len(veterans)], 200_000 + n)
        profile.disable()
        return (time.process_time() - started) / views


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=200)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--database-url")
    parser.add_argument("--output", help="also write the raw profile here (pstats format)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'profile.sqlite3'}"
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=url,
            service_token=TOKEN,
            rate_machine_per_second=0,
            steel_thread_icn="skip",
        )
        upgrade(url)
        asyncio.run(seed_demo(settings))
        profile = cProfile.Profile()
        per_view = asyncio.run(run(settings, args.views, profile))
    if args.output:
        profile.dump_stats(args.output)
    stats = pstats.Stats(profile)
    fakes = sum(
        row[2]
        for key, row in stats.stats.items()
        if "/fake" in key[0] or "/demo/" in key[0]  # type: ignore[attr-defined]
    )
    print(f"{args.views} views, one after another, in one process (embedded fakes, no latency)")
    print(f"CPU per view (this process, fakes included): {per_view * 1000:.1f} ms")
    print(f"own time in the fakes' and demo modules: {fakes / args.views * 1000:.1f} ms per view")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
