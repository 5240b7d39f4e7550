"""Audited reads share commits: a read's audit row is committed (grouped with other requests' rows)
before the read's answer leaves, so an answer a clinician received always has its row, even if the
process is killed right after.

A read whose answer depends only on what it reads can go with its audit row into the same shared
transaction (`read`): one thread hop and, under load, one commit for many requests.

Changes are not batched: a decision and its audit row commit together in the change's own
transaction (`record_event`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from dst.audit.service import event_row, insert_event
from dst.auth import Principal
from dst.db.group_commit import GroupCommit

T = TypeVar("T")


class AuditBatcher:
    def __init__(self, sessions: sessionmaker[Session], commits: GroupCommit | None = None) -> None:
        self.commits = commits or GroupCommit(sessions)

    async def record(
        self,
        *,
        principal: Principal,
        action: str,
        dst_id: str | None = None,
        icn: str | None = None,
        station: str | None = None,
        outcome: str = "ok",
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Return once the row is committed; raise what the commit raised if it failed."""
        row = event_row(
            principal=principal,
            action=action,
            dst_id=dst_id,
            icn=icn,
            station=station,
            outcome=outcome,
            detail=detail,
        )
        await self.commits.write(lambda session: insert_event(session, row))

    async def read(
        self,
        read: Callable[[Session], T | None],
        about: Callable[[T], tuple[str | None, str | None, str | None]],
        *,
        principal: Principal,
        action: str,
    ) -> T | None:
        """`read(session)` and its audit row in one shared transaction, returned once committed.

        `about(found)` names what was read (DST ID, ICN, station) for the row; a read that finds
        nothing (None) writes no row here (the not-found answer is audited on its way out).
        """

        def work(session: Session) -> T | None:
            found = read(session)
            if found is not None:
                dst_id, icn, station = about(found)
                row = event_row(principal=principal, action=action, dst_id=dst_id, icn=icn, station=station)
                insert_event(session, row)
            return found

        return await self.commits.run(work)

    async def read_with_row(
        self,
        read: Callable[[Session, dict[str, Any]], T | None],
        *,
        principal: Principal,
        action: str,
    ) -> T | None:
        """`read(session, row)`, which writes the audit row `row` itself in the one statement that
        reads (PostgreSQL; its other statements, if any, only read reference data), in the next
        shared transaction and returned once committed; queued by itself, it runs in autocommit
        (GroupCommit.alone). `row` leaves the DST ID, ICN and station for the statement to fill."""
        row = event_row(principal=principal, action=action)
        return await self.commits.run(lambda session: read(session, row), lone=True)
