"""Benchmark: dashboard first paint, panel fill against the slowest partner, page weight (printed only).

Targets: first paint ≤ 300 ms with the zero-latency embedded fakes; every panel filled within 100 ms of
its slowest partner call; page weight ≤ 300 KB. Then, with the partner fakes of bench_dashboard.py
(`dst fakes serve` with its latencies: MVI 200 ms, E&E 300 ms, PPMS 500 ms, routing 100 ms), the
time from navigation to the summary's final answer at 1024×768. Runs `dst serve` on a fresh SQLite
database (PostgreSQL under scripts/with-postgres.sh); with Debian's /usr/bin/chromium present it
measures in the browser, otherwise it prints the weight only.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_dashboard import LATENCY_MS  # noqa: E402

from dst.db.migrate import upgrade  # noqa: E402
from dst.demo.seed import seed_demo  # noqa: E402

from browser import CHROMIUM, chromium  # noqa: E402
from factories import consult, ordinary, veteran  # noqa: E402
from harness import SERVICE, settings_for  # noqa: E402
from live_server import free_port  # noqa: E402

RUNS = 7
PANELS = ("patient", "facilities", "map", "eligibility", "providers", "decision")
FONTS = ("sourcesanspro-regular-webfont.woff2", "sourcesanspro-bold-webfont.woff2")
TARGET_PAINT_MS, TARGET_GAP_MS, TARGET_KB = 300, 100, 300


def new_record(client: httpx2.Client) -> str:
    response = client.post("/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE)
    response.raise_for_status()
    return str(response.json()["dstId"])


def weight_by_http(url: str) -> dict[str, int]:
    """Bytes of everything a first visit downloads: the shell, each panel, CSS, script and two fonts."""
    with httpx2.Client(base_url=url, follow_redirects=True, timeout=120) as client:
        client.get("/dev/sign-in?role=provider&next=/")
        dst_id = new_record(client)
        parts = {"shell": client.get(f"/dst/{dst_id}")}
        parts |= {f"panel {n}": client.get(f"/dst/{dst_id}/panels/{n}") for n in PANELS}
        parts |= {
            a: client.get(f"/static/{a}") for a in ("build/uswds.css", "dst.css", "summary.js", "dst.js")
        }
        parts |= {f: client.get(f"/static/build/fonts/source-sans-pro/{f}") for f in FONTS}
    missing = [name for name, r in parts.items() if r.status_code != 200]
    if missing:
        print(f"  warning: not found {missing} (run `make static` first)")
    return {name: len(r.content) for name, r in parts.items()}


def partner_seconds(url: str) -> dict[str, tuple[float, float]]:
    """Each partner's (total seconds, calls) from the Prometheus histogram at /metrics."""
    totals: dict[str, list[float]] = {}
    for line in httpx2.get(f"{url}/metrics").text.splitlines():
        found = re.match(r'dst_partner_call_seconds_(sum|count)\{partner="(\w+)"\} ([0-9.e+-]+)', line)
        if found:
            kind, partner, value = found.groups()
            totals.setdefault(partner, [0.0, 0.0])[0 if kind == "sum" else 1] = float(value)
    return {partner: (v[0], v[1]) for partner, v in totals.items()}


def slowest_partner_ms(
    before: dict[str, tuple[float, float]], after: dict[str, tuple[float, float]]
) -> float:
    """The partner with the longest mean call during this page load (calls run concurrently)."""
    means = []
    for partner, (seconds, calls) in after.items():
        done = calls - before.get(partner, (0.0, 0.0))[1]
        if done > 0:
            means.append((seconds - before.get(partner, (0.0, 0.0))[0]) / done * 1000)
    return max(means, default=0.0)


def browser_run(browser: Any, url: str) -> dict[str, float | None]:
    context = browser.new_context(base_url=url)
    page = context.new_page()
    page.goto("/dev/sign-in?role=provider&next=/")
    with httpx2.Client(base_url=url) as client:
        dst_id = new_record(client)
    before = partner_seconds(url)
    page.goto(f"/dst/{dst_id}")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-panel]')].every(p => p.dataset.state)", timeout=60_000
    )
    timing = page.evaluate(
        """() => ({
          paint: (performance.getEntriesByName('first-contentful-paint')[0]
                  || performance.getEntriesByName('first-paint')[0] || {}).startTime ?? null,
          panels: Object.fromEntries(performance.getEntriesByType('mark')
            .filter(m => m.name.startsWith('dst-panel:')).map(m => [m.name.slice(10), m.startTime])),
          requests: performance.getEntriesByType('resource').filter(r => r.name.includes('/panels/'))
            .map(r => r.responseEnd - r.startTime),
        })"""
    )
    slowest = slowest_partner_ms(before, partner_seconds(url))
    context.close()
    last_panel = max(timing["panels"].values())
    return {
        "paint": timing["paint"],
        "last_panel": last_panel,
        "slowest_partner": slowest,
        "gap": last_panel - slowest,
        "slowest_request": max(timing["requests"]),
        "request_gap": max(timing["requests"]) - slowest,
    }


