"""Write audit events inside the caller's transaction, so an audited change and its event commit together.

Each event is one Core INSERT on the session's connection, run at once: the ORM's unit of work
(an object per event, flushed at commit) cost four times the statement, and an event is never
read back or changed in the transaction that writes it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, func, insert, select
from sqlalchemy.orm import Session

from dst.audit.models import AuditEvent
from dst.auth import Principal
from dst.db.base import utcnow


def event_row(
    *,
    principal: Principal,
    action: str,
    dst_id: str | None = None,
    icn: str | None = None,
    station: str | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An audit row's columns for what `principal` did, stamped now."""
    return {
        "at": utcnow(),
        "actor": principal.user_id,
        "role": str(principal.role),
        "action": action,
        "dst_id": dst_id,
        "icn": icn,
        "station": station,
        "source_ip": principal.source_ip,
        "outcome": outcome,
        "detail": detail or {},
    }


def record_event(
    session: Session,
    *,
    principal: Principal,
    action: str,
    dst_id: str | None = None,
    icn: str | None = None,
    station: str | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> None:
    row = event_row(
        principal=principal,
        action=action,
        dst_id=dst_id,
        icn=icn,
        station=station,
        outcome=outcome,
        detail=detail,
    )
    insert_event(session, row)


def record_unidentified(
    session: Session,
    *,
    action: str,
    source_ip: str | None,
    outcome: str,
    actor: str = "unknown",
    role: str = "none",
    dst_id: str | None = None,
    icn: str | None = None,
    station: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """An attempt DST refused (a failed sign-in, a denied record): the actor is as claimed, if at all."""
    insert_event(
        session,
        {
            "at": utcnow(),
            "actor": actor[:80] or "unknown",
            "role": role[:20],
            "action": action,
            "dst_id": dst_id,
            "icn": icn,
            "station": station,
            "source_ip": source_ip,
            "outcome": outcome,
            "detail": detail or {},
        },
    )


_INSERT = insert(cast(Table, AuditEvent.__table__))


def insert_event(session: Session, row: dict[str, Any]) -> None:
    """One audit row (`event_row`'s columns), written now in the session's transaction."""
    session.connection().execute(_INSERT, row)


@dataclass(frozen=True)
class AuditQuery:
    """An auditor's search: every filter optional; dates are inclusive calendar days in UTC."""

    actor: str | None = None
    dst_id: str | None = None
    icn: str | None = None
    station: str | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_params(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items() if v not in (None, "")}


def search_events(
    session: Session, query: AuditQuery, *, page: int, page_size: int
) -> tuple[list[AuditEvent], int]:
    """Newest first; the total lets the page show how many pages there are."""
    conditions: list[ColumnElement[bool]] = []
    for column, value in (
        (AuditEvent.actor, query.actor),
        (AuditEvent.dst_id, query.dst_id),
        (AuditEvent.icn, query.icn),
        (AuditEvent.station, query.station),
        (AuditEvent.action, query.action),
    ):
        if value:
            conditions.append(column == value)
    if query.date_from:
        conditions.append(AuditEvent.at >= datetime.combine(query.date_from, time.min, UTC))
    if query.date_to:
        conditions.append(AuditEvent.at < datetime.combine(query.date_to + timedelta(days=1), time.min, UTC))
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    rows = session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), total


def event_json(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "role": event.role,
        "action": event.action,
        "dstId": event.dst_id,
        "icn": event.icn,
        "station": event.station,
        "sourceIp": event.source_ip,
        "outcome": event.outcome,
        "detail": event.detail,
    }
