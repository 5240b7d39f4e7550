"""Behind a trusted proxy the rate limits and the audit trail see each real client, not the proxy.

Real HTTP on loopback: DST under uvicorn configured as `dst serve` configures it, a small reverse
proxy in front that connects from 127.0.0.2 and appends the caller to X-Forwarded-For (as the chart's
ingress controller does), and callers on distinct loopback addresses (127.0.0.5, 127.0.0.6).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
import pytest
import uvicorn
from sqlalchemy import create_engine, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dst.audit.models import AuditEvent
from dst.config import Settings

from factories import consult, ordinary, veteran
from harness import SERVICE, settings_for
from live_server import serve

PROXY_ADDRESS = "127.0.0.2"
ALICE, BOB = "127.0.0.5", "127.0.0.6"
REQUIRES_DST = "/ctb/v1/requires-dst?service=CARDIOLOGY&station=688"


def reverse_proxy(upstream: str) -> Starlette:
    """Forward every request to `upstream` from PROXY_ADDRESS, appending the caller to X-Forwarded-For."""
    transport = httpx2.AsyncHTTPTransport(local_address=PROXY_ADDRESS)

    async def forward(request: Request) -> Response:
        caller = request.client.host if request.client else ""
        headers = [(k, v) for k, v in request.headers.items() if k not in ("host", "x-forwarded-for")]
        chain = ", ".join(filter(None, (request.headers.get("x-forwarded-for"), caller)))
        headers.append(("x-forwarded-for", chain))
        async with httpx2.AsyncClient(transport=transport, base_url=upstream) as client:
            answer = await client.request(
                request.method,
                request.url.path,
                params=request.url.query,
                headers=headers,
                content=await request.body(),
            )
        return Response(answer.content, answer.status_code, headers=dict(answer.headers))

    return Starlette(routes=[Route("/{path:path}", forward, methods=["GET", "POST", "PUT"])])


@contextmanager
def dst_behind_proxy(settings: Settings) -> Iterator[tuple[str, str]]:
    from dst.main import create_app

    dst = create_app(settings)
    # As `dst serve` runs it: uvicorn believes forwarded headers only from the trusted proxies.
    trusted = settings.trusted_proxy_list
    with (
        serve(dst, lifespan="auto", proxy_headers=True, forwarded_allow_ips=trusted) as direct,
        serve(reverse_proxy(direct), lifespan="auto", proxy_headers=False) as proxied,
    ):
        yield direct, proxied


def caller(address: str) -> httpx2.Client:
    return httpx2.Client(transport=httpx2.HTTPTransport(local_address=address), timeout=30)


@pytest.fixture
def proxied_settings(database_url: str, still_clock: None) -> Settings:
    # One machine call a second (burst of two) per client, so a third quick call is refused.
    return settings_for(database_url, rate_machine_per_second=1, trusted_proxies=PROXY_ADDRESS)


def test_each_client_behind_the_proxy_has_its_own_limit(proxied_settings: Settings) -> None:
    with dst_behind_proxy(proxied_settings) as (_, proxied), caller(ALICE) as alice, caller(BOB) as bob:
        answers = [alice.get(proxied + REQUIRES_DST).status_code for _ in range(3)]
        assert answers == [200, 200, 429]
        # Bob comes through the same proxy address, but the limit is his own.
        assert bob.get(proxied + REQUIRES_DST).status_code == 200


def test_the_audit_trail_records_the_real_client(proxied_settings: Settings, database_url: str) -> None:
    with dst_behind_proxy(proxied_settings) as (_, proxied), caller(ALICE) as alice:
        created = alice.post(proxied + "/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE)
        assert created.status_code == 201, created.text
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            sources = set(connection.scalars(select(AuditEvent.source_ip)))
    finally:
        engine.dispose()
    assert sources == {ALICE}


def test_a_caller_that_is_not_a_trusted_proxy_cannot_pick_its_address(proxied_settings: Settings) -> None:
    with dst_behind_proxy(proxied_settings) as (direct, _), caller(ALICE) as alice:
        answers = [
            alice.get(direct + REQUIRES_DST, headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
            for n in range(3)
        ]
    assert answers == [200, 200, 429]


def test_the_limits_are_shared_out_over_replicas_and_workers(database_url: str, still_clock: None) -> None:
    from fastapi.testclient import TestClient

    from dst.main import create_app
    from dst.web.ratelimit import RateLimitMiddleware

    # 4 a second for the whole deployment, 2 replicas of 2 workers: one a second (burst 2) here.
    settings = settings_for(database_url, rate_machine_per_second=4, replicas=2, workers=2)
    with TestClient(create_app(settings)) as client:
        answers = [client.get(REQUIRES_DST).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    shared = RateLimitMiddleware(client.app, sign_in_per_minute=60, machine_per_second=100, processes=8)
    assert shared.limits["machine"].rate == 12.5 and shared.limits["machine"].capacity == 25
    assert shared.limits["sign-in"].rate == 7.5 / 60 and shared.limits["sign-in"].capacity == 7.5


def test_trusted_proxies_must_be_addresses_or_networks(database_url: str) -> None:
    assert settings_for(database_url, trusted_proxies="10.42.0.0/16, 192.0.2.7").trusted_proxy_list == [
        "10.42.0.0/16",
        "192.0.2.7",
    ]
    with pytest.raises(ValueError, match="DST_TRUSTED_PROXIES"):
        settings_for(database_url, trusted_proxies="ingress-nginx")


def test_dst_serve_passes_the_trusted_proxies_and_workers_to_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from typer.testing import CliRunner

    from dst.cli import app as cli
    from dst.config import get_settings

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: seen.update(options, target=target))
    monkeypatch.setenv("DST_TRUSTED_PROXIES", "10.42.0.0/16")
    monkeypatch.setenv("DST_WORKERS", "1")  # restored afterwards; `dst serve` sets it for its workers
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve", "--workers", "3"])
        workers_seen = os.environ["DST_WORKERS"]
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == ["10.42.0.0/16"]
    assert seen["workers"] == 3 and workers_seen == "3"
    assert seen["timeout_keep_alive"] == 75
