"""`/health/partners`: the background steel-thread check, DOWN after three failures, no I/O on the probe."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse

from dst.config import Settings
from dst.demo.network import steel_thread_patient
from dst.partners.errors import Partner
from dst.partners.registry import build_gateway
from dst.partners.steel_thread import CheckStatus, SteelThread, resolve_test_icn, wanted

from factories import ordinary, veteran
from harness import prod_settings_for, settings_for
from partner_servers import PartnerServers, partner_servers

UNAVAILABLE = PlainTextResponse("down for the test", status_code=503)


@pytest.fixture
def servers(database_url: str) -> Iterator[PartnerServers]:
    with partner_servers(settings_for(database_url)) as running:
        yield running


@pytest.mark.anyio
async def test_a_partner_is_down_only_after_three_failed_checks_in_a_row(
    servers: PartnerServers, database_url: str
) -> None:
    icn = veteran(ordinary).icn
    async with build_gateway(settings_for(database_url, partner_timeout_s=5, **servers.settings())) as gw:
        thread = SteelThread(gw, icn)
        await thread.run_once()
        assert {c.status for c in thread.results.values()} == {CheckStatus.UP}
        first_success = thread.results[Partner.MVI].last_success
        servers.failing["/mvi"] = UNAVAILABLE

        for expected in (1, 2):  # N−1 failures: failing, not yet down
            await thread.run_once()
            mvi = thread.results[Partner.MVI]
            assert (mvi.status, mvi.consecutive_failures) == (CheckStatus.FAILING, expected)
            assert mvi.last_error == "MVI-UNAVAILABLE"
            assert mvi.last_success == first_success

        await thread.run_once()  # the Nth failure
        assert thread.results[Partner.MVI].status is CheckStatus.DOWN
        others = {p: c.status for p, c in thread.results.items() if p is not Partner.MVI}
        assert set(others.values()) == {CheckStatus.UP}, "one partner's outage must not mark the others"

        del servers.failing["/mvi"]
        await thread.run_once()
        mvi = thread.results[Partner.MVI]
        assert (mvi.status, mvi.consecutive_failures, mvi.last_error) == (CheckStatus.UP, 0, None)
        assert mvi.last_success is not None and first_success is not None
        assert mvi.last_success > first_success


@pytest.mark.anyio
async def test_every_partner_is_asked_one_realistic_question_per_check(
    servers: PartnerServers, database_url: str
) -> None:
    async with build_gateway(settings_for(database_url, partner_timeout_s=5, **servers.settings())) as gw:
        await SteelThread(gw, veteran(ordinary).icn).run_once()
    assert set(servers.requests) == {"/mvi", "/ee", "/facilities", "/ppms", "/seoc", "/routing"}


def _wait_for(client: TestClient, done: Any, timeout_s: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        body: dict[str, Any] = client.get("/health/partners").json()
        if done(body):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


def test_the_probe_reads_cached_results_and_calls_no_partner(
    servers: PartnerServers, database_url: str
) -> None:
    from dst.main import create_app

    settings = settings_for(database_url, **servers.settings())
    with TestClient(create_app(settings)) as client:
        body = _wait_for(client, lambda b: b["steelThread"]["runs"] >= 1)
        calls = servers.total()
        for _ in range(5):
            again = client.get("/health/partners")
            assert again.status_code == 200
        assert servers.total() == calls, "the health probe must not call partners"
    assert body["status"] == "UP" and body["steelThread"]["enabled"] is True
    for name in ("mvi", "ee", "facilities", "ppms", "seoc", "routing"):
        check = body["partners"][name]["steelThread"]
        assert check["status"] == "UP" and check["lastSuccess"] and check["consecutiveFailures"] == 0


def test_the_background_check_marks_an_unreachable_partner_down(database_url: str) -> None:
    from dst.main import create_app

    settings = settings_for(
        database_url, ee_url="http://127.0.0.1:9/ee", steel_thread_interval_s=0.05, partner_timeout_s=2
    )
    with TestClient(create_app(settings)) as client:
        body = _wait_for(client, lambda b: b["partners"]["ee"]["steelThread"]["status"] == "DOWN")
    ee = body["partners"]["ee"]["steelThread"]
    assert ee["consecutiveFailures"] >= 3 and ee["lastSuccess"] is None
    assert ee["lastError"] in ("EE-UNAVAILABLE", "EE-TIMEOUT")
    assert body["status"] == "DEGRADED" and "ee" in body["down"]
    assert body["partners"]["mvi"]["steelThread"]["status"] == "UP"


def test_skip_turns_the_check_off(database_url: str) -> None:
    from dst.main import create_app

    with TestClient(create_app(settings_for(database_url, steel_thread_icn="skip"))) as client:
        body = client.get("/health/partners").json()
    assert body["steelThread"] == {"enabled": False, "runs": 0}
    assert {p["steelThread"]["status"] for p in body["partners"].values() if "steelThread" in p} == {
        "UNKNOWN"
    }


def test_the_test_patient_defaults_to_a_demo_veteran_in_dev_only() -> None:
    dev = Settings(env="dev", _env_file=None)  # type: ignore[call-arg]
    assert (
        resolve_test_icn(dev, steel_thread_patient)
        == veteran(lambda v: v.scenario.startswith("Ordinary Veteran")).icn
    )
    assert resolve_test_icn(Settings(env="dev", steel_thread_icn="SKIP", _env_file=None)) is None  # type: ignore[call-arg]
    prod = prod_settings_for(accept_estimated_drive_times=True)
    assert not wanted(prod) and resolve_test_icn(prod) is None
    chosen = prod_settings_for(accept_estimated_drive_times=True, steel_thread_icn="1012345678V123456")
    assert wanted(chosen) and resolve_test_icn(chosen) == "1012345678V123456"


def test_a_partner_the_check_finds_down_gets_an_outage_notice_until_it_recovers(
    servers: PartnerServers, database_url: str
) -> None:
    from dst.main import create_app
    from dst.operations.monitor import outage_reporter

    from harness import sign_in

    settings = settings_for(database_url, steel_thread_icn="skip", partner_timeout_s=5, **servers.settings())
    app = create_app(settings)
    with TestClient(app) as client:
        reporter = outage_reporter(app.state.operations)
        thread = SteelThread(app.state.gateway, veteran(ordinary).icn, on_result=reporter)
        sign_in(client, "admin")

        def open_outages() -> set[str]:
            return {o["partner"] for o in client.get("/api/v1/admin/outages").json()["current"]}

        servers.failing["/ppms"] = UNAVAILABLE
        for _ in range(2):
            client.portal.call(thread.run_once)
        assert open_outages() == set(), "two failures in a row are not yet an outage"
        client.portal.call(thread.run_once)
        assert "ppms" in open_outages()
        del servers.failing["/ppms"]
        client.portal.call(thread.run_once)
        assert "ppms" not in open_outages()


def test_the_readiness_probe_waits_for_the_database_off_the_event_loop(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database slow to answer holds up the probe, not every other request on the event loop."""
    import threading

    import dst.web.health as health

    release = threading.Event()
    real = health.current_revision

    def slow_revision(engine: Any) -> Any:
        release.wait(timeout=30)  # a connection waiting out its timeout
        return real(engine)

    monkeypatch.setattr(health, "current_revision", slow_revision)
    answers: dict[str, int] = {}

    def ask(path: str) -> None:
        answers[path] = client.get(path).status_code

    probe = threading.Thread(target=ask, args=("/health/ready",))
    probe.start()
    other = threading.Thread(target=ask, args=("/health/live",))
    other.start()
    other.join(timeout=10)
    answered_meanwhile = dict(answers)
    release.set()
    probe.join(timeout=30)
    other.join(timeout=30)
    assert answered_meanwhile.get("/health/live") == 200, "another request waited behind the probe"
    assert "/health/ready" not in answered_meanwhile, "the probe did not wait for the database"
    assert answers["/health/ready"] == 200
