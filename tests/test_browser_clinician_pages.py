"""What clinicians and schedulers read on the pages, in real headless Chromium at 1024 and 1366 wide.

Each test drives the CPRS simulator as a person would and runs axe-core on every state it reaches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from dst.web.dates import long_date
from test_browser_journeys import launch_dst, order_consult

from browser import browser, check_accessibility, doc_screenshot, needs_chromium, tab_to, wait_for_panels
from factories import near_va, veteran
from live_server import serve

pytestmark = needs_chromium
__all__ = ["browser"]  # the module's Chromium, a fixture

WIDTHS = (1024, 1366)


@pytest.fixture
def dst_url(app: Any) -> Iterator[str]:
    with serve(app) as url:
        yield url


def open_page(browser: Any, base: str, width: int, role: str = "provider") -> Any:
    context = browser.new_context(base_url=base, viewport={"width": width, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"/dev/sign-in?role={role}&next=/dev/cprs")
    page.wait_for_url("**/dev/cprs")
    return page


def open_dst(page: Any, who: Any, service: str) -> None:
    """Order a consult for the Veteran in the CPRS simulator and open DST for it."""
    order_consult(page, who, service)
    launch_dst(page)
    wait_for_panels(page)


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]} px wide in a {width[1]} px window"


@pytest.mark.parametrize("width", WIDTHS)
def test_not_eligible_yet_reads_as_waiting_for_scheduling_not_an_outage(
    browser: Any, dst_url: str, width: int
) -> None:
    page = open_page(browser, dst_url, width)
    open_dst(page, near_va, "CARDIOLOGY")
    verdict = page.locator("section[aria-labelledby=cc-h] .verdict")
    assert verdict.get_attribute("class") == "verdict verdict-pending-scheduling"
    text = verdict.text_content() or ""
    assert "Not eligible yet: wait time is decided at scheduling" in text
    assert "not yet determined" not in text and "could not be determined" not in text
    colour = page.eval_on_selector(
        "section[aria-labelledby=cc-h] .verdict p", "p => getComputedStyle(p).borderLeftColor"
    )
    assert colour == "rgb(0, 189, 227)"  # the note blue, not the outage yellow
    check_accessibility(page, f"the not-eligible-yet dashboard at {width}")
    doc_screenshot(page, f"pending-scheduling-{width}", "section[aria-labelledby=cc-h]")


def in_days(page: Any, days: int) -> str:
    return str(page.evaluate(f"new Date(Date.now() + {days}*864e5).toISOString().slice(0,10)"))


def in_words(page: Any, days: int) -> str:
    """The date `days` from the browser's today as the pages write it ("December 30, 2026")."""
    return long_date(in_days(page, days))


def fact(page: Any, scope: str, term: str) -> str:
    """The text of the definition whose term starts with `term`, inside `scope`."""
    row = page.locator(f"{scope} dl.wait-dates div", has=page.locator("dt", has_text=term)).first
    return str(row.locator("dd").text_content() or "")


@pytest.mark.parametrize("width", WIDTHS)
def test_scheduler_dates_are_labelled_and_an_early_agreed_date_is_confirmed(
    browser: Any, dst_url: str, width: int
) -> None:
    page = open_page(browser, dst_url, width, role="scheduler")
    open_dst(page, near_va, "CARDIOLOGY")
    assert fact(page, "fieldset.scheduling", "File entry date").startswith(in_words(page, 0))
    assert fact(page, "fieldset.scheduling", "28-day date").startswith(in_words(page, 28))
    page.click("label[for=opt-opt-out]")
    page.fill("#nextAvailableDate", in_days(page, 60))
    page.fill("#veteranAgreedLaterDate", in_days(page, 50))
    page.click("text=Save DST decision")
    page.wait_for_selector("text=before VA's next available appointment")
    assert page.locator("#agreedDateConfirmed").count() == 1
    check_accessibility(page, f"the early agreed date awaiting confirmation at {width}")
    doc_screenshot(page, f"agreed-date-confirm-{width}", "form.decision-form fieldset.scheduling")

    page.click("label[for=agreedDateConfirmed]")
    page.click("text=Save DST decision")
    page.wait_for_selector("#saved")
    wait_for_panels(page)
    panel = "section[aria-labelledby=cc-h]"
    assert fact(page, panel, "28-day date").startswith(in_words(page, 28))
    assert fact(page, panel, "Later date the Veteran agreed to").startswith(in_words(page, 50))
    eligibility_date = fact(page, panel, "Wait-time eligibility date")
    assert eligibility_date.startswith(in_words(page, 50)) and "agreed to" in eligibility_date
    check_accessibility(page, f"the scheduler's saved dates at {width}")
    doc_screenshot(page, f"scheduler-dates-{width}", "section[aria-labelledby=cc-h] dl.wait-dates")


