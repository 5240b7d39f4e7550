"""Sessions live on the server: sign-out ends them everywhere, idleness ends them, the cookie says nothing."""

from __future__ import annotations

import base64
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from dst.db.base import utcnow
from dst.main import create_app
from dst.web.sessions import WebSession

from harness import csrf_header, settings_for, sign_in


def signed_in(client: TestClient) -> bool:
    return client.get("/api/v1/clinical-services").status_code == 200


def test_a_cookie_copied_before_sign_out_no_longer_works_after_it(app) -> None:
    # One lifespan per app at a time: the thief's client runs an app of its own on the same database.
    with TestClient(app) as browser, TestClient(create_app(app.state.settings)) as thief:
        sign_in(browser, "provider")
        thief.cookies.set("dst_session", browser.cookies["dst_session"])
        assert signed_in(thief)
        token = csrf_header(browser)["X-CSRF-Token"]
        assert browser.post("/sign-out", data={"csrf": token}, follow_redirects=False).status_code == 303
        assert not signed_in(browser)
        assert not signed_in(thief)


def test_signing_in_issues_a_new_session_id(app) -> None:
    with TestClient(app) as browser:
        browser.get("/dev/sign-in?role=scheduler&next=/")
        first = browser.cookies["dst_session"]
        sign_in(browser, "provider")
        assert browser.cookies["dst_session"] != first
        with TestClient(create_app(app.state.settings)) as old:
            old.cookies.set("dst_session", first)
            assert not signed_in(old)


def test_an_idle_session_ends(database_url: str) -> None:
    app = create_app(settings_for(database_url, session_idle_minutes=5))
    with TestClient(app) as browser:
        sign_in(browser, "provider")
        assert signed_in(browser)
        engine = create_engine(database_url)
        with Session(engine) as db:
            db.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
            db.commit()
        engine.dispose()
        assert not signed_in(browser)


def test_the_idle_deadline_follows_the_setting_and_never_passes_the_lifetime(database_url: str) -> None:
    app = create_app(settings_for(database_url, session_idle_minutes=5, session_lifetime_hours=1))
    with TestClient(app) as browser:
        sign_in(browser, "provider")
    engine = create_engine(database_url)
    with Session(engine) as db:
        row = db.scalars(select(WebSession)).one()
        assert timedelta(minutes=4) < row.expires_at - row.seen_at <= timedelta(minutes=5)
        assert row.expires_at <= row.created_at + timedelta(hours=1)
    engine.dispose()


def test_anonymous_pages_store_no_session_in_production(prod_client) -> None:
    assert prod_client.get("/").status_code == 200
    assert "dst_session" not in prod_client.cookies  # a CSRF token alone is not worth a session row


def test_the_cookie_is_a_random_id(app, database_url: str) -> None:
    with TestClient(app) as browser:
        sign_in(browser, "provider")
        cookie = browser.cookies["dst_session"]
    decoded = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
    assert b"provider" not in decoded and b"demo" not in decoded
    assert "provider" not in cookie and "." not in cookie
    engine = create_engine(database_url)
    with Session(engine) as db:
        assert db.scalars(select(WebSession.id_hash)).all() != [cookie]  # only a keyed hash is kept
    engine.dispose()


def test_sign_out_is_audited(app, database_url: str) -> None:
    from dst.audit.models import AuditEvent

    with TestClient(app) as browser:
        sign_in(browser, "provider")
        token = csrf_header(browser)["X-CSRF-Token"]
        browser.post("/sign-out", data={"csrf": token}, follow_redirects=False)
    engine = create_engine(database_url)
    with Session(engine) as db:
        rows = db.scalars(select(AuditEvent).where(AuditEvent.action == "sign-out")).all()
        assert [(r.actor, r.role) for r in rows] == [("demo.provider", "provider")]
    engine.dispose()
