"""The `dst` command and the stand-alone partner fakes that a site (or a benchmark) points DST at."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from dst.cli import app as cli

from factories import consult, ordinary, veteran
from harness import SERVICE, settings_for
from live_server import serve


def test_db_upgrade_puts_national_reference_data_in_place(empty_database_url: str, monkeypatch) -> None:
    monkeypatch.setenv("DST_DATABASE_URL", empty_database_url)
    from dst.config import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    from sqlalchemy import func, select

    from dst.db.engine import build_engine, build_session_factory
    from dst.reference.models import ClinicalService, Station

    engine = build_engine(empty_database_url)
    with build_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ClinicalService)) >= 14
        assert session.get(Station, "688") is not None
    engine.dispose()


@pytest.fixture
def fakes_url(database_url: str) -> Iterator[str]:
    from dst.demo.fakes_server import create_fakes_app

    with serve(create_fakes_app(settings_for(database_url))) as url:
        yield url


def test_dst_works_against_partner_servers_over_http(database_url: str, fakes_url: str) -> None:
    from fastapi.testclient import TestClient

    from dst.main import create_app

    settings = settings_for(
        database_url,
        mvi_url=f"{fakes_url}/mvi",
        ee_url=f"{fakes_url}/ee",
        facilities_url=f"{fakes_url}/facilities",
        ppms_url=f"{fakes_url}/ppms",
        seoc_url=f"{fakes_url}/seoc",
        routing_url=f"{fakes_url}/routing",
    )
    with TestClient(create_app(settings)) as client:
        v = veteran(ordinary)
        dst_id = client.post("/api/v1/dst", json=consult(v, "PODIATRY"), headers=SERVICE).json()["dstId"]
        patient = client.get(f"/api/v1/dst/{dst_id}/patient", headers=SERVICE).json()
        assert patient["icn"] == v.icn and patient["errors"] == []
        facilities = client.get(f"/api/v1/dst/{dst_id}/facilities", headers=SERVICE).json()
        assert all(f["driveSource"] == "routing" for f in facilities["facilities"])
        providers = client.get(f"/api/v1/dst/{dst_id}/community-providers", headers=SERVICE).json()
        assert providers["errors"] == []


def test_a_partner_that_is_down_degrades_only_its_panel(database_url: str) -> None:
    from fastapi.testclient import TestClient

    from dst.main import create_app

    settings = settings_for(database_url, ppms_url="http://127.0.0.1:9", partner_timeout_s=2)
    with TestClient(create_app(settings)) as client:
        dst_id = client.post(
            "/api/v1/dst", json=consult(veteran(ordinary), "PODIATRY"), headers=SERVICE
        ).json()["dstId"]
        providers = client.get(f"/api/v1/dst/{dst_id}/community-providers", headers=SERVICE)
        assert providers.status_code == 200
        assert providers.json()["errors"][0]["code"] in ("PPMS-UNAVAILABLE", "PPMS-TIMEOUT")
        patient = client.get(f"/api/v1/dst/{dst_id}/patient", headers=SERVICE).json()
        assert patient["errors"] == []
        eligibility = client.get(f"/api/v1/dst/{dst_id}/eligibility", headers=SERVICE)
        assert eligibility.status_code == 200


def test_dst_fakes_serve_answers_the_facilities_api(tmp_path) -> None:
    """The separate fakes server, started as `dst fakes serve`, serves Lighthouse's /facilities path."""
    import os
    import subprocess
    import sys
    import time

    import httpx2

    from live_server import free_port

    port = free_port()
    env = {**os.environ, "DST_ENV": "dev", "DST_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    command = [sys.executable, "-m", "dst.cli", "fakes", "serve", "--port", str(port)]
    log = tmp_path / "fakes.log"
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    try:
        url = f"http://127.0.0.1:{port}/facilities/facilities"
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx2.get(url, params={"ids": "vha_688"}, headers={"apikey": "dev-facilities-key"})
                break
            except httpx2.TransportError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "dst fakes serve did not start"
                time.sleep(0.1)
        assert answer.status_code == 200, answer.text
        assert [f["id"] for f in answer.json()["data"]] == ["vha_688"]
        assert httpx2.post(f"http://127.0.0.1:{port}/mvi", content=b"<not-soap/>").status_code == 500
    finally:
        server.terminate()
        server.wait(timeout=10)
