"""The SMART launch end to end in headless Chromium, with axe-core finding no accessibility violations."""

from __future__ import annotations

import re

from dsv_support import axe_violations


def open_viewer_from_the_ehr(page, live_url: str, row: int = 1):  # type: ignore[no-untyped-def]
    page.goto(f"{live_url}/dev/ehr")
    page.locator("tbody tr").nth(row).get_by_role("button").click()
    page.wait_for_url(re.compile(r"/dsv(\?.*)?$"))


def test_launch_choose_a_service_and_every_section_loads_on_its_own(browser, live_url, axe_source) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_url}/dev/ehr")
    assert axe_violations(page, axe_source) == []
    open_viewer_from_the_ehr(page, live_url)
    assert page.get_by_text("This viewer is read-only.").is_visible()
    page.get_by_label("Clinical service").select_option("ORTHOPEDICS")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"service=ORTHOPEDICS"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-section-url]')]"
        ".every(b => b.getAttribute('aria-busy') === 'false')"
    )
    assert page.locator("#demographics").get_by_text("Residential address (Enrollment System)").is_visible()
    assert page.locator("#eligibility").get_by_text("Each criterion of 38 CFR 17.4010").is_visible()
    assert page.locator("#facilities").get_by_role("table").first.is_visible()
    assert page.locator("#seocs details").count() > 0
    # The same summary as the dashboard heads the page, complete once every section is in.
    summary = page.get_by_role("region", name="Summary")
    page.wait_for_selector("[data-summary-state=final]")
    assert summary.locator(".summary-verdict").text_content().split()[0] in ("Eligible", "Not", "Unknown")
    assert "Loading" not in (summary.text_content() or "")
    assert summary.get_by_role("link", name="All VA facilities").get_attribute("href") == "#facilities-h"
    assert "Summary ready. Community care:" in (page.text_content("[data-summary-status]") or "")
    assert axe_violations(page, axe_source) == []
    inline = context.new_page()
    inline.goto(page.url + "&inline=1")
    assert inline.get_by_role("region", name="Summary").locator(".summary-verdict").count() == 1
    assert axe_violations(inline, axe_source) == []
    context.close()


def test_without_javascript_the_sections_are_one_link_away(browser, live_url, axe_source) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    open_viewer_from_the_ehr(page, live_url)
    page.goto(f"{page.url}?service=CARDIOLOGY")
    page.locator("#eligibility").get_by_role("link", name="Show this section").click()
    page.wait_for_url(re.compile(r"inline=1"))
    assert page.locator("#eligibility").get_by_text("Each criterion of 38 CFR 17.4010").is_visible()
    assert page.locator("#facilities").get_by_text("VA facilities offering CARDIOLOGY").is_visible()
    context.close()
    # axe needs script, so the same server-rendered page is checked in a script-enabled context.
    checked = browser.new_context()
    page = checked.new_page()
    open_viewer_from_the_ehr(page, live_url)
    page.goto(f"{live_url}/dsv?service=CARDIOLOGY&inline=1")
    assert axe_violations(page, axe_source) == []
    checked.close()


def test_a_refused_launch_is_a_clear_accessible_page(browser, live_url, axe_source) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_url}/dev/ehr")
    page.get_by_label("Launch outcome to simulate").select_option("deny")
    page.get_by_role("button", name="Launch", exact=True).click()
    page.wait_for_url(re.compile(r"/dsv/callback"))
    assert page.get_by_role("heading", name="Access was not authorized").is_visible()
    assert page.get_by_role("heading", name="What to do").is_visible()
    assert axe_violations(page, axe_source) == []
    context.close()


def test_the_accessibility_check_does_catch_a_violation(browser, live_url, axe_source) -> None:
    """Guards the guard: an image without alternative text on a viewer page must be reported."""
    context = browser.new_context()
    page = context.new_page()
    open_viewer_from_the_ehr(page, live_url)
    page.evaluate("() => document.querySelector('main').append(document.createElement('img'))")
    assert "image-alt" in {v["id"] for v in axe_violations(page, axe_source)}
    context.close()