def mvi_says(behaviour: str) -> Any:
    return lambda v: v.mvi_behaviour == behaviour


@pytest.mark.parametrize("width", WIDTHS)
def test_mvi_not_found_is_searched_again_by_traits_and_a_multiple_match_shows_no_drive_times(
    browser: Any, dst_url: str, width: int
) -> None:
    page = open_page(browser, dst_url, width)
    open_dst(page, mvi_says("multiple-matches"), "CARDIOLOGY")
    facilities = page.locator("section[aria-labelledby=fac-h]")
    assert facilities.locator("table").count() == 0
    assert "more than one Veteran" in (facilities.text_content() or "")
    drive = page.locator("section[aria-labelledby=cc-h] tr", has_text="Drive time").text_content() or ""
    assert "Search MVI again" in drive and "Enrollment System" not in drive
    check_accessibility(page, f"the multiple-match dashboard at {width}")

    page.goto("/dev/cprs")
    v = veteran(mvi_says("not-found"))
    open_dst(page, mvi_says("not-found"), "CARDIOLOGY")
    form = page.locator("form.identify-form")
    assert form.count() == 1
    check_accessibility(page, f"the search-by-traits form at {width}")
    doc_screenshot(page, f"mvi-search-by-traits-{width}", "section[aria-labelledby=consult-h]")
    page.fill("#given", v.given_name.split()[0])
    page.fill("#family", v.family_name)
    page.fill("#birthDate", v.birth_date.isoformat())
    page.fill("#ssn", v.ssn)
    page.click("form.identify-form button[type=submit]")
    page.wait_for_selector("text=MVI identified the Veteran")
    wait_for_panels(page)
    assert "?" not in page.url, "the traits never travel in the URL"
    assert page.locator("form.identify-form").count() == 0
    assert page.locator("section[aria-labelledby=fac-h] table").count() == 1
    check_accessibility(page, f"the dashboard after identifying the Veteran at {width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_filed_wait_time_line_is_whole_and_its_preview_wraps_between_words(
    browser: Any, dst_url: str, width: int
) -> None:
    page = open_page(browser, dst_url, width)
    open_dst(page, near_va, "CARDIOLOGY")
    page.click("label[for=opt-opt-out]")
    page.click("text=Save DST decision")
    page.wait_for_selector("#saved")
    preview = page.locator(".factor-lines li", has_text="WTE-Wait time:")
    line = preview.text_content() or ""
    assert "..." not in line and line.endswith(", 38 CFR 17.4040(a)(2)(ii)).")
    style = preview.locator("code").evaluate(
        "c => [getComputedStyle(c).wordBreak, getComputedStyle(c).overflowWrap]"
    )
    assert style == ["normal", "break-word"]
    check_accessibility(page, f"the saved decision's comment preview at {width}")
    doc_screenshot(page, f"comment-preview-{width}", ".factor-lines")

    page.click("text=Close DST and return to the CPRS simulator")
    page.click("#sign")
    page.wait_for_selector("#signed")
    filed = page.locator(".cprs-comment li", has_text="WTE-Wait time:").text_content()
    assert filed == line


def save_decisions(base: str, count: int) -> None:
    """Decisions saved through the API, as machine clients do, so the reports have rows."""
    import httpx2

    from factories import consult, key, ordinary
    from harness import SERVICE

    with httpx2.Client(base_url=base, headers=SERVICE) as api:
        for v in [v for v in demo_veterans() if ordinary(v)][:count]:
            record = api.post("/api/v1/dst", json=consult(v)).json()
            body = {"veteranOption": "opt-out", "forward": False}
            assert (
                api.put(f"/api/v1/dst/{record['dstId']}/decision", json=body, headers=key()).status_code
                == 200
            )


def demo_veterans() -> Any:
    from dst.demo.network import demo_network

    return demo_network().veterans


@pytest.mark.parametrize("width", WIDTHS)
def test_reports_fit_the_window_and_their_tables_can_be_scrolled_by_keyboard(
    browser: Any, dst_url: str, width: int
) -> None:
    save_decisions(dst_url, 6)
    page = open_page(browser, dst_url, width, role="reporting")
    for path in ("/reports", "/reports/access-standards", "/reports/dst-use"):
        page.goto(path)
        no_sideways_scroll(page)
        regions = page.locator(".table-scroll")
        assert regions.count() > 0
        for i in range(regions.count()):
            assert regions.nth(i).get_attribute("tabindex") == "0"
        check_accessibility(page, f"{path} at {width}")
    page.select_option("#station", index=1)
    page.click("form.report-filter button[type=submit]")
    page.wait_for_load_state()
    no_sideways_scroll(page)
    doc_screenshot(page, f"reports-dst-use-{width}", "main")


