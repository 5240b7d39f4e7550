"""The screenshots in docs/pages.md: the record page's first screen at 1024×768 in three states.

Seeds a throwaway SQLite database with the demo data, serves DST with its embedded fakes and takes
each picture in headless Chromium (/usr/bin/chromium):
    PYTHONPATH=$PWD/src .venv/bin/python scripts/page_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import httpx2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from dst.db.migrate import upgrade  # noqa: E402
from dst.demo.seed import seed_demo  # noqa: E402
from dst.main import create_app  # noqa: E402

from browser import chromium  # noqa: E402
from factories import consult, veteran  # noqa: E402
from harness import SERVICE, settings_for  # noqa: E402
from live_server import serve  # noqa: E402

SCREEN = {"width": 1024, "height": 768}


def _codes(v: Any) -> set[str]:
    return {c.code for c in v.vce_codes}


def _identified(v: Any) -> bool:
    return v.mvi_behaviour == "ok" and v.ee_behaviour == "ok" and v.geocode is not None


STATES: dict[str, Callable[[Any], bool]] = {
    "first-screen-eligible": lambda v: _identified(v) and _codes(v) == {"G"},
    "first-screen-ee-down": lambda v: v.ee_behaviour == "fault",
    "first-screen-code-x": lambda v: _identified(v) and _codes(v) == {"X"},
}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/screens.sqlite3"
        upgrade(database)
        anyio.run(seed_demo, settings_for(database))
        app = create_app(settings_for(database))
        with serve(app) as url, chromium() as browser:
            context = browser.new_context(base_url=url, viewport=SCREEN)
            page = context.new_page()
            page.goto("/dev/sign-in?role=provider&next=/")
            for name, who in STATES.items():
                opened = httpx2.post(
                    f"{url}/api/v1/dst", json=consult(veteran(who), "CARDIOLOGY"), headers=SERVICE
                )
                opened.raise_for_status()
                page.goto(f"/dst/{opened.json()['dstId']}")
                page.wait_for_selector("[data-summary-state=final]", timeout=30_000)
                path = ROOT / "docs" / "images" / f"{name}.png"
                path.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(path))
                print(f"wrote {path.relative_to(ROOT)}")
            context.close()


if __name__ == "__main__":
    main()
