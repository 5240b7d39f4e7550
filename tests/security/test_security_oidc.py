"""Single sign-on end to end against a live test provider: real signatures, claims, state and nonce."""

from __future__ import annotations

import time
from contextlib import ExitStack
from urllib.parse import urlencode

import httpx2
import pytest
from joserfc.jwk import RSAKey
from pydantic import SecretStr
from sqlalchemy import create_engine, select

from dst.audit.models import AuditEvent
from dst.web.oidc import role_from_claims

from factories import consult, ordinary, veteran
from harness import confirm_launch, settings_for
from oidc_provider import ProviderState
from sso import AUDITOR_USER, PROVIDER_USER, sso_sign_in


def launch_url() -> str:
    params = consult(veteran(ordinary))
    params["signed"] = "false"
    return "/launch?" + urlencode(params)


def audit_rows(database_url: str, action: str) -> list[AuditEvent]:
    engine = create_engine(database_url)
    try:
        from sqlalchemy.orm import Session

        with Session(engine) as session:
            return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
    finally:
        engine.dispose()


def test_a_launch_without_a_session_signs_in_and_returns_to_the_launch(prod_client, provider) -> None:
    target = launch_url()
    first = prod_client.get(target, follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"].startswith("/sign-in?next=%2Flaunch%3F")

    done = sso_sign_in(prod_client, provider, PROVIDER_USER, next_path=target)
    assert done.status_code == 303
    assert done.headers["location"] == target
    confirm = prod_client.get(target, follow_redirects=False)
    assert confirm.status_code == 200 and "Open DST for this consult" in confirm.text
    opened = confirm_launch(prod_client, confirm)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/dst/")
    page = prod_client.get(opened.headers["location"])
    assert page.status_code == 200
    assert "Test Provider" in page.text

    # A second CTB launch while the session lasts goes straight to the record: no new sign-in.
    again = prod_client.get(launch_url(), follow_redirects=False)
    assert again.status_code == 200 and "Open DST for this consult" in again.text
    assert confirm_launch(prod_client, again).headers["location"].startswith("/dst/")
    assert provider.token_requests == 1
    assert prod_client.get("/sign-in?next=/audit", follow_redirects=False).headers["location"] == "/audit"


def test_the_role_comes_from_the_mapped_claim(prod_client, provider) -> None:
    assert prod_client.get("/api/v1/audit").status_code == 401
    assert sso_sign_in(prod_client, provider, AUDITOR_USER, next_path="/audit").status_code == 303
    assert prod_client.get("/api/v1/audit").status_code == 200
    dst_id = prod_client.post("/api/v1/dst", json=consult(veteran(ordinary))).status_code
    assert dst_id == 403  # an auditor cannot open a Veteran's record


def test_an_account_without_a_dst_role_is_refused(prod_client, provider, database_url) -> None:
    user = {**PROVIDER_USER, "dst_roles": ["VA-Payroll"]}
    assert sso_sign_in(prod_client, provider, user).status_code == 403
    assert prod_client.get("/api/v1/clinical-services").status_code == 401
    refused = audit_rows(database_url, "sign-in")
    assert [(r.outcome, r.actor, r.detail["reason"]) for r in refused] == [
        ("refused", "vhaprov1", "no-dst-role")
    ]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, id="expired"),
        pytest.param({"aud": "some-other-app"}, id="wrong-audience"),
        pytest.param({"iss": "https://impostor.example"}, id="wrong-issuer"),
        pytest.param({"nonce": "replayed-nonce"}, id="wrong-nonce"),
    ],
)
def test_bad_id_tokens_are_refused(prod_client, provider: ProviderState, database_url, tamper) -> None:
    provider.tamper = tamper
    answer = sso_sign_in(prod_client, provider, PROVIDER_USER)
    assert answer.status_code == 401
    assert "Sign-in did not complete" in answer.text
    assert prod_client.get("/api/v1/clinical-services").status_code == 401
    assert [r.outcome for r in audit_rows(database_url, "sign-in")] == ["refused"]


