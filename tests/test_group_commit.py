"""Group commit: acknowledged writes are committed; a lone statement by itself needs no transaction."""

from __future__ import annotations

import asyncio

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from dst.audit.models import AuditEvent
from dst.db.base import utcnow
from dst.db.group_commit import GroupCommit


def row(actor: str, autocommit: list[object] | None = None):  # type: ignore[no-untyped-def]
    def write(session: Session) -> None:
        if autocommit is not None:
            driver = session.connection().connection.driver_connection
            autocommit.append(getattr(driver, "autocommit", None))
        session.connection().execute(
            AuditEvent.__table__.insert().values(  # type: ignore[attr-defined]
                at=utcnow(), actor=actor, role="test", action="probe", outcome="ok", detail={}
            )
        )

    return write


def broken(session: Session) -> None:
    session.execute(text("INSERT INTO no_such_table VALUES (1)"))


def actors(sessions: sessionmaker[Session]) -> set[str]:
    with sessions() as session:
        return set(session.scalars(select(AuditEvent.actor).where(AuditEvent.actor.like("gc-%"))))


def test_a_lone_statement_by_itself_commits_in_autocommit_on_postgresql(
    db_sessions: sessionmaker[Session],
) -> None:
    commits = GroupCommit(db_sessions)
    seen: list[object] = []
    asyncio.run(commits.alone(row("gc-lone", seen)))
    assert actors(db_sessions) == {"gc-lone"}  # committed once answered
    if commits.postgres:
        assert seen == [True]  # no BEGIN, no COMMIT: the server committed the statement as it ran
    else:
        assert seen != [True]  # SQLite: inside the shared BEGIN IMMEDIATE transaction


def test_lone_statements_queued_with_other_writes_share_their_transaction(
    db_sessions: sessionmaker[Session],
) -> None:
    commits = GroupCommit(db_sessions)
    seen: list[object] = []

    async def queue_together() -> list[object]:
        return await asyncio.gather(
            commits.alone(row("gc-first", seen)),
            commits.write(row("gc-second", seen)),
            commits.alone(row("gc-third", seen)),
            return_exceptions=True,
        )

    assert asyncio.run(queue_together()) == [None, None, None]
    assert actors(db_sessions) == {"gc-first", "gc-second", "gc-third"}
    assert True not in seen  # one transaction, one commit for the three

    async def queue_with_a_failure() -> list[object]:
        return await asyncio.gather(
            commits.alone(row("gc-fourth")), commits.alone(broken), return_exceptions=True
        )

    fourth, failed = asyncio.run(queue_with_a_failure())
    # Sharing a transaction, they fail together: nothing answered was left uncommitted.
    assert isinstance(failed, DBAPIError) and isinstance(fourth, DBAPIError)
    assert "gc-fourth" not in actors(db_sessions)
