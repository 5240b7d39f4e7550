"""Read-only units of work: no transaction of their own on PostgreSQL, and nothing of it left behind."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, sessionmaker

from dst.audit.models import AuditEvent
from dst.db.base import utcnow
from dst.db.engine import transaction

from harness import SERVICE, open_record_id


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


def test_a_panel_read_and_its_audit_row_are_one_statement_on_postgresql(client: Any) -> None:
    """PostgreSQL: the record's context and the read's audit row in one statement (by itself, in
    autocommit); SQLite: a read and an insert in the one transaction."""
    dst_id = open_record_id(client)
    client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE)  # the SEOC rows are held after this
    seen: list[str] = []
    engine = client.app.state.engine
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(" ".join(args[2].split())))
    answer = client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE)
    assert answer.status_code == 200
    about_the_read = [s for s in seen if "audit_event" in s or "FROM dst_record" in s]
    if engine.dialect.name == "postgresql":
        assert len(about_the_read) == 1
        assert about_the_read[0].startswith("WITH found AS (SELECT dst_record.id")
        assert "INSERT INTO audit_event" in about_the_read[0]
    else:
        assert [s.split()[0] for s in about_the_read] == ["SELECT", "INSERT"]
    with transaction(client.app.state.sessions, read_only=True) as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.icn, AuditEvent.station).where(AuditEvent.dst_id == dst_id)
        ).all()
    record = client.get(f"/api/v1/dst/{dst_id}", headers=SERVICE).json()
    reads = [(r.icn, r.station) for r in rows if r.action == "read-seocs"]
    assert reads == [(record["icn"], record["station"])] * 2


def test_a_panel_read_of_an_unknown_record_writes_no_read_row(client: Any) -> None:
    unknown = "NOSUCHRECORD0000000000000000"
    answer = client.get(f"/api/v1/dst/{unknown}/patient", headers=SERVICE)
    assert answer.status_code == 404
    with transaction(client.app.state.sessions, read_only=True) as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.dst_id == unknown)).all()
    assert "read-patient" not in actions


def test_a_dashboard_view_rolls_no_transaction_back_on_postgresql(client: Any) -> None:
    """psycopg forgets every statement it prepared on a connection when a ROLLBACK goes over it, so
    a read that ends in one makes the next views' statements be parsed and planned anew."""
    engine = client.app.state.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("the prepared statements are psycopg's, on PostgreSQL")
    open_record_id(client)  # warm: reference rows held, statements built
    rolled_back: list[str] = []

    def on_rollback(connection: Any) -> None:
        # Autocommit units end in a rollback call that sends nothing: only an open transaction counts.
        status = connection.connection.driver_connection.info.transaction_status
        if status.name != "IDLE":
            rolled_back.append(status.name)

    event.listen(engine, "rollback", on_rollback)
    try:
        dst_id = open_record_id(client)
        for panel in ("patient", "facilities", "community-providers", "eligibility", "seocs"):
            assert client.get(f"/api/v1/dst/{dst_id}/{panel}", headers=SERVICE).status_code == 200
    finally:
        event.remove(engine, "rollback", on_rollback)
    assert rolled_back == []
