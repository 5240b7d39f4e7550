"""Server-side sessions: the cookie carries only a random id; what the session holds stays in the database.

So signing out ends the session everywhere (a copied cookie stops working), a session left idle ends
after DST_SESSION_IDLE_MINUTES, and nothing about the user or the Veteran (the viewer's ICN and EDIPI)
ever travels in the cookie. The table keeps an HMAC-SHA256 of the id, so a copy of the database names no
live cookie; the hash is keyed with DST_SECRET_KEY, so a cookie is a session only where that key is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any

from sqlalchemy import JSON, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dst.db.base import Base, UtcDateTime, utcnow
from dst.db.engine import transaction
from dst.db.threads import run_db

log = logging.getLogger("dst.web")

COOKIE = "dst_session"
# The idle clock is written at most this often, so ordinary reads cost one indexed lookup and no write.
TOUCH_EVERY = timedelta(seconds=60)
ID_BYTES = 32


class WebSession(Base):
    __tablename__ = "web_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The earlier of the idle deadline (seen_at + idle timeout) and the absolute one (created + lifetime).
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


def _cookie_value(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header means no session, never an error
                return None
            morsel = jar.get(COOKIE)
            if morsel is not None and 20 <= len(morsel.value) <= 128 and morsel.value.isascii():
                return morsel.value
    return None


class SessionStore:
    """Load, save and end sessions; every call is one short transaction of its own."""

    def __init__(
        self, sessions: sessionmaker[Session], *, key: str, idle: timedelta, lifetime: timedelta
    ) -> None:
        self.sessions = sessions
        self._key = hashlib.sha256(b"dst-session-id:" + key.encode()).digest()
        self.idle = idle
        self.lifetime = lifetime

    def _hash(self, session_id: str) -> str:
        return hmac.new(self._key, session_id.encode("ascii", "replace"), hashlib.sha256).hexdigest()

    def load(self, session_id: str) -> tuple[dict[str, Any], datetime, datetime] | None:
        """The session's data, creation and last-seen times; None when unknown, ended or expired."""
        with transaction(self.sessions, read_only=True) as db:
            row = db.get(WebSession, self._hash(session_id))
            if row is None or row.expires_at <= utcnow():
                return None
            return dict(row.data or {}), row.created_at, row.seen_at

    def save(self, session_id: str, data: dict[str, Any], created_at: datetime | None) -> None:
        now = utcnow()
        created = created_at or now
        expires = min(now + self.idle, created + self.lifetime)
        with transaction(self.sessions) as db:
            row = db.get(WebSession, self._hash(session_id))
            if row is None:
                # New sessions are rare (sign-in, a launch): the moment to forget expired ones.
                db.execute(delete(WebSession).where(WebSession.expires_at <= now))
                db.add(
                    WebSession(
                        id_hash=self._hash(session_id),
                        data=data,
                        created_at=created,
                        seen_at=now,
                        expires_at=expires,
                    )
                )
            else:
                row.data = data
                row.seen_at = now
                row.expires_at = expires

    def end(self, session_id: str) -> None:
        with transaction(self.sessions) as db:
            db.execute(delete(WebSession).where(WebSession.id_hash == self._hash(session_id)))


def _identity(data: dict[str, Any]) -> tuple[Any, Any]:
    """Who the session is for: the signed-in user and the viewer session's own id."""
    viewer = data.get("dsv")
    return data.get("user"), viewer.get("sid") if isinstance(viewer, dict) else None


def _worth_keeping(data: dict[str, Any], *, csrf_alone: bool) -> bool:
    """Outside dev a CSRF token alone (every anonymous page draws one) is not stored: only real state
    is, so anonymous visitors add no rows. Dev keeps it for the CPRS simulator's anonymous forms."""
    return bool(data) and (csrf_alone or any(key != "csrf" for key in data))


def _snapshot(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, default=str)


class ServerSessionMiddleware:
    """Gives routes `request.session` as Starlette's SessionMiddleware does, backed by SessionStore.

    A new id is issued whenever the signed-in user changes (sign-in after an anonymous visit, another
    user, a new viewer session), so an id seen before sign-in never becomes a signed-in session. An
    emptied session
    (`request.session.clear()`, as on sign-out) is deleted and its cookie expired.
    """

    def __init__(
        self, app: ASGIApp, store: SessionStore, *, https_only: bool, keep_csrf_alone: bool = False
    ) -> None:
        self.app = app
        self.keep_csrf_alone = keep_csrf_alone
        self.store = store
        self.flags = "; path=/; httponly; samesite=lax" + ("; secure" if https_only else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session_id = _cookie_value(scope)
        loaded = await run_db(self.store.load, session_id) if session_id else None
        if loaded is None:
            before: dict[str, Any] = {}
            created_at: datetime | None = None
            seen_at: datetime | None = None
        else:
            before, created_at, seen_at = loaded
        # A deep copy: routes may change nested values in place, and those changes must be seen.
        scope["session"] = json.loads(json.dumps(before, default=str))

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start" and (session_id or scope.get("session")):
                # No cookie came and the request left the session empty (machine clients, anonymous
                # reads): nothing to store or expire, so no trip to a database thread.
                cookie = await run_db(self._settle, scope, session_id, before, created_at, seen_at)
                if cookie is not None:
                    MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_session)

    def _settle(
        self,
        scope: Scope,
        session_id: str | None,
        before: dict[str, Any],
        created_at: datetime | None,
        seen_at: datetime | None,
    ) -> str | None:
        """Persist what the request did to the session; the Set-Cookie header to send, if any."""
        after: dict[str, Any] = dict(scope.get("session") or {})
        known = created_at is not None
        try:
            if not _worth_keeping(after, csrf_alone=self.keep_csrf_alone):
                if known and session_id:
                    self.store.end(session_id)
                if session_id:  # an ended, expired or unknown cookie: tell the browser to drop it
                    return f"{COOKIE}=null; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=0{self.flags}"
                return None
            if not known or session_id is None or _identity(before) != _identity(after):
                if known and session_id:
                    self.store.end(session_id)
                fresh = secrets.token_urlsafe(ID_BYTES)
                self.store.save(fresh, after, None)
                max_age = int(self.store.lifetime.total_seconds())
                return f"{COOKIE}={fresh}; max-age={max_age}{self.flags}"
            if _snapshot(before) != _snapshot(after) or (
                seen_at is not None and utcnow() - seen_at >= TOUCH_EVERY
            ):
                self.store.save(session_id, after, created_at)
        except Exception as exc:  # the answer still goes out; the session change is lost, not the request
            log.error("could not save a session: %s", type(exc).__name__)
        return None
