"""Viewer test wiring: start a SMART EHR launch from the development EHR, as PowerChart would."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dst.demo.model import DemoVeteran
from dst.dsv.fake_ehr import ehr_patient_id

Launch = Callable[..., Any]


@pytest.fixture
def launch(client: Any) -> Launch:
    """`launch(veteran, outcome="ok")` runs the whole redirect chain and returns the last response."""

    def run(veteran: DemoVeteran, outcome: str = "ok", *, with_edipi: bool = True) -> Any:
        patient = ehr_patient_id(veteran, with_edipi=with_edipi)
        return client.get(f"/dev/ehr/launch?patient={patient}&outcome={outcome}", follow_redirects=True)

    return run


def first_ordinary(network_veterans: tuple[DemoVeteran, ...]) -> DemoVeteran:
    """The first demo Veteran the development EHR lists; its twin without an EDIPI is listed too."""
    return next(v for v in network_veterans if v.scenario.startswith("Ordinary Veteran"))


# Browser tests: Debian's Chromium driven by Playwright, pages checked with axe-core.

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from npm, installed next to these tests on first use (node_modules is git-ignored)."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("axe-core is needed for the accessibility checks: install npm (Debian package npm).")
        subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-package-lock",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(AXE.parents[2]),
                "axe-core@4",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return AXE.read_text()


@pytest.fixture(scope="module")
def browser(template_database_url: str) -> Iterator[Any]:
    # Playwright's sync API runs an event loop on this thread while open: the seeded template comes
    # first, and the browser closes with its module so later async tests get the thread back.
    if not CHROMIUM.exists():
        pytest.skip(
            "BROWSER TESTS SKIPPED: /usr/bin/chromium is absent. Install it with "
            "`apt-get update && apt-get install -y chromium` (.ci/run does this)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_url(app: Any) -> Iterator[str]:
    from live_server import serve

    with serve(app) as url:
        yield url


def axe_violations(page: Any, source: str) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on the page; the violations, summarised."""
    # Served as if from the page's own origin, so the pages' strict CSP (script-src 'self') stays on.
    origin = re.match(r"^https?://[^/]+", page.url)
    assert origin is not None
    page.route(
        f"{origin.group(0)}/__axe.min.js",
        lambda route: route.fulfill(body=source, content_type="application/javascript"),
    )
    page.add_script_tag(url=f"{origin.group(0)}/__axe.min.js")
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {"id": v["id"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]
