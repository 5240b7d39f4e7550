"""Maintenance windows: 48-hour notice, breakers held open, whole-DST maintenance, and bad windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from dst.operations.models import MaintenanceWindow
from dst.partners.errors import Partner
from dst.partners.resilience import BreakerState

from factories import consult, ordinary, veteran
from harness import SERVICE, sign_in

WINDOWS = "/api/v1/admin/maintenance-windows"


def at(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def schedule(client, target: str, starts: str, ends: str, message: str = "Planned upgrade."):  # type: ignore[no-untyped-def]
    body = {"target": target, "startsAt": starts, "endsAt": ends, "message": message}
    return client.post(WINDOWS, json=body, headers=SERVICE)


def window_count(client) -> int:  # type: ignore[no-untyped-def]
    with client.app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(MaintenanceWindow)) or 0)


def refresh_at(client, moment: datetime) -> Any:  # type: ignore[no-untyped-def]
    monitor = client.app.state.operations
    monitor.clock = lambda: moment
    return client.portal.call(monitor.refresh)


def test_users_see_a_banner_from_48_hours_before_a_window(client) -> None:
    assert schedule(client, "ppms", at(hours=49), at(hours=51), "PPMS upgrade.").status_code == 201
    assert "Scheduled maintenance" not in client.get("/").text
    assert schedule(client, "ee", at(hours=47), at(hours=48), "E&E patching.").status_code == 201
    home = client.get("/").text
    assert 'aria-label="Service notices"' in home
    assert "Scheduled maintenance: Enrollment and Eligibility" in home and "E&amp;E patching." in home
    assert "PPMS upgrade." not in home
    board = refresh_at(client, datetime.now(UTC) + timedelta(hours=2))
    assert any("PPMS upgrade." in n.text for n in board.notices)


def test_a_partner_window_holds_its_breaker_open_and_the_panel_says_so(client) -> None:
    gateway = client.app.state.gateway
    created = schedule(client, "ppms", at(minutes=-1), at(hours=1), "PPMS is being upgraded.")
    assert created.status_code == 201, created.text
    assert gateway.breakers[Partner.PPMS].state is BreakerState.FORCED_OPEN
    assert gateway.breakers[Partner.EE].state is BreakerState.CLOSED
    record = client.post("/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE).json()
    providers = client.get(f"/api/v1/dst/{record['dstId']}/community-providers", headers=SERVICE)
    assert providers.status_code == 200
    assert [e["code"] for e in providers.json()["errors"]] == ["PPMS-MAINTENANCE"]
    sign_in(client, "provider")
    page = client.get(f"/dst/{record['dstId']}?static=1")
    assert page.status_code == 200
    assert "Maintenance in progress: PPMS (community providers)" in page.text
    assert "PPMS-MAINTENANCE" in page.text

    cancelled = client.delete(f"{WINDOWS}/{created.json()['id']}", headers=SERVICE)
    assert cancelled.status_code == 200 and cancelled.json()["cancelledAt"]
    assert gateway.breakers[Partner.PPMS].state is BreakerState.CLOSED
    assert "Maintenance in progress" not in client.get("/").text


def test_the_breaker_is_released_when_the_window_ends(client) -> None:
    gateway = client.app.state.gateway
    assert schedule(client, "routing", at(minutes=-1), at(minutes=30)).status_code == 201
    assert gateway.breakers[Partner.ROUTING].state is BreakerState.FORCED_OPEN
    refresh_at(client, datetime.now(UTC) + timedelta(minutes=31))
    assert gateway.breakers[Partner.ROUTING].state is BreakerState.CLOSED


def test_whole_dst_maintenance_shows_a_page_but_vista_still_gets_its_text(client) -> None:
    record = client.post("/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE).json()
    dst_id = record["dstId"]
    assert schedule(client, "dst", at(minutes=-1), at(hours=2), "Database upgrade.").status_code == 201
    sign_in(client, "provider")
    page = client.get(f"/dst/{dst_id}?static=1")
    assert page.status_code == 503 and "DST is down for scheduled maintenance" in page.text
    assert "Database upgrade." in page.text and int(page.headers["retry-after"]) > 0
    api = client.get(f"/api/v1/dst/{dst_id}", headers=SERVICE)
    assert api.status_code == 503 and api.headers["content-type"].startswith("application/problem+json")
    ctb = client.get("/ctb/v1/requires-dst", params={"service": "CARDIOLOGY", "station": "688"})
    assert ctb.text == "FALSE"  # consults are ordered without DST meanwhile
    assert client.get(f"/vs/v2/consultFactor/{dst_id}").status_code == 200
    assert client.get("/health/live").status_code == 200
    sign_in(client, "admin")
    assert client.get("/admin/maintenance").status_code == 200


def test_bad_windows_are_refused_and_nothing_is_saved(client) -> None:
    assert schedule(client, "ppms", at(hours=5), at(hours=6)).status_code == 201
    cases = [
        (schedule(client, "ee", at(hours=3), at(hours=2)), 422, "ends before it starts"),
        (schedule(client, "ee", at(days=-2), at(days=-1)), 422, "in the past"),
        (schedule(client, "ppms", at(hours=5, minutes=30), at(hours=7)), 409, "overlaps window"),
        (schedule(client, "moon", at(hours=1), at(hours=2)), 422, "Affected system must be one of"),
        (schedule(client, "ee", at(hours=1), at(days=9)), 422, "at most 7 days"),
    ]
    for response, status, words in cases:
        assert response.status_code == status, response.text
        assert words in response.json()["detail"]
    naive = {"target": "ee", "startsAt": "2030-01-01T02:00", "endsAt": "2030-01-01T03:00", "message": "x"}
    assert client.post(WINDOWS, json=naive, headers=SERVICE).status_code == 422
    assert client.delete(f"{WINDOWS}/9999", headers=SERVICE).status_code == 404
    assert window_count(client) == 1
    assert schedule(client, "ee", at(hours=5, minutes=30), at(hours=7)).status_code == 201  # other partner


def test_maintenance_form_keeps_input_on_error_and_lists_windows(client) -> None:
    sign_in(client, "admin")
    page = client.get("/admin/maintenance")
    assert '<label class="usa-label" for="startsAt">' in page.text and "<caption>" in page.text
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    start = (datetime.now(UTC) + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    end = (datetime.now(UTC) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    form = {"csrf": csrf, "target": "seoc", "startsAt": start, "endsAt": end, "message": "SEOC reload."}
    bad = client.post("/admin/maintenance", data=form)
    assert bad.status_code == 422 and 'href="#endsAt"' in bad.text and "SEOC reload." in bad.text
    assert window_count(client) == 0
    form["endsAt"] = (datetime.now(UTC) + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    good = client.post("/admin/maintenance", data=form)
    assert good.status_code == 200 and "was scheduled" in good.text
    assert "Scheduled maintenance: SEOC service" in good.text
    (window,) = client.get(WINDOWS, headers=SERVICE).json()
    cancel = client.post(f"/admin/maintenance/{window['id']}/cancel", data={"csrf": csrf})
    assert cancel.status_code == 200 and "was cancelled" in cancel.text
