"""Audited reads share commits: a read's audit row is committed (grouped with other requests' rows)
before the read's answer leaves, so an answer a clinician received always has its row, even if the
process is killed right after.

Changes are not batched: a decision and its audit row commit together in the change's own
transaction (`record_event`).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session, sessionmaker

from dst.audit.models import AuditEvent
from dst.audit.service import event_row
from dst.auth import Principal
from dst.db.group_commit import GroupCommit


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
        await self.commits.write(lambda session: _insert(session, row))


_INSERT = insert(cast(Table, AuditEvent.__table__))


def _insert(session: Session, row: dict[str, Any]) -> None:
    # A Core insert on the session's connection: the ORM's bulk-insert path costs more than the row.
    session.connection().execute(_INSERT, row)
