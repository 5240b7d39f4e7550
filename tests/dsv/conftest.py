"""Viewer test wiring: start a SMART EHR launch from the development EHR, as PowerChart would."""

from __future__ import annotations

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
