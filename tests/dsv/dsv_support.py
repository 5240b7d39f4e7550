"""Helpers for the viewer tests: which demo Veteran the development EHR lists first, and axe-core runs."""

from __future__ import annotations

import re
from typing import Any

from dst.demo.model import DemoVeteran


def first_ordinary(network_veterans: tuple[DemoVeteran, ...]) -> DemoVeteran:
    """The first demo Veteran the development EHR lists; its twin without an EDIPI is listed too."""
    return next(v for v in network_veterans if v.scenario.startswith("Ordinary Veteran"))


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
