"""One call per partner per record across DST's processes: answers shared through the database.

A page view's panel requests can reach different worker processes (and, on Kubernetes, different
replicas). Each partner call for a record is claimed in table `partner_call` first: the process
whose claim succeeds calls the partner and stores the answer (or the named failure); a process that
finds a claim pending waits for the answer instead of calling the partner itself. On PostgreSQL a
waiter marks the row it waits for (`waited`, in the same statement that reads it), and the owner's
answer notifies the waiters (LISTEN/NOTIFY) only when a mark is there: the row lock orders the two
statements, so either the waiter reads the answer or the owner sees the mark. A record viewed in
one process, the usual case, costs no notices. On SQLite, where every process is on one
machine, one poller per process looks every POLL_S for all of that process's waiters at once (one
query and one thread hop per look, however many calls are awaited).

A claim whose owner died (its process was killed) expires after the partner timeout and is taken
over. Answers live as long as the in-process panel cache (a page view); failures a few seconds, so
a reload asks again. Stored answers hold the partner's data about a Veteran for those minutes only:
expired rows are deleted as new claims are made.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from pydantic import TypeAdapter
from sqlalchemy import Delete, Executable, Table, Update, bindparam, delete, func, or_, select, tuple_, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from dst.consults.models import PartnerCall
from dst.db.base import utcnow
from dst.db.engine import insert_for, normalize_url, transaction
from dst.db.group_commit import GroupCommit
from dst.db.threads import run_db
from dst.partners.errors import FailureKind, Partner, PartnerError

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANNEL = "dst_partner_call"
ANSWER_TTL_S = 120.0
FAILURE_TTL_S = 5.0
POLL_S = 0.02
PEEK_BATCH = 400  # calls per poll statement (two parameters each, well under SQLite's limit)
CLEANUP_EVERY = 200  # claims between deletions of expired rows
MAX_AHEAD = 10_000
# Core statements on the table: the ORM's bulk paths cost more than these one-row statements.
_CALLS = cast(Table, PartnerCall.__table__)
_C = _CALLS.c


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


class SharedCalls:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        database_url: str,
        *,
        enabled: bool,
        claim_ttl_s: float,
        commits: GroupCommit,
    ) -> None:
        self.sessions = sessions
        self.enabled = enabled
        self.claim_ttl_s = claim_ttl_s
        self.commits = commits
        self.owner = process_name()
        url = make_url(normalize_url(database_url))
        self.postgres = url.get_backend_name() == "postgresql"
        self._statements = _Statements(self.postgres)
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}
        # Without a listener (SQLite): who waits for which call, and the task that looks for them.
        self._looking: dict[tuple[str, str], list[asyncio.Future[tuple[str, str | None]]]] = {}
        self._poller: asyncio.Task[None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._claims = 0
        # Claims made ahead of their call (claim_ahead), with when: one not used in time lapses.
        self._claimed: dict[str, float] = {}

    # --- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen for answers other processes store (PostgreSQL); nothing to do on SQLite."""
        if not (self.enabled and self.postgres):
            return
        ready = asyncio.get_running_loop().create_future()
        self._listener = asyncio.create_task(self._listen(ready))
        await ready

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None

    async def _listen(self, ready: asyncio.Future[None]) -> None:
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    if not ready.done():
                        ready.set_result(None)
                    async for note in conn.notifies():
                        self._wake(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database restarting: waiters fall back to looking again
                log.warning("partner-call listener reconnecting: %s", type(error).__name__)
                if not ready.done():
                    ready.set_result(None)
                self._wake_all()
                await asyncio.sleep(1.0)

    def _wake(self, key: str) -> None:
        for waiter in self._waiters.pop(key, []):
            if not waiter.done():
                waiter.set_result(None)

    def _wake_all(self) -> None:
        for key in list(self._waiters):
            self._wake(key)

    # --- the call ---------------------------------------------------------------------------------

    async def call(
        self, dst_id: str, call_key: str, compute: Callable[[], Awaitable[T]], adapter: TypeAdapter[T]
    ) -> T:
        if not self.enabled:
            return await compute()
        claimed_at = self._claimed.pop(f"{dst_id}|{call_key}", None)
        if claimed_at is not None and time.monotonic() - claimed_at < self.claim_ttl_s:
            return await self._own(dst_id, call_key, compute, adapter)
        # Usually another process claimed it when the record was opened: look first (a read), and
        # claim only a call nobody holds.
        payload = await self._wait(dst_id, call_key)
        if payload is None:  # nobody held it, or its owner is gone: the claim is ours now
            return await self._own(dst_id, call_key, compute, adapter)
        return _decode(payload, adapter)

    def claim_ahead(self, session: Session, dst_id: str, call_keys: list[str]) -> None:
        """Claim a record's partner calls inside the transaction that opens it, so no second
        transaction is needed when they start; a claim another process holds is left to it."""
        if not self.enabled:
            return
        if not call_keys:
            return
        expires = utcnow() + timedelta(seconds=self.claim_ttl_s)
        rows = [
            {"dst_id": dst_id, "call_key": k, "owner": self.owner, "state": "pending", "expires_at": expires}
            for k in call_keys
        ]
        # Every key in one batch (SQLAlchemy sends the rows as one multi-row INSERT); RETURNING names
        # the claims that were ours to make.
        now = time.monotonic()
        for (call_key,) in session.connection().execute(self._statements.claim_ahead, rows):
            self._claimed[f"{dst_id}|{call_key}"] = now
        if len(self._claimed) > MAX_AHEAD:
            lapsed = time.monotonic() - self.claim_ttl_s
            self._claimed = {k: t for k, t in self._claimed.items() if t > lapsed}

    async def _own(
        self, dst_id: str, call_key: str, compute: Callable[[], Awaitable[T]], adapter: TypeAdapter[T]
    ) -> T:
        try:
            value = await compute()
        except PartnerError as failure:
            await self._store(dst_id, call_key, FAILED + _encode_failure(failure), FAILURE_TTL_S)
            raise
        except BaseException:
            # Our own fault or a cancellation says nothing about the partner: let others ask.
            await asyncio.shield(self._release(dst_id, call_key))
            raise
        await self._store(dst_id, call_key, ANSWERED + adapter.dump_json(value).decode(), ANSWER_TTL_S)
        return value

    async def _wait(self, dst_id: str, call_key: str) -> str | None:
        """The answer once the owner stores it; None when nobody held the call, or the owner's claim
        expired, and we took it."""
        key = f"{dst_id}|{call_key}"
        deadline = asyncio.get_running_loop().time() + self.claim_ttl_s + 1.0
        while True:
            waiter: asyncio.Future[None] | None = None
            if self._listener is not None:
                waiter = asyncio.get_running_loop().create_future()
                self._waiters.setdefault(key, []).append(waiter)
            try:
                state, payload = await self._settle(dst_id, call_key, deadline, marking=waiter is not None)
                if state == "done":
                    return payload
                if state == "mine":
                    return None
                if state == "again":
                    continue
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    raise PartnerError(
                        _partner_of(call_key),
                        FailureKind.TIMEOUT,
                        "another DST process did not share its answer",
                    )
                if waiter is not None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(waiter, timeout=min(remaining, self.claim_ttl_s))
            finally:
                if waiter is not None:
                    self._forget(key, waiter)

    async def _settle(
        self, dst_id: str, call_key: str, deadline: float, *, marking: bool
    ) -> tuple[str, str | None]:
        """("done", payload), ("mine", None) when the call is ours to make, ("pending", None) to wait
        on, or ("again", None) to look again at once."""
        if marking:
            state, payload = await run_db(self._mark_waiting, dst_id, call_key)
        else:
            state, payload = await self._look(dst_id, call_key, deadline)
        if state != "free":
            return state, payload
        # Expired or gone: claim it (another waiter may beat us to it).
        state, payload = await run_db(self._claim, dst_id, call_key)
        if state == "pending" and marking:
            # Pending under a claim that was not there to mark (its opening transaction had not
            # committed): mark it now, or no notice would follow its answer.
            return "again", None
        return state, payload

    def _forget(self, key: str, waiter: asyncio.Future[None]) -> None:
        """A waiter done with (answered, woken or gone): no notice need find it any more."""
        waiting = self._waiters.get(key)
        if waiting is not None and waiter in waiting:
            waiting.remove(waiter)
            if not waiting:
                del self._waiters[key]

    async def _look(self, dst_id: str, call_key: str, deadline: float) -> tuple[str, str | None]:
        """The call's state once it is no longer pending ("done" or "free"), or "pending" at the
        deadline: from the process's one poller, which reads every awaited call in one query."""
        loop = asyncio.get_running_loop()
        found: asyncio.Future[tuple[str, str | None]] = loop.create_future()
        self._looking.setdefault((dst_id, call_key), []).append(found)
        if self._poller is None or self._poller.done() or self._poller.get_loop() is not loop:
            self._poller = loop.create_task(self._poll())
        try:
            return await asyncio.wait_for(asyncio.shield(found), timeout=max(0.0, deadline - loop.time()))
        except TimeoutError:
            return "pending", None
        finally:
            waiting = self._looking.get((dst_id, call_key))
            if waiting is not None and found in waiting:
                waiting.remove(found)
                if not waiting:
                    del self._looking[(dst_id, call_key)]

    async def _poll(self) -> None:
        while self._looking:
            keys = list(self._looking)
            try:
                states = await run_db(self._peek_many, keys)
            except Exception as error:  # the database busy or restarting: look again next time
                log.warning("partner-call poll failed: %s", type(error).__name__)
                states = {}
            for key, state in states.items():
                if state[0] == "pending":
                    continue
                for found in self._looking.pop(key, []):
                    if not found.done():
                        found.set_result(state)
            if self._looking:
                await asyncio.sleep(POLL_S)

    # --- database work (worker threads) -----------------------------------------------------------

    def _peek_many(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str | None]]:
        """Each call's ("done", payload), ("pending", None) or ("free", None), in one read."""
        now = utcnow()
        states: dict[tuple[str, str], tuple[str, str | None]] = dict.fromkeys(keys, ("free", None))
        with transaction(self.sessions, read_only=True) as session:
            rows = [
                row
                for start in range(0, len(keys), PEEK_BATCH)
                for row in session.connection().execute(
                    _PEEK_MANY, {"keys": keys[start : start + PEEK_BATCH]}
                )
            ]
            for row in rows:
                if row.expires_at < now or _lost(row, self.owner):
                    continue
                done = row.state == "done"
                states[(row.dst_id, row.call_key)] = ("done", row.payload) if done else ("pending", None)
        return states

    def _mark_waiting(self, dst_id: str, call_key: str) -> tuple[str, str | None]:
        """("done", payload), ("pending", None) or ("free", None), read in the statement that marks
        the row as waited for (PostgreSQL, autocommit): an owner storing its answer after this
        statement sees the mark and announces the answer; one that stored it before is read here."""
        with transaction(self.sessions, autocommit=True) as session:
            found = session.connection().execute(_MARK, {"b_dst_id": dst_id, "b_call_key": call_key}).first()
        if found is None or found.expires_at < utcnow() or _lost(found, self.owner):
            return "free", None
        return ("done", found.payload) if found.state == "done" else ("pending", None)

    def _claim(self, dst_id: str, call_key: str) -> tuple[str, str | None]:
        """("mine", None), ("pending", None) or ("done", payload)."""
        now = utcnow()
        self._claims += 1
        with transaction(self.sessions) as session:
            connection = session.connection()
            if self._claims % CLEANUP_EVERY == 0:
                connection.execute(_EXPIRED, {"before": now - timedelta(minutes=5)})
            expires = now + timedelta(seconds=self.claim_ttl_s)
            row = {
                "dst_id": dst_id,
                "call_key": call_key,
                "owner": self.owner,
                "state": "pending",
                "payload": None,
                "expires_at": expires,
            }
            if connection.execute(self._statements.claim, row).rowcount == 1:
                return "mine", None
            # An expired claim is taken over; so is one of our own: inside a process the panel cache
            # already shares a call, so asking again means our earlier call was lost (a process
            # never waits for itself).
            key = {"b_dst_id": dst_id, "b_call_key": call_key}
            taken = connection.execute(
                _TAKE_OVER, {**key, "b_now": now, "b_owner": self.owner, "b_expires": expires}
            )
            if taken.rowcount == 1:
                return "mine", None
            found = connection.execute(_STATE, key).first()
        if found is None:  # deleted between our statements: ask again
            return self._claim(dst_id, call_key)
        return ("done", found.payload) if found.state == "done" else ("pending", None)

    async def _store(self, dst_id: str, call_key: str, payload: str, ttl_s: float) -> None:
        expires = utcnow() + timedelta(seconds=ttl_s)
        values = {"b_payload": payload, "b_expires": expires}
        await self._change_and_announce(self._statements.store, dst_id, call_key, values)

    async def _release(self, dst_id: str, call_key: str) -> None:
        # A waiter is told at once that the call is free to take, not at its claim's expiry.
        await self._change_and_announce(self._statements.release, dst_id, call_key, {"b_owner": self.owner})

    async def _change_and_announce(
        self, statement: Executable, dst_id: str, call_key: str, values: dict[str, Any]
    ) -> None:
        """One statement changing the call's row; on PostgreSQL, in the same statement, a notice to
        the processes waiting for it when one marked the row (it goes out on commit)."""
        key = f"{dst_id}|{call_key}"
        parameters = {"b_dst_id": dst_id, "b_call_key": call_key, "b_notice": key, **values}

        def write(session: Session) -> None:
            session.connection().execute(statement, parameters)

        await self.commits.alone(write)

    def forget_failure(self, session: Session, dst_id: str, partner: Partner) -> None:
        """A Retry: the partner's stored failure for this record goes, so the next ask calls it;
        answers it gave stay shared (called inside the retry's transaction)."""
        if not self.enabled:
            return
        session.connection().execute(
            delete(_CALLS).where(
                _C.dst_id == dst_id,
                or_(_C.call_key == partner.value, _C.call_key.startswith(f"{partner.value}:")),
                _C.state == "done",
                _C.payload.startswith(FAILED),
            )
        )

    def forget(self, session: Session, dst_id: str) -> None:
        """A reopened record asks its partners again (called inside the reopen's transaction)."""
        if self.enabled:
            session.connection().execute(delete(_CALLS).where(_C.dst_id == dst_id))


