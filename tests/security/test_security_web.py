"""Cookies, headers, CSRF on every form and cookie-authenticated API write, rate and size limits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dst.main import create_app

from factories import consult, key, ordinary, veteran
from harness import SERVICE, csrf_header, settings_for, sign_in
from sso import PROD_SERVICE, prod_settings

TEMPLATES = Path(__file__).parents[2] / "src" / "dst" / "web" / "templates"


def record_id(client: TestClient, headers: dict[str, str] = SERVICE) -> str:
    created = client.post("/api/v1/dst", json=consult(veteran(ordinary)), headers=headers)
    assert created.status_code == 201, created.text
    return str(created.json()["dstId"])


def version(client: TestClient, dst_id: str, headers: dict[str, str] = SERVICE) -> int:
    return int(client.get(f"/api/v1/dst/{dst_id}", headers=headers).json()["version"])


@pytest.fixture
def prod(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(prod_settings(database_url)), base_url="https://dst.test") as client:
        yield client


def test_the_session_cookie_is_secure_httponly_and_samesite_outside_dev(prod_client, client) -> None:
    started = prod_client.get("/sign-in?next=/", follow_redirects=False)  # keeps the sign-in state
    prod_cookie = started.headers["set-cookie"].lower()
    assert prod_cookie.startswith("dst_session=")
    for attribute in ("secure", "httponly", "samesite=lax", "path=/"):
        assert attribute in prod_cookie
    dev_cookie = client.get("/dev/sign-in?role=provider&next=/", follow_redirects=False).headers["set-cookie"]
    for attribute in ("httponly", "samesite=lax"):
        assert attribute in dev_cookie.lower()
    assert "secure" not in dev_cookie.lower()  # dev serves plain HTTP on the loopback


def test_hsts_and_csp_outside_dev_only_hsts_off_in_dev(prod, client) -> None:
    live = prod.get("/health/live")
    assert live.headers["strict-transport-security"].startswith("max-age=63072000")
    assert "default-src 'self'" in live.headers["content-security-policy"]
    assert "strict-transport-security" not in client.get("/health/live").headers
    too_big = prod.post("/api/v1/dst", content=b"x" * 70_000, headers=PROD_SERVICE)
    assert too_big.status_code == 413
    assert "frame-ancestors 'none'" in too_big.headers["content-security-policy"]


def test_every_post_form_in_every_template_carries_the_csrf_token() -> None:
    missing = []
    for template in TEMPLATES.rglob("*.html"):
        for form in re.findall(r"<form\b[^>]*>.*?</form>", template.read_text(), flags=re.S | re.I):
            opening = form[: form.index(">")].lower()
            if 'method="post"' in opening and 'name="csrf"' not in form:
                missing.append(template.name)
    assert missing == []


def test_a_form_post_without_or_with_another_sessions_token_is_refused(app, client) -> None:
    dst_id = record_id(client)
    sign_in(client, "provider")
    before = version(client, dst_id)
    form = {"veteranOption": "opt-out", "forward": "no", "baseVersion": str(before)}
    assert client.post(f"/dst/{dst_id}/decision", data=form).status_code == 403
    with TestClient(create_app(app.state.settings)) as other:  # one lifespan per app at a time
        sign_in(other, "scheduler")
        foreign = csrf_header(other)["X-CSRF-Token"]
    refused = client.post(f"/dst/{dst_id}/decision", data={**form, "csrf": foreign})
    assert refused.status_code == 403
    assert "form has expired" in refused.text
    assert client.post("/sign-out", data={"csrf": foreign}).status_code == 403
    assert version(client, dst_id) == before
    assert "Signed in as" in client.get("/").text


def test_a_tampered_or_foreign_session_cookie_is_not_a_session(app, client, database_url) -> None:
    sign_in(client, "provider")
    cookie = client.cookies["dst_session"]
    forged = cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB")
    with TestClient(create_app(app.state.settings)) as attacker:  # one lifespan per app at a time
        attacker.cookies.set("dst_session", forged)
        assert attacker.get("/api/v1/clinical-services").status_code == 401
    other_key = create_app(settings_for(database_url, secret_key="another-secret-key-123456"))
    with TestClient(other_key) as elsewhere:
        elsewhere.cookies.set("dst_session", cookie)
        assert elsewhere.get("/api/v1/clinical-services").status_code == 401


def test_cookie_authenticated_api_writes_need_the_csrf_header(client) -> None:
    dst_id = record_id(client)
    sign_in(client, "provider")
    seoc = client.get(f"/api/v1/dst/{dst_id}/seocs").json()["seocs"][0]["seocId"]
    body = {"veteranOption": "opt-in", "seocId": seoc, "forward": False}
    refused = client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers=key())
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "X-CSRF-Token" in refused.json()["detail"]
    assert client.post("/api/v1/dst", json=consult(veteran(ordinary))).status_code == 403
    assert version(client, dst_id) == 1
    wrong = client.put(
        f"/api/v1/dst/{dst_id}/decision", json=body, headers={**key(), "X-CSRF-Token": "guess"}
    )
    assert wrong.status_code == 403
    saved = client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={**key(), **csrf_header(client)})
    assert saved.status_code == 200
    assert version(client, dst_id) == 2


def test_sign_in_is_rate_limited_per_address(database_url, still_clock) -> None:
    app = create_app(settings_for(database_url, rate_sign_in_per_minute=3))
    with TestClient(app) as client:
        answers = [client.get("/dev/sign-in?role=provider&next=/", follow_redirects=False) for _ in range(4)]
    assert [a.status_code for a in answers] == [303, 303, 303, 429]
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert "Too many requests" in answers[-1].text


def test_each_signed_in_person_has_a_limit_of_their_own(database_url, still_clock) -> None:
    # 0.2 per second: a burst of two requests (ten seconds' worth) per person, whatever the address.
    app = create_app(settings_for(database_url, rate_session_per_second=0.2, rate_machine_per_second=0))
    with TestClient(app) as browser:
        sign_in(browser, "provider")
        answers = [browser.get("/api/v1/clinical-services") for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[-1].headers["content-type"].startswith("application/problem+json")
        assert int(answers[-1].headers["retry-after"]) >= 1
        assert "this session" in answers[-1].json()["detail"]
        # Static assets are never counted; another person from the same address has a bucket of
        # their own.
        assert browser.get("/static/dst.css").status_code == 200
        browser.cookies.clear()
        sign_in(browser, "scheduler")
        assert browser.get("/api/v1/clinical-services").status_code == 200


def test_machine_endpoints_are_rate_limited_but_pages_are_not(database_url, still_clock) -> None:
    app = create_app(settings_for(database_url, rate_machine_per_second=1))
    with TestClient(app) as client:
        vista = [client.get("/vs/v2/consultFactor/unknown").status_code for _ in range(3)]
        assert vista == [404, 404, 429]
        # One bucket per address covers every machine endpoint.
        ctb = client.get("/ctb/v1/requires-dst?service=CARDIOLOGY&station=688")
        assert ctb.status_code == 429 and ctb.headers["content-type"].startswith("text/plain")
        assert [client.get("/health/live").status_code for _ in range(5)] == [200] * 5
        sign_in(client, "provider")
        assert [client.get("/api/v1/clinical-services").status_code for _ in range(4)] == [200] * 4
    with TestClient(create_app(settings_for(database_url, rate_machine_per_second=1))) as client:
        api = [client.get("/api/v1/clinical-services", headers=SERVICE).status_code for _ in range(3)]
        assert api == [200, 200, 429]


def test_bodies_over_the_limit_are_refused_with_413_and_nothing_saved(client) -> None:
    big = consult(veteran(ordinary), consultNumber="424242")
    big["padding"] = "x" * 70_000
    announced = client.post("/api/v1/dst", json=big, headers=SERVICE)
    assert announced.status_code == 413
    assert announced.headers["content-type"] == "application/problem+json"
    assert "64 KiB" in announced.json()["detail"]

    def chunks() -> Iterator[bytes]:
        yield b'{"station": "688", "consultService": "'
        for _ in range(80):
            yield b"y" * 1024
        yield b'"}'

    streamed = client.post(
        "/api/v1/dst", content=chunks(), headers={**SERVICE, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    sign_in(client, "provider")
    page = client.post("/dst/unknown/decision", data={"bmiExplanation": "z" * 70_000})
    assert page.status_code == 413
    assert "<h1>Request too large</h1>" in page.text
    listing = client.get("/api/v1/audit", headers=SERVICE)
    assert listing.status_code == 403
