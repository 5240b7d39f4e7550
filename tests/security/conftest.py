"""Fixtures for the security tests: a production-mode DST wired to a live test identity provider."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from live_server import serve
from oidc_provider import CLIENT_ID, CLIENT_SECRET, ProviderState, create_provider
from sso import prod_settings


@pytest.fixture
def provider() -> Iterator[ProviderState]:
    state = ProviderState()
    with serve(create_provider(state)) as url:
        state.issuer = url
        yield state


@pytest.fixture
def prod_client(database_url: str, provider: ProviderState) -> Iterator[TestClient]:
    from dst.main import create_app

    settings = prod_settings(
        database_url,
        oidc_issuer=provider.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=SecretStr(CLIENT_SECRET),
        oidc_role_map={"VA-DST-Provider": "provider", "VA-DST-Auditor": "auditor", "VA-DST-Admin": "admin"},
    )
    # Secure cookies only travel over HTTPS, as in production behind the TLS proxy.
    with TestClient(create_app(settings), base_url="https://dst.test") as client:
        yield client


@pytest.fixture
def still_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate limiter's clock stands still, so no token is refilled between a test's requests,
    however slowly a busy machine runs them."""
    import types

    from dst.web import ratelimit

    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(monotonic=lambda: 1000.0))
