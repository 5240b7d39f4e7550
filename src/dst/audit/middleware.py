"""Audit refused access to a Veteran's record: a 401 or 403 on a route that names a DST ID."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dst.audit.service import record_unidentified
from dst.consults.models import DstRecord
from dst.db.engine import transaction
from dst.db.offload import run_to_completion

log = logging.getLogger("dst.audit")
REFUSED = frozenset({401, 403})


class DeniedAccessAuditMiddleware:
    """Sits inside the session middleware so it can name who was refused; the route's own error stands."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        dst_id = (scope.get("path_params") or {}).get("dst_id")
        if status and status[0] in REFUSED and isinstance(dst_id, str):
            await run_to_completion(_record, scope, dst_id, status[0])


def _who(scope: Scope) -> tuple[str, str]:
    user = (scope.get("session") or {}).get("user") or {}
    if user:
        return str(user.get("id", "unknown")), str(user.get("role", "none"))
    has_bearer = any(k == b"authorization" for k, _ in scope.get("headers", []))
    return ("bearer-token-refused" if has_bearer else "anonymous"), "none"


def _record(scope: Scope, dst_id: str, status: int) -> None:
    actor, role = _who(scope)
    route: Any = scope.get("route")
    client = scope.get("client")
    try:
        with transaction(scope["app"].state.sessions) as session:
            row = session.execute(
                select(DstRecord.icn, DstRecord.station).where(DstRecord.dst_id == dst_id[:32])
            ).first()
            record_unidentified(
                session,
                action="access-denied",
                source_ip=client[0] if client else None,
                outcome="forbidden" if status == 403 else "unauthenticated",
                actor=actor,
                role=role,
                dst_id=dst_id[:32],
                icn=row[0] if row else None,
                station=row[1] if row else None,
                detail={"method": scope["method"], "route": getattr(route, "path", None), "status": status},
            )
    except Exception as exc:  # the refusal already went out; a failed audit write must not hide it
        log.error("could not audit a refused access: %s", type(exc).__name__)
