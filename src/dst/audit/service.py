"""Write audit events inside the caller's transaction, so an audited change and its event commit together."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dst.audit.models import AuditEvent
from dst.auth import Principal


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
    session.add(
        AuditEvent(
            actor=principal.user_id,
            role=principal.role,
            action=action,
            dst_id=dst_id,
            icn=icn,
            station=station,
            source_ip=principal.source_ip,
            outcome=outcome,
            detail=detail or {},
        )
    )
