"""Shared test helpers: settings for a test database, the service token, demo sign-in."""

from __future__ import annotations

from typing import Any

from dst.config import Settings

SERVICE_TOKEN = "dev-service-token"  # the dev default of DST_SERVICE_TOKEN
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def settings_for(url: str, **overrides: Any) -> Settings:
    return Settings(database_url=url, env="dev", _env_file=None, **overrides)  # type: ignore[call-arg]


def sign_in(client: Any, role: str = "provider") -> None:
    response = client.get(f"/dev/sign-in?role={role}&next=/", follow_redirects=False)
    assert response.status_code == 303
