"""Engine and session factory built from DST_DATABASE_URL; one place knows SQLite's quirks."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("dst.db")
T = TypeVar("T")


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def build_engine(url: str) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No pre-ping: it costs a round trip on every checkout. A connection the server dropped fails
    # its one request (SQLAlchemy then discards the whole pool); recycling keeps them from going
    # stale behind firewalls that forget idle connections.
    return create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy own transactions; WAL lets readers go on while one writer commits.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


READ_ONLY = "dst_read_only"
_READ_ONLY_SQLITE = {READ_ONLY: True}
_READ_ONLY_POSTGRES = {READ_ONLY: True, "isolation_level": "AUTOCOMMIT"}
_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


def _read_only_options(session: Session) -> dict[str, Any]:
    bind = session.get_bind()
    return _READ_ONLY_POSTGRES if bind.dialect.name == "postgresql" else _READ_ONLY_SQLITE


def dialect_insert(session: Session, target: Any) -> postgresql.Insert | sqlite.Insert:
    """INSERT into `target` in the session's dialect, for its ON CONFLICT clauses (both databases
    spell them alike; the generic insert has none)."""
    return insert_for(session.get_bind().dialect.name == "postgresql", target)


def insert_for(postgres: bool, target: Any) -> postgresql.Insert | sqlite.Insert:
    """`dialect_insert` for a statement built once per database rather than per session."""
    return postgresql.insert(target) if postgres else sqlite.insert(target)


def uses_postgresql(factory: sessionmaker[Session]) -> bool:
    bind = factory.kw.get("bind")
    return bind is not None and bind.dialect.name == "postgresql"


def _sqlite_begin(conn: Any) -> None:
    # BEGIN IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking;
    # a read-only unit of work begins deferred and, in WAL mode, never waits for the writer.
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def build_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def transaction(
    factory: sessionmaker[Session], *, read_only: bool = False, autocommit: bool = False
) -> Iterator[Session]:
    """The unit of work: commit on success, roll back on any error. Services never commit.

    `read_only` work must not write; on SQLite it then reads beside the one writer instead of
    queueing for the write lock. On PostgreSQL it runs in autocommit: each statement is its own
    transaction, which at the default READ COMMITTED level reads just what it would have read inside
    one (every statement takes a fresh snapshot there), without the BEGIN and the COMMIT that would
    each cost a round trip to the server.

    `autocommit` (PostgreSQL only) commits each statement as it runs: for statements that need no
    transaction around them (`GroupCommit.alone`).
    """
    session = factory()
    try:
        # Inside the try: a failed BEGIN must still close the session and its connection.
        if autocommit:
            session.connection(execution_options=_AUTOCOMMIT)
        elif read_only:
            session.connection(execution_options=_read_only_options(session))
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# PostgreSQL gives up one of two transactions that wait for each other (deadlock) or that cannot be
# serialised; run again, that transaction goes through. Nothing of it was committed.
RETRY_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 3


def retried(run: Callable[[], T]) -> T:
    """`run()` (a whole transaction), once more when the database gave it up for another's sake."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return run()
        except OperationalError as error:
            if attempt == ATTEMPTS or getattr(error.orig, "sqlstate", None) not in RETRY_SQLSTATES:
                raise
            log.info("transaction retried after %s", getattr(error.orig, "sqlstate", "?"))
            time.sleep(random.uniform(0.005, 0.03) * attempt)  # noqa: S311 - jitter, not a secret
    raise AssertionError("unreachable")


@contextmanager
def short_lived_sessions(url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on an engine of their own for one command or job run, disposed when it ends, so no
    pooled connection outlives the work."""
    engine = build_engine(url)
    try:
        yield build_session_factory(engine)
    finally:
        engine.dispose()


@contextmanager
def one_transaction(url: str) -> Iterator[Session]:
    """One unit of work on a short-lived engine (a `dst` command's whole database work)."""
    with short_lived_sessions(url) as sessions, transaction(sessions) as session:
        yield session