def summary_run(browser: Any, url: str) -> tuple[float, float]:
    """Milliseconds from navigation to the summary's answer (the eligibility panel in) and to the
    complete summary (every panel in: summary.js marks it), at 1024×768."""
    context = browser.new_context(base_url=url, viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto("/dev/sign-in?role=provider&next=/")
    with httpx2.Client(base_url=url) as client:
        dst_id = new_record(client)  # as a launch does, just before the browser is sent to the page
    page.goto(f"/dst/{dst_id}")
    page.wait_for_selector("[data-summary-state=final]", timeout=60_000)
    names = ["dst-panel:eligibility", "dst-summary:final"]
    marks = page.evaluate("names => names.map(n => performance.getEntriesByName(n)[0].startTime)", names)
    context.close()
    return float(marks[0]), float(marks[1])


@contextmanager
def fakes_server() -> Iterator[str]:
    """`dst fakes serve` with the dashboard benchmark's partner latencies, in its own process."""
    port = free_port()
    latencies = [a for p, ms in LATENCY_MS.items() for a in ("--partner-latency", f"{p}={ms}")]
    command = [str(Path(sys.executable).parent / "dst"), "fakes", "serve", "--port", str(port), *latencies]
    server = subprocess.Popen(command, env={**os.environ, "DST_ENV": "dev"})
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx2.get(f"{url}/seoc/")
                break
            except httpx2.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def dst_server(database: str, partners: str | None = None) -> Iterator[str]:
    """`dst serve` in its own process, so the browser driver and the server do not share an interpreter;
    with `partners`, every partner is the fakes server there instead of the embedded fakes."""
    port = free_port()
    env = {**os.environ, "DST_DATABASE_URL": database, "DST_ENV": "dev"}
    if partners:
        names = ("mvi", "ee", "facilities", "ppms", "seoc", "routing")
        env |= {f"DST_{p.upper()}_URL": f"{partners}/{p}" for p in names}
    command = [str(Path(sys.executable).parent / "dst"), "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx2.get(f"{url}/health/live").status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def bench_database(folder: str) -> Iterator[str]:
    """SQLite in a temporary folder, or a fresh PostgreSQL database when DST_TEST_POSTGRES_URL is set
    (run under scripts/with-postgres.sh): SQLite queues every transaction for its one write lock."""
    server = os.environ.get("DST_TEST_POSTGRES_URL")
    if not server:
        yield f"sqlite:///{folder}/bench.sqlite3"
        return
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS dst_bench_pages"))
        connection.execute(text("CREATE DATABASE dst_bench_pages"))
    try:
        yield make_url(server).set(database="dst_bench_pages").render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS dst_bench_pages WITH (FORCE)"))
        admin.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, bench_database(folder) as database:
        print(f"Database: {make_url(database).get_backend_name()}")
        upgrade(database)
        anyio.run(seed_demo, settings_for(database))
        with dst_server(database) as url:
            sizes = weight_by_http(url)
            total = sum(sizes.values())
            print("Page weight by HTTP (first visit, uncompressed):")
            for name, size in sizes.items():
                print(f"  {name:<36} {size / 1024:7.1f} KB")
            print(f"  {'total':<36} {total / 1024:7.1f} KB  (target ≤ {TARGET_KB} KB)")
            if not CHROMIUM.exists():
                print("Chromium not found at /usr/bin/chromium: first paint and panel timings not measured.")
                return
            with chromium() as browser:
                browser_run(browser, url)  # warm up: templates, the demo network behind the fakes
                runs = [browser_run(browser, url) for _ in range(RUNS)]
        with fakes_server() as partners, dst_server(database, partners) as url, chromium() as browser:
            summary_run(browser, url)  # warm up
            finals = [summary_run(browser, url) for _ in range(RUNS)]
    print(f"Dashboard in headless Chromium, {RUNS} runs, zero-latency embedded fakes (median, worst):")
    for key, label, target in (
        ("paint", "first contentful paint", f"≤ {TARGET_PAINT_MS} ms"),
        ("slowest_partner", "slowest partner (mean call)", ""),
        ("last_panel", "last panel filled", ""),
        ("gap", "last panel − slowest partner", ""),
        ("slowest_request", "slowest panel request", ""),
        ("request_gap", "panel request − slowest partner", f"≤ {TARGET_GAP_MS} ms"),
    ):
        values = [r[key] for r in runs if r[key] is not None]
        if not values:  # some Chromium builds report no paint entries to a headless page
            print(f"  {label:<30} not reported by this Chromium")
            continue
        print(f"  {label:<30} {statistics.median(values):7.1f} ms  {max(values):7.1f} ms  {target}")
    print(f"Record page summary, {RUNS} runs, partner fakes with latencies {LATENCY_MS} ms (median, worst):")
    for index, label in ((0, "navigation → answer shown"), (1, "navigation → summary complete")):
        values = [f[index] for f in finals]
        print(f"  {label:<30} {statistics.median(values):7.1f} ms  {max(values):7.1f} ms")


if __name__ == "__main__":
    main()
