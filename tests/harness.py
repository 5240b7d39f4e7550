"""Shared test helpers: settings for a test database, the service token, demo sign-in."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dst.config import Settings
from dst.demo.model import DemoVeteran

from factories import consult, ordinary, veteran

POSTGRES_URL = os.environ.get("DST_TEST_POSTGRES_URL")
BACKEND = "postgresql" if POSTGRES_URL else "sqlite"

# Recorded partner payloads live in the shared checkout beside the repository (../shared).
RECORDED_PARTNERS = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "partners"
# CI sets CI=true: there a test that would be skipped for want of its setting-up fails instead.
IN_CI = os.environ.get("CI", "").lower() == "true"

SERVICE_TOKEN = "dev-service-token"  # the dev default of DST_SERVICE_TOKEN
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def settings_for(url: str, **overrides: Any) -> Settings:
    return Settings(database_url=url, env="dev", _env_file=None, **overrides)  # type: ignore[call-arg]


# What production insists on: real-looking secrets and credentials, and a URL for every partner (here
# a closed loopback port, so a test that reaches a partner sees it down rather than synthetic data).
PROD_SERVICE_TOKEN = "prod-service-token-0123456789"
PROD_REQUIRED: dict[str, Any] = {
    "secret_key": "q7Vt2pZr9xLm4bWc8nYd3sHf6jGa1eKu",
    "service_token": PROD_SERVICE_TOKEN,
    "ee_password": "ee-Pw-7f3K9qLz2Xw4",
    "facilities_api_key": "fac-Key-4nR8tW1yB6Mq",
    "public_base_url": "https://dst.test",
    **{f"{p}_url": f"http://127.0.0.1:9/{p}" for p in ("mvi", "ee", "facilities", "ppms", "seoc")},
}


def prod_settings_for(url: str | None = None, **overrides: Any) -> Settings:
    """Production settings that start: every required value set, then the test's own overrides."""
    values = {**PROD_REQUIRED, **({"database_url": url} if url else {}), **overrides}
    return Settings(env="prod", _env_file=None, **values)  # type: ignore[call-arg]


def sign_in(client: Any, role: str = "provider") -> None:
    response = client.get(f"/dev/sign-in?role={role}&next=/", follow_redirects=False)
    assert response.status_code == 303


def csrf_header(client: Any) -> dict[str, str]:
    """The session's CSRF token, read from the sign-out form, for API writes made with a session cookie."""
    import re

    match = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    assert match, "no CSRF token on the start page: is the client signed in?"
    return {"X-CSRF-Token": match.group(1)}


def hidden_fields(page: str) -> dict[str, str]:
    """A page's hidden form fields (the CSRF token among them), as the browser would send them."""
    import html
    import re

    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return {name: html.unescape(value) for name, value in found}


def confirm_launch(client: Any, page: Any, **changes: str) -> Any:
    """Press the launch confirmation's button: POST /launch with the page's hidden fields (CSRF too)."""
    assert 'action="/launch"' in page.text, "not a launch confirmation page"
    return client.post("/launch", data={**hidden_fields(page.text), **changes}, follow_redirects=False)


def launch(client: Any, query: str) -> Any:
    """A CTB launch by a signed-in clinician: the GET shows the consult, the confirmation opens it."""
    page = client.get(f"/launch?{query}", follow_redirects=False)
    assert page.status_code == 200, page.text
    return confirm_launch(client, page)


def open_record(
    client: Any,
    *,
    service: str = "ORTHOPEDICS",
    who: DemoVeteran | Callable[[DemoVeteran], bool] = ordinary,
    **overrides: Any,
) -> dict[str, Any]:
    """Open a new DST record for a demo Veteran's consult through the API, as CTB does; its JSON."""
    person = who if isinstance(who, DemoVeteran) else veteran(who)
    response = client.post("/api/v1/dst", json=consult(person, service, **overrides), headers=SERVICE)
    assert response.status_code == 201, response.text
    return dict(response.json())


def open_record_id(client: Any, **options: Any) -> str:
    """The DST ID of a record opened by `open_record`."""
    return str(open_record(client, **options)["dstId"])


def recorded_partner(partner: str) -> tuple[Path, pytest.MarkDecorator]:
    """The folder of a partner's recorded payloads, and the mark that skips its contract tests when
    the shared checkout is absent; under CI=true its absence fails the run instead."""
    folder = RECORDED_PARTNERS / partner
    missing = f"recorded partner payloads not found at {folder} (the shared checkout beside the repository)"
    if not folder.is_dir() and IN_CI:
        pytest.fail(f"{missing}: CI must run the partner contract tests", pytrace=False)
    return folder, pytest.mark.skipif(not folder.is_dir(), reason=missing)
