"""Benchmark: dashboard first paint, panel fill against the slowest partner, page weight (printed only).

Targets: first paint ≤ 300 ms with the zero-latency embedded fakes; every panel filled within 100 ms of
its slowest partner call; page weight ≤ 300 KB. Runs a real server on a fresh SQLite database; with
Debian's /usr/bin/chromium present it measures in the browser, otherwise it prints the weight only.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from dst.db.migrate import upgrade  # noqa: E402
from dst.demo.seed import seed_demo  # noqa: E402
from dst.main import create_app  # noqa: E402
from dst.partners.errors import Partner  # noqa: E402

from browser import CHROMIUM, chromium  # noqa: E402
from factories import consult, ordinary, veteran  # noqa: E402
from harness import SERVICE, settings_for  # noqa: E402
from live_server import serve  # noqa: E402

RUNS = 7
PANELS = ("patient", "facilities", "map", "eligibility", "providers", "decision")
FONTS = ("sourcesanspro-regular-webfont.woff2", "sourcesanspro-bold-webfont.woff2")
TARGET_PAINT_MS, TARGET_GAP_MS, TARGET_KB = 300, 100, 300


def new_record(client: httpx.Client) -> str:
    response = client.post("/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE)
    response.raise_for_status()
    return str(response.json()["dstId"])


def weight_by_http(url: str) -> dict[str, int]:
    """Bytes of everything a first visit downloads: the shell, each panel, CSS, script and two fonts."""
    with httpx.Client(base_url=url, follow_redirects=True) as client:
        client.get("/dev/sign-in?role=provider&next=/")
        dst_id = new_record(client)
        parts = {"shell": client.get(f"/dst/{dst_id}")}
        parts |= {f"panel {n}": client.get(f"/dst/{dst_id}/panels/{n}") for n in PANELS}
        parts |= {a: client.get(f"/static/{a}") for a in ("build/uswds.css", "dst.css", "dst.js")}
        parts |= {f: client.get(f"/static/build/fonts/source-sans-pro/{f}") for f in FONTS}
    missing = [name for name, r in parts.items() if r.status_code != 200]
    if missing:
        print(f"  warning: not found {missing} (run `make static` first)")
    return {name: len(r.content) for name, r in parts.items()}


def browser_run(browser: Any, url: str, app: Any) -> dict[str, float]:
    context = browser.new_context(base_url=url)
    page = context.new_page()
    page.goto("/dev/sign-in?role=provider&next=/")
    with httpx.Client(base_url=url) as client:
        dst_id = new_record(client)
    stats = app.state.gateway.stats
    for partner in Partner:
        stats[partner].latencies_s.clear()
    page.goto(f"/dst/{dst_id}")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-panel]')].every(p => p.dataset.state)", timeout=60_000
    )
    timing = page.evaluate(
        """() => ({
          paint: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
          panels: Object.fromEntries(performance.getEntriesByType('mark')
            .filter(m => m.name.startsWith('dst-panel:')).map(m => [m.name.slice(10), m.startTime])),
          bytes: performance.getEntriesByType('resource').reduce((n, r) => n + r.transferSize, 0)
                 + performance.getEntriesByType('navigation')[0].transferSize,
        })"""
    )
    slowest = max((max(s.latencies_s) for s in stats.values() if s.latencies_s), default=0.0) * 1000
    context.close()
    last_panel = max(timing["panels"].values())
    return {
        "paint": timing["paint"],
        "last_panel": last_panel,
        "slowest_partner": slowest,
        "gap": last_panel - slowest,
        "bytes": timing["bytes"],
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/bench.sqlite3"
        upgrade(database)
        anyio.run(seed_demo, settings_for(database))
        app = create_app(settings_for(database))
        with serve(app) as url:
            sizes = weight_by_http(url)
            total = sum(sizes.values())
            print("Page weight by HTTP (first visit, uncompressed):")
            for name, size in sizes.items():
                print(f"  {name:<24} {size / 1024:7.1f} KB")
            print(f"  {'total':<24} {total / 1024:7.1f} KB  (target ≤ {TARGET_KB} KB)")
            if not CHROMIUM.exists():
                print("Chromium not found at /usr/bin/chromium: first paint and panel timings not measured.")
                return
            with chromium() as browser:
                browser_run(browser, url, app)  # warm caches: templates, the demo network, the fakes
                runs = [browser_run(browser, url, app) for _ in range(RUNS)]
    print(
        f"Dashboard in headless Chromium, {RUNS} runs with the zero-latency embedded fakes (median, worst):"
    )
    for key, label, target in (
        ("paint", "first contentful paint", f"≤ {TARGET_PAINT_MS} ms"),
        ("slowest_partner", "slowest partner call", ""),
        ("last_panel", "last panel filled", ""),
        ("gap", "last panel − slowest partner", f"≤ {TARGET_GAP_MS} ms"),
    ):
        values = [r[key] for r in runs]
        print(f"  {label:<30} {statistics.median(values):7.1f} ms  {max(values):7.1f} ms  {target}")
    weights = [r["bytes"] for r in runs]
    print(
        f"  {'bytes transferred':<30} {statistics.median(weights) / 1024:7.1f} KB  (target ≤ {TARGET_KB} KB)"
    )


if __name__ == "__main__":
    main()