def test_a_token_signed_with_another_key_is_refused(prod_client, provider: ProviderState) -> None:
    provider.sign_with = RSAKey.generate_key(2048, parameters={"kid": "good"})  # same kid, wrong key
    assert sso_sign_in(prod_client, provider, PROVIDER_USER).status_code == 401
    assert prod_client.get("/api/v1/clinical-services").status_code == 401


def test_a_callback_with_another_state_or_from_another_browser_is_refused(prod_client, provider) -> None:
    provider.user = PROVIDER_USER
    start = prod_client.get("/sign-in", follow_redirects=False)
    approved = httpx2.get(start.headers["location"], follow_redirects=False).headers["location"]
    forged = approved.replace("state=", "state=x")
    assert prod_client.get(forged, follow_redirects=False).status_code == 401
    from fastapi.testclient import TestClient

    with TestClient(prod_client.app, base_url="https://dst.test") as stranger:
        assert stranger.get(approved, follow_redirects=False).status_code == 401
    assert prod_client.get("/api/v1/clinical-services").status_code == 401


def test_demo_sign_in_is_refused_in_production(prod_client) -> None:
    assert prod_client.get("/dev/sign-in?role=admin&next=/").status_code == 404
    assert prod_client.get("/api/v1/demo/patients").status_code == 404


def test_sign_in_without_a_configured_provider_says_so(database_url) -> None:
    from fastapi.testclient import TestClient

    from dst.main import create_app

    from sso import prod_settings

    with TestClient(create_app(prod_settings(database_url)), base_url="https://dst.test") as client:
        answer = client.get("/sign-in")
    assert answer.status_code == 503
    assert "DST_OIDC_ISSUER" in answer.text


def test_role_mapping_defaults_to_dst_role_names_and_never_grants_the_service_role(database_url) -> None:
    settings = settings_for(database_url)
    assert role_from_claims({"dst_roles": ["scheduler"]}, settings) == "scheduler"
    assert role_from_claims({"dst_roles": "service"}, settings) is None
    assert role_from_claims({"dst_roles": 7}, settings) is None
    with pytest.raises(ValueError, match="unknown role"):
        settings_for(database_url, oidc_role_map={"X": "service"})


def test_sign_in_when_the_identity_provider_is_unreachable_says_single_sign_on_did_not_answer(
    database_url,
) -> None:
    from fastapi.testclient import TestClient

    from dst.main import create_app

    from live_server import free_port
    from oidc_provider import CLIENT_ID, CLIENT_SECRET
    from sso import prod_settings

    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there any more
    settings = prod_settings(
        database_url,
        oidc_issuer=closed,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=SecretStr(CLIENT_SECRET),
    )
    with TestClient(create_app(settings), base_url="https://dst.test") as client:
        answer = client.get("/sign-in", follow_redirects=False)
    assert answer.status_code == 503, answer.text
    assert "single sign-on" in answer.text


def test_a_callback_when_the_identity_provider_stops_answering_is_refused_and_audited(database_url) -> None:
    from fastapi.testclient import TestClient

    from dst.main import create_app

    from live_server import serve
    from oidc_provider import CLIENT_ID, CLIENT_SECRET, create_provider
    from sso import prod_settings

    state = ProviderState()
    state.user = PROVIDER_USER
    with ExitStack() as running_provider:
        state.issuer = running_provider.enter_context(serve(create_provider(state)))
        settings = prod_settings(
            database_url,
            oidc_issuer=state.issuer,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=SecretStr(CLIENT_SECRET),
        )
        with TestClient(create_app(settings), base_url="https://dst.test") as client:
            start = client.get("/sign-in", follow_redirects=False)
            approved = httpx2.get(start.headers["location"], follow_redirects=False).headers["location"]
            running_provider.close()  # the provider is gone before DST trades the code for tokens
            answer = client.get(approved, follow_redirects=False)
    assert answer.status_code == 401, answer.text
    assert "Sign-in did not complete" in answer.text
    assert [(r.outcome, r.detail["reason"]) for r in audit_rows(database_url, "sign-in")] == [
        ("refused", "ConnectError")
    ]
