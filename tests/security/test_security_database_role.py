"""PostgreSQL: the app's role reads and writes DST's rows but cannot rewrite the audit trail, not even by
switching its guard off; `dst db upgrade` grants it just that."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import timedelta

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from dst.cli import app as cli
from dst.config import get_settings
from dst.consults.models import DstRecord
from dst.db.base import utcnow
from dst.db.engine import build_engine, build_session_factory, transaction
from dst.db.roles import RoleError, audit_guard_risk, grant_app_role
from dst.jobs.registry import job_spec
from dst.jobs.runner import run_spec
from dst.main import create_app

from factories import consult, key, ordinary, veteran
from harness import BACKEND, SERVICE, settings_for

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="database roles are PostgreSQL's")
_names = itertools.count()


def sessions_for(url: str) -> sessionmaker[Session]:
    """Without a pool: every connection closes with its session, so none outlives the test."""
    return build_session_factory(create_engine(url, poolclass=NullPool))


@pytest.fixture
def app_role(database_url: str) -> Iterator[tuple[str, str]]:
    """A login role with no rights yet, and the URL that connects as it (the test cluster trusts loopback)."""
    role = f"dst_app_{os.getpid()}_{next(_names)}"
    owner = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        yield role, make_url(database_url).set(username=role, password=None).render_as_string(False)
    finally:
        with owner.connect() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))  # its grants, in this database
            connection.execute(text(f'DROP ROLE "{role}"'))
        owner.dispose()


def refused(url: str, statement: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(statement))
    except DBAPIError as error:
        return "permission denied" in str(error) or "must be owner" in str(error)
    finally:
        engine.dispose()
    return False


def test_the_app_role_works_but_cannot_touch_the_audit_trail(database_url, app_role) -> None:
    role, app_url = app_role
    grant_app_role(database_url, role)

    with TestClient(create_app(settings_for(app_url))) as client:
        created = client.post("/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE)
        assert created.status_code == 201, created.text
        dst_id = created.json()["dstId"]
        body = {"veteranOption": "opt-out", "forward": False}
        saved = client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={**SERVICE, **key()})
        assert saved.status_code == 200, saved.text
        assert client.get(f"/vs/v2/consultFactor/{dst_id}").status_code == 200

    # The scheduled jobs run as the same role: the purge deletes the aged record and keeps the audit.
    with transaction(sessions_for(database_url)) as session:
        session.execute(update(DstRecord).values(updated_at=utcnow() - timedelta(days=45)))
    settings, sessions = settings_for(app_url), sessions_for(app_url)
    summary = anyio.run(lambda: run_spec(job_spec("purge"), settings=settings, sessions=sessions))
    assert summary.outcome in {"ok", "warnings"}, summary

    for statement in (
        "ALTER TABLE audit_event DISABLE TRIGGER ALL",
        "UPDATE audit_event SET actor = 'someone-else'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "DROP TABLE dst_record",
        "UPDATE alembic_version SET version_num = 'x'",
    ):
        assert refused(app_url, statement), statement

    owner_engine, app_engine = build_engine(database_url), build_engine(app_url)
    try:
        assert audit_guard_risk(owner_engine) == "the database role is a superuser"
        assert audit_guard_risk(app_engine) is None
    finally:
        owner_engine.dispose()
        app_engine.dispose()


def test_db_upgrade_grants_the_configured_role_and_names_a_missing_one(
    database_url, app_role, monkeypatch
) -> None:
    role, app_url = app_role
    monkeypatch.setenv("DST_DATABASE_URL", app_url)  # what the app uses; the migrations use the owner's
    monkeypatch.setenv("DST_MIGRATION_DATABASE_URL", database_url)
    monkeypatch.setenv("DST_DATABASE_APP_ROLE", role)
    get_settings.cache_clear()
    try:
        upgraded = CliRunner().invoke(cli, ["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        assert f"role {role} may read and write" in upgraded.output
        assert not refused(
            app_url,
            "INSERT INTO audit_event (at, actor, role, action, outcome, detail) "
            "VALUES (now(), 'a', 'provider', 'read-record', 'ok', '{}')",
        )
        monkeypatch.setenv("DST_DATABASE_APP_ROLE", "no_such_role")
        get_settings.cache_clear()
        missing = CliRunner().invoke(cli, ["db", "upgrade"])
        assert missing.exit_code == 1
        assert "no_such_role does not exist" in missing.output
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    with pytest.raises(RoleError, match="not a plain PostgreSQL role name"):
        grant_app_role(database_url, 'x"; DROP TABLE audit_event; --')
