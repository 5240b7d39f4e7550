"""axe-core over the page-state catalogue: every tag, badge, banner, form error and panel state.

The journeys check the states their demo data reaches; this checks the ones they may not (the
"Within standard" tag, a panel's partner error, every alert level), at 100% and at 200% zoom.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browser import check_accessibility, chromium, needs_chromium, screenshot
from harness import settings_for
from live_server import serve

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


PAGES = ("eligible", "not-eligible", "pending-scheduling", "not-determined")


@pytest.mark.parametrize("styles", ["all", "without the USWDS build"])
def test_every_component_state_passes_axe(browser: Any, app: Any, styles: str) -> None:
    """Also with the compiled USWDS stylesheet missing (it is built, not committed): DST's own
    stylesheet alone must keep every state readable."""
    with serve(app) as url:
        context = browser.new_context(base_url=url)
        try:
            page = context.new_page()
            if styles != "all":
                page.route("**/static/build/uswds.css", lambda route: route.abort())
            for verdict in PAGES:
                answer = page.goto(f"/dev/catalogue?eligibility={verdict}")
                assert answer is not None and answer.status == 200
                for text in ("Within standard", "Outside standard", "did not answer", "Loading"):
                    assert page.get_by_text(text, exact=False).count() > 0, text
                screenshot(page, f"catalogue-{verdict}-{styles.replace(' ', '-')}")
                check_accessibility(page, f"the page-state catalogue ({verdict}, {styles} styles)")
        finally:
            context.close()


VERDICTS = {
    "eligible": "Eligible",
    "not-eligible": "Not eligible",
    "pending-scheduling": "Not eligible yet",
    "unknown": "Unknown",
}


@pytest.mark.parametrize("styles", ["all", "without the USWDS build"])
def test_every_summary_state_passes_axe(browser: Any, app: Any, styles: str) -> None:
    """The record page's summary in each state: its answer, each partner problem once, no violation."""
    from dst.web.catalogue import SUMMARY_STATES

    with serve(app) as url:
        context = browser.new_context(base_url=url)
        try:
            page = context.new_page()
            if styles != "all":
                page.route("**/static/build/uswds.css", lambda route: route.abort())
            for state, (eligible, problems, extra) in SUMMARY_STATES.items():
                answer = page.goto(f"/dev/catalogue?summary={state}")
                assert answer is not None and answer.status == 200
                summary = page.get_by_role("region", name="Summary")
                text = summary.text_content() or ""
                if extra.get("live"):
                    assert text.count("Loading…") == 4, state
                else:
                    assert summary.locator(".summary-verdict strong").text_content() == VERDICTS[eligible]
                    assert "Loading" not in text, state
                for problem in problems:
                    assert summary.locator(f"[data-problem={problem['code']}]").count() == 1, state
                    assert text.count(problem["code"]) == 1, state
                assert summary.locator("[data-problem]").count() == len(problems), state
                check_accessibility(page, f"the catalogue's summary ({state}, {styles} styles)")
            screenshot(page, f"catalogue-summary-{styles.replace(' ', '-')}")
        finally:
            context.close()


def test_the_catalogue_is_not_served_in_production(database_url: str) -> None:
    from fastapi.testclient import TestClient
    from pydantic import SecretStr

    from dst.main import create_app

    prod = settings_for(database_url).model_copy(
        update={
            "env": "prod",
            "secret_key": SecretStr("catalogue-test-secret-key"),
            "service_token": SecretStr("catalogue-test-service-token"),
            "accept_estimated_drive_times": True,
        }
    )
    with TestClient(create_app(prod), base_url="https://dst.test") as client:
        assert client.get("/dev/catalogue").status_code == 404