# The statements, built once (their compiled forms are cached): each call costs its parameters only.
# Names of bound values start with b_ where a column of that name is set in the same statement.
_KEY = (_C.dst_id == bindparam("b_dst_id"), _C.call_key == bindparam("b_call_key"))
_PEEK_MANY = select(_C.dst_id, _C.call_key, _C.state, _C.payload, _C.expires_at, _C.owner).where(
    tuple_(_C.dst_id, _C.call_key).in_(bindparam("keys", expanding=True))
)
_MARK = (
    update(_CALLS).where(*_KEY).values(waited=True).returning(_C.state, _C.payload, _C.expires_at, _C.owner)
)
_EXPIRED = delete(_CALLS).where(_C.expires_at < bindparam("before"))
_TAKE_OVER = (
    update(_CALLS)
    .where(
        *_KEY,
        or_(_C.expires_at < bindparam("b_now"), _C.owner == bindparam("b_owner")),
        or_(_C.state == "pending", _C.expires_at < bindparam("b_now")),
    )
    .values(owner=bindparam("b_owner"), state="pending", payload=None, expires_at=bindparam("b_expires"))
)
_STATE = select(_C.state, _C.payload).where(*_KEY)
_STORE = (
    update(_CALLS)
    .where(*_KEY)
    .values(state="done", payload=bindparam("b_payload"), expires_at=bindparam("b_expires"))
)
_RELEASE = delete(_CALLS).where(*_KEY, _C.owner == bindparam("b_owner"), _C.state == "pending")


