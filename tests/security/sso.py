"""Helpers for the security tests: production settings and the browser's single sign-on walk."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import httpx2
from fastapi.testclient import TestClient

from dst.config import Settings

from harness import PROD_SERVICE_TOKEN, prod_settings_for
from oidc_provider import ProviderState

PROD_SERVICE = {"Authorization": f"Bearer {PROD_SERVICE_TOKEN}"}


def prod_settings(database_url: str, **overrides: Any) -> Settings:
    return prod_settings_for(database_url, **{"accept_estimated_drive_times": True, **overrides})


def sso_sign_in(
    client: TestClient, provider: ProviderState, user: dict[str, Any], next_path: str = "/"
) -> httpx2.Response:
    """Walk the browser's path: DST → provider's authorize → DST's callback; returns the callback answer."""
    provider.user = user
    start = client.get(f"/sign-in?next={quote(next_path, safe='')}", follow_redirects=False)
    assert start.status_code == 302, start.text
    location = start.headers["location"]
    assert location.startswith(f"{provider.issuer}/authorize")
    query = parse_qs(urlparse(location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"] and query["state"]
    approve = httpx2.get(location, follow_redirects=False)
    assert approve.status_code == 307, approve.text
    return client.get(approve.headers["location"], follow_redirects=False)


PROVIDER_USER = {
    "sub": "u-1001",
    "preferred_username": "vhaprov1",
    "name": "Test Provider",
    "dst_roles": ["VA-DST-Provider"],
}
AUDITOR_USER = {
    "sub": "u-2002",
    "preferred_username": "vhaaud2",
    "name": "Test Auditor",
    "dst_roles": "VA-DST-Auditor",
}
