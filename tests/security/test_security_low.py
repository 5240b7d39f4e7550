"""The review's smaller findings: CSRF with other Authorization schemes, odd tokens, caching, framing,
the sign-in redirect and the 500 page's headers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from dst.main import create_app

from factories import consult, ordinary, veteran
from harness import SERVICE, settings_for, sign_in


def new_record(client: TestClient) -> str:
    return str(client.post("/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE).json()["dstId"])


@pytest.mark.parametrize("authorization", ["Basic ZGVtbzpkZW1v", "", "Bearer ", "Negotiate abc"])
def test_an_authorization_header_that_is_no_bearer_token_does_not_skip_csrf(client, authorization) -> None:
    sign_in(client, "provider")
    answer = client.post(
        "/api/v1/dst", json=consult(veteran(ordinary)), headers={"Authorization": authorization}
    )
    assert answer.status_code in (401, 403), answer.text
    assert answer.status_code != 201


@pytest.mark.parametrize("token", ["é", "ü" * 30, "\u2603"])
def test_a_non_ascii_csrf_value_is_refused_not_an_error(client, token) -> None:
    sign_in(client, "provider")
    api = client.post(
        "/api/v1/dst",
        json=consult(veteran(ordinary)),
        headers={"X-CSRF-Token": token.encode()},
    )
    assert api.status_code == 403
    form = client.post("/sign-out", data={"csrf": token}, follow_redirects=False)
    assert form.status_code == 403
    assert "content-security-policy" in form.headers


def test_an_unexpected_error_answers_500_with_the_security_headers(database_url: str) -> None:
    app = create_app(settings_for(database_url))

    @app.get("/api/v1/test-only-failure")
    async def failing() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/api/v1/test-only-failure")
    assert answer.status_code == 500
    for header in ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"):
        assert header in answer.headers
    assert answer.headers["cache-control"] == "no-store"


def test_phi_bearing_json_is_never_cached(client) -> None:
    dst_id = new_record(client)
    for path in (
        f"/api/v1/dst/{dst_id}",
        f"/api/v1/dst/{dst_id}/patient",
        f"/api/v1/dst/{dst_id}/eligibility",
    ):
        assert client.get(path, headers=SERVICE).headers["cache-control"] == "no-store", path
    assert client.get(f"/vs/v2/consultFactor/{dst_id}").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/dst.css").headers.get("cache-control", "")


def test_framing_is_refused_unless_ancestors_are_configured(database_url: str, client) -> None:
    default = client.get("/")
    assert "frame-ancestors 'none'" in default.headers["content-security-policy"]
    assert default.headers["x-frame-options"] == "DENY"
    allowed = "https://ctb.example.va.gov https://powerchart.example.org:8443"
    with TestClient(create_app(settings_for(database_url, frame_ancestors=allowed))) as framed:
        page = framed.get("/")
        refused = framed.get("/api/v1/dst/nope")
    for answer in (page, refused):
        assert f"frame-ancestors {allowed};" in answer.headers["content-security-policy"]
        assert "x-frame-options" not in answer.headers


def test_frame_ancestors_must_be_origins(database_url: str) -> None:
    with pytest.raises(ValueError, match="DST_FRAME_ANCESTORS"):
        settings_for(database_url, frame_ancestors="https://a.example; script-src *")


def test_the_host_header_does_not_choose_the_sign_in_redirect(prod_client) -> None:
    start = prod_client.get("/sign-in?next=/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert start.status_code == 302
    redirect_uri = parse_qs(urlparse(start.headers["location"]).query)["redirect_uri"]
    assert redirect_uri == ["https://dst.test/auth/callback"]
