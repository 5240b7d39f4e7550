"""Audit what a route naming a DST ID refused: access (401/403, `access-denied`), a lookup of a record
that does not exist (404, `record-not-found`) and a write it would not make (400/409/412/422/428 on
POST/PUT/PATCH/DELETE, `write-refused`). The route's own answer stands; these rows add who, which
record and why.

Refusals are bounded: within one minute, the same refusal (who, from where, which route and status;
for a signed-in user also which record) writes one row; repeats are counted in memory and written as
one summary row (`detail.repeats`, the first DST IDs tried) once that minute is over. So a stranger
guessing IDs writes two rows a minute, not one per guess. At most MAX_KEYS different refusals are
tracked a minute; beyond that every further one is folded into a single overflow summary.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dst.audit.service import record_unidentified
from dst.auth import CALLER_STATE
from dst.consults.models import DstRecord
from dst.db.engine import transaction
from dst.db.threads import run_db

log = logging.getLogger("dst.audit")
REFUSED = frozenset({401, 403})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRITE_REFUSALS = {
    400: "invalid",
    409: "conflict",
    412: "precondition-failed",
    422: "invalid",
    428: "precondition-required",
}
WINDOW_S = 60
MAX_KEYS = 1000
SAMPLE_IDS = 10
UNIDENTIFIED = frozenset({"anonymous", "bearer-token-refused"})


@dataclass(frozen=True)
class Refusal:
    actor: str
    role: str
    source_ip: str | None
    method: str
    route: str | None
    status: int
    dst_id: str | None  # only for an identified actor: whose refusal at which record matters


@dataclass
class Seen:
    window: int
    repeats: int = 0
    dst_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    refusal: Refusal
    dst_id: str | None
    detail: dict[str, Any]


class DenialWindow:
    """Which refusals this process already wrote in the current minute (used on the event loop only)."""

    def __init__(self) -> None:
        self.seen: dict[Refusal, Seen] = {}

    def note(self, refusal: Refusal, dst_id: str, now: float) -> list[Row]:
        window = int(now // WINDOW_S)
        rows = self._flush(window)
        if refusal not in self.seen and len(self.seen) >= MAX_KEYS:
            refusal = Refusal("overflow", "none", None, refusal.method, refusal.route, refusal.status, None)
        seen = self.seen.get(refusal)
        if seen is None:
            self.seen[refusal] = Seen(window)
            rows.append(Row(refusal, dst_id, {}))
        else:
            seen.repeats += 1
            if len(seen.dst_ids) < SAMPLE_IDS and dst_id not in seen.dst_ids:
                seen.dst_ids.append(dst_id)
        return rows

    def _flush(self, window: int) -> list[Row]:
        rows = []
        for refusal, seen in list(self.seen.items()):
            if seen.window < window:
                del self.seen[refusal]
                if seen.repeats:
                    started = datetime.fromtimestamp(seen.window * WINDOW_S, UTC).isoformat()
                    detail = {"repeats": seen.repeats, "windowStart": started, "dstIds": seen.dst_ids}
                    rows.append(Row(refusal, None, detail))
        return rows


class DeniedAccessAuditMiddleware:
    """Sits inside the session middleware so it can name who was refused; the route's own error stands."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.window = DenialWindow()

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
        if status and isinstance(dst_id, str) and audited(scope["method"], status[0]):
            actor, role = _who(scope)
            route: Any = scope.get("route")
            client = scope.get("client")
            refusal = Refusal(
                actor=actor,
                role=role,
                source_ip=client[0] if client else None,
                method=scope["method"],
                route=getattr(route, "path", None),
                status=status[0],
                # Only an identified actor's refusal at an existing record is told apart by record;
                # guesses (anonymous, or IDs that do not exist) fold into one row with sample IDs.
                dst_id=None if actor in UNIDENTIFIED or status[0] == 404 else dst_id[:32],
            )
            rows = self.window.note(refusal, dst_id[:32], time.time())
            if rows:
                await run_db(_record, scope, rows)


def audited(method: str, status: int) -> bool:
    return status in REFUSED or status == 404 or (method in WRITES and status in WRITE_REFUSALS)


def action_outcome(status: int) -> tuple[str, str]:
    if status == 401:
        return "access-denied", "unauthenticated"
    if status == 403:
        return "access-denied", "forbidden"
    if status == 404:
        return "record-not-found", "not-found"
    return "write-refused", WRITE_REFUSALS[status]


def _who(scope: Scope) -> tuple[str, str]:
    admitted = (scope.get("state") or {}).get(CALLER_STATE)
    if admitted is not None:  # authenticated, and the route refused something else
        return str(admitted.user_id), admitted.role.value
    user = (scope.get("session") or {}).get("user") or {}
    if user:
        return str(user.get("id", "unknown")), str(user.get("role", "none"))
    has_bearer = any(k == b"authorization" for k, _ in scope.get("headers", []))
    return ("bearer-token-refused" if has_bearer else "anonymous"), "none"


def _record(scope: Scope, rows: list[Row]) -> None:
    try:
        with transaction(scope["app"].state.sessions) as session:
            for row in rows:
                refusal = row.refusal
                found = None
                if row.dst_id is not None:
                    found = session.execute(
                        select(DstRecord.icn, DstRecord.station).where(DstRecord.dst_id == row.dst_id)
                    ).first()
                action, outcome = action_outcome(refusal.status)
                record_unidentified(
                    session,
                    action=action,
                    source_ip=refusal.source_ip,
                    outcome=outcome,
                    actor=refusal.actor,
                    role=refusal.role,
                    dst_id=row.dst_id,
                    icn=found[0] if found else None,
                    station=found[1] if found else None,
                    detail={
                        "method": refusal.method,
                        "route": refusal.route,
                        "status": refusal.status,
                        **row.detail,
                    },
                )
    except Exception as exc:  # the refusal already went out; a failed audit write must not hide it
        log.error("could not audit a refusal: %s", type(exc).__name__)