def _announced(change: Update | Delete) -> Executable:
    """PostgreSQL: `change`, and a notice of the changed call when a waiter marked its row."""
    changed = change.returning(_C.waited).cte("changed")
    return select(func.pg_notify(CHANNEL, bindparam("b_notice"))).select_from(changed).where(changed.c.waited)


class _Statements:
    """The statements whose form depends on the database: ON CONFLICT clauses, notices."""

    def __init__(self, postgres: bool) -> None:
        insert = insert_for(postgres, _CALLS)
        self.claim_ahead = insert.on_conflict_do_nothing().returning(_C.call_key)
        self.claim = insert.on_conflict_do_nothing()
        self.store: Executable = _announced(_STORE) if postgres else _STORE
        self.release: Executable = _announced(_RELEASE) if postgres else _RELEASE


def _lost(row: Any, owner: str) -> bool:
    """A pending claim of this very process that nobody in it is calling: inside a process the panel
    cache shares a call, so being asked again means the earlier call was lost (a process never
    waits for itself); it is taken over like an expired one."""
    return bool(row.state == "pending" and row.owner == owner)


def _partner_of(call_key: str) -> Partner:
    return Partner(call_key.split(":", 1)[0])


ANSWERED, FAILED = "A", "F"  # the first character of a stored payload


def _encode_failure(failure: PartnerError) -> str:
    return json.dumps(
        {
            "failure": {
                "partner": failure.partner.value,
                "kind": failure.kind.value,
                "message": failure.message,
            }
        }
    )


def _decode(payload: str, adapter: TypeAdapter[T]) -> T:
    if payload.startswith(FAILED):
        failure: dict[str, Any] = json.loads(payload[1:])["failure"]
        raise PartnerError(Partner(failure["partner"]), FailureKind(failure["kind"]), failure["message"])
    return adapter.validate_json(payload[1:])
