"""Outage notices: a banner naming the partner while its breaker is open or the steel thread fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dst.operations import outages
from dst.partners.errors import Partner

from harness import SERVICE, sign_in

OUTAGES = "/api/v1/admin/outages"


def test_an_open_breaker_puts_up_a_banner_that_clears_on_recovery(client) -> None:
    breaker = client.app.state.gateway.breakers[Partner.PPMS]
    breaker.record_failure()  # no success in the window: one failure opens the breaker
    home = client.get("/")  # the page request notices the change without waiting for the task
    assert "PPMS (community providers) is not answering" in home.text
    assert "VA facilities, drive times, eligibility and saving decisions still work" in home.text
    listing = client.get(OUTAGES, headers=SERVICE).json()
    (current,) = listing["current"]
    assert current["partner"] == "ppms" and current["source"] == "breaker" and current["endedAt"] is None

    breaker.record_success()  # the probe answered: the breaker closes
    assert "is not answering" not in client.get("/").text
    (ended,) = client.get(OUTAGES, headers=SERVICE).json()["history"]
    assert ended["endedAt"] is not None and ended["endReason"] == "recovered"
    assert "circuit breaker opened" in ended["cause"]


def test_the_steel_thread_reports_into_the_same_notices(client) -> None:
    check = {"partner": "mvi", "ok": False, "detail": "no answer to the identity query", "check": "steel"}
    failed = client.post(f"{OUTAGES}/checks", json=check, headers=SERVICE)
    assert failed.status_code == 200, failed.text
    (notice,) = failed.json()["notices"]
    assert notice["kind"] == "outage" and notice["target"] == "mvi"
    assert "MVI (Veteran identity) is not answering" in client.get("/").text
    recovered = client.post(f"{OUTAGES}/checks", json={**check, "ok": True}, headers=SERVICE)
    assert recovered.json()["notices"] == []
    (row,) = client.get(OUTAGES, headers=SERVICE).json()["history"]
    assert row["source"] == "steel-thread" and row["endedAt"] and "identity query" in row["cause"]
    bad = client.post(f"{OUTAGES}/checks", json={**check, "partner": "pager"}, headers=SERVICE)
    assert bad.status_code == 422 and "Unknown partner" in bad.json()["detail"]


def report_from(client, reporter: str, partner: Partner, minutes_ago: int) -> None:  # type: ignore[no-untyped-def]
    with client.app.state.sessions() as session:
        outages.report(
            session,
            partner=partner,
            source=outages.BREAKER,
            reporter=reporter,
            down=True,
            cause="breaker",
            now=datetime.now(UTC) - timedelta(minutes=minutes_ago),
        )
        session.commit()


def test_another_process_outage_shows_until_that_process_stops_confirming_it(client) -> None:
    monitor = client.app.state.operations
    report_from(client, "other-host:2", Partner.SEOC, minutes_ago=1)
    report_from(client, "gone-host:1", Partner.EE, minutes_ago=10)
    board = client.portal.call(monitor.refresh)
    assert [n.target for n in board.notices] == ["seoc"]
    assert "SEOC service (episodes of care) is not answering" in client.get("/").text
    history = client.get(OUTAGES, headers=SERVICE).json()["history"]
    reasons = {r["partner"]: r["endReason"] for r in history}
    assert reasons == {"seoc": None, "ee": "reporter stopped confirming"}


def test_administrators_see_the_outage_history(client) -> None:
    client.app.state.gateway.breakers[Partner.ROUTING].record_failure()
    sign_in(client, "admin")
    page = client.get("/admin/outages")
    assert page.status_code == 200
    assert "<caption>Partner outages, newest first</caption>" in page.text
    assert "ROUTING" in page.text and "Still down" in page.text
    overview = client.get("/admin")
    assert "drive-time routing is not answering" in overview.text
    sign_in(client, "auditor")
    assert client.get("/admin/outages").status_code == 403


def test_pages_still_render_when_the_notices_cannot_be_refreshed(client) -> None:
    monitor = client.app.state.operations

    async def broken() -> None:
        raise OSError("database unreachable")

    monitor._refresh = broken
    monitor.board = type(monitor.board)()  # empty and never refreshed: every request is due
    home = client.get("/")
    assert home.status_code == 200 and "Community Care Decision Support Tool" in home.text
