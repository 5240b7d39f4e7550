"""Real headless Chromium for the page tests: Debian's chromium driven by Playwright, plus axe-core."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"
# Screenshots for docs/pages.md are refreshed only on request, so an ordinary run leaves docs/ alone.
REFRESH_DOC_SCREENSHOTS = os.environ.get("DST_DOC_SCREENSHOTS") == "1"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# WCAG 2.1 A and AA, the Section 508 bar; best-practice rules run too.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}
}

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=(
        "BROWSER TESTS SKIPPED: /usr/bin/chromium is missing. Install Debian's chromium package "
        "(apt-get install -y chromium); .ci/run installs it, so CI runs these tests."
    ),
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module; import it into a browser test module to use it."""
    with chromium() as launched:
        yield launched


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def check_accessibility(page: Any, state: str) -> None:
    """Zero axe-core violations; the failure lists each rule and the elements that broke it."""
    assert AXE.exists(), f"{AXE} is missing: run `make static` (npm ci) before the browser tests"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())  # evaluated by the browser, so the page's CSP still stands
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    problems = [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "where": [n["target"] for n in v["nodes"]],
        }
        for v in result["violations"]
    ]
    assert problems == [], f"axe-core found violations on {state}:\n" + json.dumps(problems, indent=2)


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def doc_screenshot(page: Any, name: str, part: str | None = None) -> Path:
    """A full-page screenshot in test-artifacts/; with DST_DOC_SCREENSHOTS=1, also one in
    docs/screenshots/ of just `part` (a selector) when given, so the docs show what changed."""
    path = screenshot(page, name)
    if REFRESH_DOC_SCREENSHOTS:
        DOC_SCREENSHOTS.mkdir(exist_ok=True)
        target = DOC_SCREENSHOTS / path.name
        if part is None:
            shutil.copyfile(path, target)
        else:
            page.locator(part).first.screenshot(path=str(target))
    return path


def wait_for_panels(page: Any) -> None:
    """Every panel placeholder has either filled or shown its own error."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-panel]')].every(p => p.dataset.state)", timeout=30_000
    )


def tab_to(page: Any, selector: str, limit: int = 200) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")
