"""Read-only units of work: no transaction of their own on PostgreSQL, and nothing of it left behind."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, sessionmaker

from dst.audit.models import AuditEvent
from dst.db.base import utcnow
from dst.db.engine import transaction


def statements(sessions: sessionmaker[Session]) -> list[str]:
    seen: list[str] = []
    engine = sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2].split()[0].upper()))
    event.listen(engine, "commit", lambda *_: seen.append("COMMIT"))
    return seen


def test_a_read_only_unit_reads_without_begin_or_commit_on_postgresql(
    db_sessions: sessionmaker[Session],
) -> None:
    seen = statements(db_sessions)
    with transaction(db_sessions, read_only=True) as session:
        assert session.execute(text("SELECT 1")).scalar() == 1
        driver = session.connection().connection.driver_connection
        in_autocommit = getattr(driver, "autocommit", None)
    if db_sessions.kw["bind"].dialect.name == "postgresql":
        assert in_autocommit is True  # psycopg sends no BEGIN, and the COMMIT is not sent either
    else:
        assert seen[0] == "BEGIN"  # SQLite: a deferred BEGIN beside the writer, not BEGIN IMMEDIATE
    assert "SELECT" in seen


def test_the_next_unit_on_the_same_connection_is_a_real_transaction_again(
    db_sessions: sessionmaker[Session],
) -> None:
    with transaction(db_sessions, read_only=True) as session:
        session.execute(select(AuditEvent.id).limit(1)).all()

    class Refused(Exception):
        pass

    marker = "read-only-unit-test"
    with pytest.raises(Refused), transaction(db_sessions) as session:
        driver = session.connection().connection.driver_connection
        assert getattr(driver, "autocommit", False) is False
        session.add(AuditEvent(at=utcnow(), actor=marker, role="test", action="probe", outcome="ok"))
        session.flush()
        raise Refused
    with transaction(db_sessions, read_only=True) as session:
        # Rolled back with its unit: had the connection stayed in autocommit, the row would be there.
        assert session.scalar(select(AuditEvent.id).where(AuditEvent.actor == marker)) is None
