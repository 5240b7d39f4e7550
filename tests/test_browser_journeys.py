"""The provider and scheduler journeys in real headless Chromium, with axe-core on every page and state."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from browser import check_accessibility, chromium, needs_chromium, screenshot, tab_to, wait_for_panels
from factories import ordinary, veteran
from harness import settings_for
from live_server import free_port, serve

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def dst_url(app: Any) -> Iterator[str]:
    with serve(app) as url:
        yield url


def new_page(browser: Any, base: str, **options: Any) -> Any:
    context = browser.new_context(base_url=base, **options)
    context.set_default_timeout(30_000)
    return context.new_page()


def sign_in(page: Any, role: str) -> None:
    page.goto(f"/dev/sign-in?role={role}&next=/dev/cprs")
    page.wait_for_url("**/dev/cprs")


def basic_ineligible(v: Any) -> bool:
    return v.mvi_behaviour == "ok" and v.ee_behaviour == "ok" and {c.code for c in v.vce_codes} == {"X"}


def order_consult(page: Any, who: Any = ordinary, service: str = "ORTHOPEDICS") -> None:
    page.select_option("#icn", veteran(who).icn)
    page.click("text=Select patient")
    page.wait_for_selector("#service")
    option = page.eval_on_selector(
        "#service", "(s, t) => [...s.options].find(o => o.value.startsWith(t)).value", service
    )
    page.select_option("#service", option)
    page.click("text=Order consult")
    page.wait_for_selector("#launch-dst")


def confirm_launch(page: Any) -> None:
    """The launch shows the consult first; its button has the focus, so Enter opens the record."""
    page.wait_for_selector("#confirm-launch")
    assert page.evaluate("document.activeElement.id") == "confirm-launch"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/dst/[A-Z0-9]+$"))


def launch_dst(page: Any) -> None:
    page.click("#launch-dst")
    confirm_launch(page)


def decide(page: Any, option: str = "opt-in", forward: bool = True) -> None:
    # USWDS draws its own radio beside the label and hides the native one: people click the label.
    page.click(f"label[for=opt-{option}]")
    page.select_option("#seocId", index=1)
    page.click("label[for=fwd-yes]" if forward else "label[for=fwd-no]")


def test_provider_journey_from_cprs_to_the_filed_comment(browser: Any, dst_url: str) -> None:
    page = new_page(browser, dst_url, permissions=["clipboard-read", "clipboard-write"])
    page.goto("/")
    check_accessibility(page, "the start page")
    screenshot(page, "01-home")
    sign_in(page, "provider")
    check_accessibility(page, "the CPRS simulator")
    order_consult(page)
    assert page.text_content("#requires-dst") == "TRUE"
    check_accessibility(page, "the ordered consult")
    screenshot(page, "02-cprs-ordered")

    page.click("#launch-dst")
    page.wait_for_selector("#confirm-launch")
    check_accessibility(page, "the launch confirmation")
    screenshot(page, "02b-launch-confirmation")
    confirm_launch(page)
    wait_for_panels(page)
    assert page.locator("[data-state=error]").count() == 0
    assert page.locator("svg.map").count() == 1
    check_accessibility(page, "the dashboard with every panel loaded")
    screenshot(page, "03-dashboard")

    decide(page)
    page.click("text=Save DST decision")
    page.wait_for_selector("#saved")
    dst_id = page.url.split("/dst/", 1)[1].split("?", 1)[0]
    assert page.text_content("#consult-text") == f"DST ID:{dst_id}#"
    page.click("[data-copy=consult-text]")
    page.wait_for_selector("text=Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == f"DST ID:{dst_id}#"
    assert page.locator(".factor-lines li", has_text="DAF-DST Forwarding: YES").count() == 1
    wait_for_panels(page)
    check_accessibility(page, "the dashboard after saving")
    screenshot(page, "04-saved")

    page.click("text=Close DST and return to the CPRS simulator")
    page.click("#sign")
    page.wait_for_selector("#signed")
    comment = page.locator(".cprs-comment li").all_text_contents()
    assert comment[1] == f"DST ID:{dst_id}" and comment[0].startswith("CSC-Consult primary stop code: ")
    assert "Consult forwarded by DST" in comment
    assert "forwarded to" in (page.text_content("#forward-result") or "")
    check_accessibility(page, "the signed consult with its comment")
    screenshot(page, "05-signed")


def test_provider_journey_by_keyboard_alone(browser: Any, dst_url: str) -> None:
    page = new_page(browser, dst_url)
    sign_in(page, "provider")
    tab_to(page, "#icn")  # the first scenario Veteran is already chosen
    tab_to(page, "form[action='/dev/cprs/patient'] button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#service")
    tab_to(page, "#service")
    page.keyboard.type("ORTHO")
    tab_to(page, "form[action='/dev/cprs/order'] button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#launch-dst")
    tab_to(page, "#launch-dst")
    page.keyboard.press("Enter")
    confirm_launch(page)  # one keystroke: the confirmation's button already has the focus
    wait_for_panels(page)

    tab_to(page, "#opt-tbd")
    page.keyboard.press("ArrowDown")  # radios move with the arrow keys: TBD → opt in
    assert page.is_checked("#opt-opt-in")
    tab_to(page, "#seocId")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#seocId") != ""
    tab_to(page, "#fwd-no")  # the checked radio of the group takes focus
    page.keyboard.press("ArrowUp")
    assert page.is_checked("#fwd-yes")
    tab_to(page, "form.decision-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#saved")
    assert page.evaluate("document.activeElement.id") == "saved"  # focus moves to the result
    tab_to(page, "a[href='/dev/cprs#consult']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#sign")
    tab_to(page, "#sign")
    page.keyboard.press("Enter")
    page.wait_for_selector("#signed")
    assert page.locator(".cprs-comment li", has_text="VCO-Veteran community care option: OPT-IN").count() == 1


def test_scheduler_journey_next_available_and_agreed_later_date(browser: Any, dst_url: str) -> None:
    page = new_page(browser, dst_url)
    sign_in(page, "scheduler")
    order_consult(page)
    launch_dst(page)
    wait_for_panels(page)
    assert "Wait-time eligibility date" in (page.text_content("fieldset.scheduling dl.wait-dates") or "")
    check_accessibility(page, "the scheduler's dashboard")
    screenshot(page, "06-scheduler")

    decide(page, forward=False)
    page.fill(
        "#nextAvailableDate", page.evaluate("new Date(Date.now() + 40*864e5).toISOString().slice(0,10)")
    )
    page.fill(
        "#veteranAgreedLaterDate", page.evaluate("new Date(Date.now() + 45*864e5).toISOString().slice(0,10)")
    )
    page.click("text=Save DST decision")
    page.wait_for_selector("#saved")
    assert (
        page.locator(".factor-lines li", has_text="Next available").count()
        + page.locator(".factor-lines li", has_text="agreed").count()
        >= 1
    )
    wait_for_panels(page)
    note = page.text_content(".agreement") or ""
    assert "recorded by" in note and "UTC" in note
    check_accessibility(page, "the scheduler's saved decision")
    screenshot(page, "07-scheduler-saved")


def test_read_only_states_and_a_stale_save(browser: Any, dst_url: str) -> None:
    page = new_page(browser, dst_url)
    sign_in(page, "provider")
    order_consult(page, basic_ineligible)
    launch_dst(page)
    wait_for_panels(page)
    assert page.locator("text=No basic community care eligibility (E&E code X)").count() == 1
    assert page.is_disabled("#seocId")
    check_accessibility(page, "the basic-ineligible dashboard")
    screenshot(page, "08-basic-ineligible")

    page.goto("/dev/cprs")
    order_consult(page)
    launch_dst(page)
    wait_for_panels(page)
    other = page.context.new_page()
    other.goto(page.url)
    wait_for_panels(other)
    decide(page, forward=False)
    page.click("text=Save DST decision")
    page.wait_for_selector("#saved")
    decide(other, option="tbd", forward=False)
    other.click("text=Save DST decision")
    other.wait_for_selector("text=Someone else saved this record first")
    check_accessibility(other, "the stale-version refusal")
    screenshot(other, "09-stale-version")

    page.goto("/dev/cprs")
    page.click("text=Release to HSRM")
    launch_dst(page)
    wait_for_panels(page)
    assert page.locator("text=Previously sent to HSRM").count() == 1
    assert page.is_disabled("form.decision-form button[type=submit]")
    check_accessibility(page, "the dashboard released to HSRM")
    screenshot(page, "10-hsrm-read-only")


def test_unmapped_service_typeahead_and_the_page_without_javascript(browser: Any, dst_url: str) -> None:
    page = new_page(browser, dst_url)
    sign_in(page, "provider")
    order_consult(page)
    launch = page.get_attribute("#launch-dst", "href") or ""
    page.goto(re.sub(r"consultService=[^&]+", "consultService=BONE+AND+JOINT+CLINIC", launch))
    page.wait_for_selector("#clinicalService")
    check_accessibility(page, "the choose-the-clinical-service page")
    page.fill("#clinicalService", "ORTHO")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#service-options option')].every(o => o.value.includes('ORTHO')"
        " || o.label.includes('ORTHO'))"
    )
    names = page.eval_on_selector_all("#service-options option", "os => os.map(o => o.value)")
    assert any("ORTHOPEDIC" in n for n in names)
    screenshot(page, "11-choose-service")
    page.fill("#clinicalService", next(n for n in names if "ORTHOPEDIC" in n))
    page.click("text=Open DST")
    wait_for_panels(page)
    dashboard = page.url

    plain = new_page(browser, dst_url, java_script_enabled=False)
    plain.context.add_cookies(page.context.cookies())
    plain.goto(dashboard)
    plain.wait_for_url("**static=1")
    assert plain.locator("[data-panel]").count() == 0
    assert plain.locator("#veteranOption, input[name=veteranOption]").count() == 3
    screenshot(plain, "12-without-javascript")
    page.goto(dashboard + "?static=1")
    check_accessibility(page, "the server-rendered dashboard")


def test_a_partner_outage_shows_on_its_own_panel(browser: Any, database_url: str) -> None:
    from dst.main import create_app

    dead = f"http://127.0.0.1:{free_port()}"
    app = create_app(settings_for(database_url, ppms_url=dead, partner_timeout_s=2))
    with serve(app) as url:
        page = new_page(browser, url)
        sign_in(page, "provider")
        order_consult(page)
        launch_dst(page)
        wait_for_panels(page)
        providers = page.locator("section[aria-labelledby=prov-h]").text_content() or ""
        facilities = page.locator("section[aria-labelledby=fac-h]").text_content() or ""
        assert "The community provider directory (PPMS) is not available at the moment." in providers
        assert "PPMS" not in facilities and "sorted by drive time" in facilities
        check_accessibility(page, "the dashboard with PPMS down")
        screenshot(page, "13-partner-outage")


def test_a_launch_for_another_veteran_shows_an_accessible_refusal(browser: Any, dst_url: str) -> None:
    page = new_page(browser, dst_url)
    sign_in(page, "provider")
    order_consult(page)
    launch = page.get_attribute("#launch-dst", "href") or ""
    launch_dst(page)
    other = veteran(lambda v: ordinary(v) and v.icn not in launch)
    response = page.goto(re.sub(r"icn=[^&]+", f"icn={other.icn}", launch))
    assert response is not None and response.status == 409
    assert page.locator("[role=alert]", has_text="another Veteran").count() == 1
    assert "Traceback" not in page.content()
    check_accessibility(page, "the refused launch for another Veteran")
    screenshot(page, "14-launch-identity-conflict")
