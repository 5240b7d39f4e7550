"""The decision form's error summary and the schedulers' worklist, in headless Chromium at 1024 and
1366 wide, with axe-core on every state reached."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from dst.web.dates import long_date

from browser import browser, check_accessibility, doc_screenshot, needs_chromium, tab_to, wait_for_panels
from factories import consult, days_from_today, key, near_va, ordinary, veteran
from harness import SERVICE
from live_server import serve

pytestmark = needs_chromium
__all__ = ["browser"]  # the module's Chromium, a fixture

WIDTHS = (1024, 1366)


@pytest.fixture
def dst_url(app: Any) -> Iterator[str]:
    with serve(app) as url:
        yield url


def signed_in(browser: Any, base: str, width: int, role: str) -> Any:
    context = browser.new_context(base_url=base, viewport={"width": width, "height": 800})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"/dev/sign-in?role={role}&next=/")
    return page


def new_record(base: str, who: Any = ordinary, service: str = "ORTHOPEDICS") -> str:
    response = httpx2.post(f"{base}/api/v1/dst", json=consult(veteran(who), service), headers=SERVICE)
    assert response.status_code == 201, response.text
    return str(response.json()["dstId"])


def opted_in(base: str) -> str:
    dst_id = new_record(base)
    seocs = httpx2.get(f"{base}/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"]
    body = {"veteranOption": "opt-in", "seocId": seocs[0]["seocId"], "forward": False}
    saved = httpx2.put(f"{base}/api/v1/dst/{dst_id}/decision", json=body, headers={**SERVICE, **key()})
    assert saved.status_code == 200, saved.text
    return dst_id


def focused_id(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


@pytest.mark.parametrize("width", WIDTHS)
def test_a_refused_save_lists_each_error_and_leads_to_its_field(
    browser: Any, dst_url: str, width: int
) -> None:
    page = signed_in(browser, dst_url, width, "provider")
    page.goto(f"/dst/{new_record(dst_url)}")
    wait_for_panels(page)
    # No option chosen (and TBD then needs a SEOC): the server refuses the save.
    page.click("form.decision-form button[type=submit]")
    page.wait_for_selector("#form-errors")
    assert focused_id(page) == "form-errors"  # the summary has the focus, in the decision column
    summary = page.locator("#decision #form-errors")
    assert summary.is_visible()
    links = summary.locator("a")
    assert links.first.text_content().startswith("Choose the Veteran's community care option")
    assert "veteranOption" not in (summary.text_content() or "")
    group = page.locator(".usa-form-group--error", has=page.locator("#opt-tbd"))
    assert group.locator(".usa-error-message").text_content().startswith("Choose the Veteran")
    check_accessibility(page, f"the decision form's errors at {width}")
    doc_screenshot(page, f"decision-errors-{width}", "#decision")
    # By keyboard: the link is the next stop, and following it puts the focus in the field.
    tab_to(page, "#form-errors a")
    page.keyboard.press("Enter")
    assert focused_id(page) == "opt-tbd"
    page.keyboard.press("Space")
    page.click("form.decision-form button[type=submit]")
    page.wait_for_selector("#form-errors")
    assert "A SEOC is required" in (page.text_content("#form-errors") or "")
    assert page.locator(".usa-form-group--error #seocId[aria-invalid=true]").count() == 1
    check_accessibility(page, f"the decision form's SEOC error at {width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_scheduler_finds_a_consult_and_records_its_date(browser: Any, dst_url: str, width: int) -> None:
    dst_id = opted_in(dst_url)
    pending = new_record(dst_url, near_va, "CARDIOLOGY")
    body = {"veteranOption": "opt-out", "forward": False}
    assert httpx2.put(
        f"{dst_url}/api/v1/dst/{pending}/decision", json=body, headers={**SERVICE, **key()}
    ).is_success
    page = signed_in(browser, dst_url, width, "scheduler")
    page.get_by_role("link", name="Consults waiting for an appointment date").click()
    page.wait_for_url("**/scheduling")
    rows = page.locator("table.worklist tbody tr")
    assert rows.count() >= 2
    assert page.locator(f"a[href='/dst/{dst_id}']").count() == 1
    assert re.search(r"[A-Z][a-z]+ \d{1,2}, \d{4}", page.text_content("table.worklist") or "")
    check_accessibility(page, f"the scheduling worklist at {width}")
    doc_screenshot(page, f"scheduling-worklist-{width}", "main")
    no_sideways_scroll = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways_scroll
    station = veteran(ordinary).station
    page.select_option("#station", station)
    page.click(".worklist-filter button")
    page.wait_for_url(f"**/scheduling?station={station}")
    assert all(
        cell == station for cell in page.locator("table.worklist tbody td:nth-child(2)").all_text_contents()
    )
    check_accessibility(page, f"the worklist filtered by station at {width}")

    page.click(f"a[href='/dst/{dst_id}']")
    wait_for_panels(page)
    # Their section first; the provider's part kept as saved, folded away.
    dates = page.locator("#nextAvailableDate")
    option = page.locator("#opt-opt-in")
    assert dates.is_visible() and not option.is_visible()
    assert dates.bounding_box()["y"] < page.locator("details.saved-decision").bounding_box()["y"]
    assert "kept as saved: opted in" in (page.text_content("details.saved-decision summary") or "")
    check_accessibility(page, f"the scheduler's record page at {width}")
    page.set_viewport_size({"width": width, "height": 1300})  # the whole column, for the docs
    doc_screenshot(page, f"scheduler-record-{width}", "#decision")
    page.set_viewport_size({"width": width, "height": 800})
    page.get_by_role("link", name="Record the decision").click()
    assert focused_id(page) == "nextAvailableDate"
    page.fill("#nextAvailableDate", days_from_today(45))
    page.click("form.decision-form button[type=submit]")
    page.wait_for_selector("#saved")
    wait_for_panels(page)
    wait_dates = page.text_content(".wait-dates") or ""
    assert long_date(days_from_today(45)) in wait_dates
    assert not re.search(r"\d{4}-\d{2}-\d{2}", wait_dates)
    check_accessibility(page, f"the scheduler's saved record at {width}")
    saved = httpx2.get(f"{dst_url}/api/v1/dst/{dst_id}", headers=SERVICE).json()
    assert saved["entries"]["veteranOption"] == "opt-in"
    assert saved["entries"]["nextAvailableDate"] == days_from_today(45)  # the API keeps ISO dates
    page.goto("/scheduling")
    assert page.locator(f"a[href='/dst/{dst_id}']").count() == 0
    assert page.locator(f"a[href='/dst/{pending}']").count() == 1