@pytest.mark.parametrize("width", WIDTHS)
def test_cardiology_providers_are_cardiologists_and_the_map_key_matches_its_markers(
    browser: Any, dst_url: str, width: int
) -> None:
    from dst.partners.ppms.specialties import specialty_name
    from dst.reference.catalog import NATIONAL_CLINICAL_SERVICES

    cardiology = next(s for s in NATIONAL_CLINICAL_SERVICES if s.name == "CARDIOLOGY")
    allowed = {specialty_name(code) for code in cardiology.ppms_specialty_codes}
    page = open_page(browser, dst_url, width)
    open_dst(page, near_va, "CARDIOLOGY")
    table = page.locator("section[aria-labelledby=prov-h] table")
    headers = table.locator("thead th").all_text_contents()
    assert "Specialty (PPMS)" in headers
    column = headers.index("Specialty (PPMS)")
    cells = [
        row.locator("th, td").nth(column).text_content() or "" for row in table.locator("tbody tr").all()
    ]
    assert cells and all(set(cell.split("; ")) <= allowed for cell in cells), cells
    names = " ".join(
        table.locator("tbody th").all_text_contents() + table.locator("tbody td").all_text_contents()
    )
    for other in ("Otolaryngology", "Nutrition", "Home Health"):
        assert other not in names

    figure = page.locator("section[aria-labelledby=map-h] figure")
    marker = figure.locator("svg.map path.map-veteran").get_attribute("class")
    key = figure.locator(".map-key li", has_text="residence").locator("path").get_attribute("class")
    assert marker == key == "map-veteran"
    colours = figure.evaluate(
        "f => [f.querySelector('svg.map .map-veteran'), f.querySelector('.map-key .map-veteran')]"
        ".map(e => getComputedStyle(e).fill)"
    )
    assert colours[0] == colours[1]
    assert "DST_" not in (figure.text_content() or "")
    check_accessibility(page, f"the providers and map at {width}")
    doc_screenshot(page, f"providers-{width}", "section[aria-labelledby=prov-h]")
    doc_screenshot(page, f"map-{width}", "section[aria-labelledby=map-h]")


@pytest.mark.parametrize("width", WIDTHS)
def test_help_and_whats_new_are_linked_reachable_by_keyboard_and_accessible(
    browser: Any, dst_url: str, width: int
) -> None:
    page = open_page(browser, dst_url, width)
    open_dst(page, near_va, "CARDIOLOGY")
    tab_to(page, "header a[href='/help']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/help")
    text = page.locator("main").text_content() or ""
    for words in (
        "Average drive time",
        "wait-time eligibility date",
        "Standardized Episode of Care",
        "Best medical interest",
        "Not eligible yet",
    ):
        assert words in text, words
    assert page.get_attribute("header a[href='/help']", "aria-current") == "page"
    no_sideways_scroll(page)
    check_accessibility(page, f"the Help page at {width}")
    doc_screenshot(page, f"help-{width}")
    tab_to(page, "footer a[href='/whats-new']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/whats-new")
    assert "Not eligible yet" in (page.locator("main").text_content() or "")
    check_accessibility(page, f"the What's new note at {width}")
    doc_screenshot(page, f"whats-new-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_viewer_and_the_staff_pages_use_the_design_system_and_plain_words(
    browser: Any, dst_url: str, width: int
) -> None:
    page = open_page(browser, dst_url, width, role="admin")
    for path, control in (
        ("/admin/rollout", "#key"),
        ("/admin/maintenance", "#startsAt"),
        ("/reports", "#station"),
    ):
        page.goto(path)
        assert "usa-" in (page.get_attribute(control, "class") or ""), path
        assert page.locator("button[type=submit].usa-button").count() > 0, path
        no_sideways_scroll(page)
        check_accessibility(page, f"{path} at {width}")
    doc_screenshot(page, f"reports-filter-{width}", "form.report-filter")
    page.goto("/dev/sign-in?role=auditor&next=/audit")
    page.wait_for_url("**/audit")
    assert "usa-input" in (page.get_attribute("#f-station", "class") or "")
    check_accessibility(page, f"the audit search at {width}")
    doc_screenshot(page, f"audit-search-{width}", "main form")
    page.goto("/dev/ehr")
    page.locator("tbody tr").nth(1).get_by_role("button").click()
    page.wait_for_url(re.compile(r"/dsv(\?.*)?$"))
    assert "usa-select" in (page.get_attribute("#service", "class") or "")
    page.select_option("#service", "CARDIOLOGY")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"service=CARDIOLOGY"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-section-url]')]"
        ".every(b => b.getAttribute('aria-busy') === 'false')"
    )
    main = page.locator("main").text_content() or ""
    assert "FHIR" not in main and "JSON" not in main and "DST_" not in main
    check_accessibility(page, f"the viewer at {width}")
    doc_screenshot(page, f"viewer-{width}", "main")
