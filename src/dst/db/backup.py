"""Database snapshots for back-out: pg_dump/pg_restore on PostgreSQL, SQLite's online backup API otherwise."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from dst.db.engine import build_engine, normalize_url
from dst.db.migrate import current_revision

PG_ARCHIVE_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


class BackupError(Exception):
    """A snapshot could not be written or read back; the message says what to do."""


@dataclass(frozen=True)
class Snapshot:
    path: Path
    backend: str
    revision: str | None
    size_bytes: int


def backup(url: str, path: Path) -> Snapshot:
    """Write a consistent snapshot of the database at `url` to `path` (replaced only when complete)."""
    parsed = make_url(normalize_url(url))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if _is_sqlite(parsed):
            _sqlite_copy(Path(_sqlite_file(parsed)), partial)
        else:
            _run(_pg_tool("pg_dump"), ["--format=custom", "--no-owner", "--no-privileges"], parsed, partial)
            _run(_pg_tool("pg_restore"), ["--list"], None, partial)  # the archive reads back whole
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return Snapshot(path, parsed.get_backend_name(), _revision(url), path.stat().st_size)


def restore(url: str, path: Path) -> Snapshot:
    """Replace everything in the database at `url` with the snapshot at `path`."""
    parsed = make_url(normalize_url(url))
    if not path.is_file():
        raise BackupError(f"No snapshot at {path}.")
    with path.open("rb") as archive:
        head = archive.read(16)
    if _is_sqlite(parsed):
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{path} is not a SQLite snapshot (was it taken from PostgreSQL?).")
        _sqlite_copy(path, Path(_sqlite_file(parsed)))
    else:
        if not head.startswith(PG_ARCHIVE_MAGIC):
            raise BackupError(f"{path} is not a pg_dump custom-format archive (was it taken from SQLite?).")
        _empty_pg_schema(url)
        _run(
            _pg_tool("pg_restore"),
            ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"],
            parsed,
            path,
        )
    return Snapshot(path, parsed.get_backend_name(), _revision(url), path.stat().st_size)


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_file(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database has nothing on disk to back up or restore.")
    return url.database


def _sqlite_copy(source: Path, target: Path) -> None:
    """The backup API copies page by page under a read lock, so writers never leave a torn copy."""
    if not source.is_file():
        raise BackupError(f"No SQLite database at {source}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"The copy at {target} failed SQLite's integrity check.")


def _empty_pg_schema(url: str) -> None:
    """Drop the tables a newer release may have added, so the restored schema is the snapshot's alone."""
    engine = build_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _pg_tool(name: str) -> str:
    """PATH first, then the newest Debian cluster binaries (pg_dump must be at least the server's version)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/").glob(PG_BIN_GLOB.lstrip("/")), key=_major_version, reverse=True)
    for folder in candidates:
        if (folder / name).is_file():
            return str(folder / name)
    raise BackupError(f"{name} was not found on PATH or in {PG_BIN_GLOB}; install the PostgreSQL client.")


def _major_version(folder: Path) -> int:
    match = re.search(r"/(\d+)/bin$", str(folder))
    return int(match.group(1)) if match else 0


def _run(tool: str, options: list[str], url: URL | None, archive: Path) -> None:
    """Connection details go through libpq's environment, so the password never shows in `ps`."""
    env = dict(os.environ)
    args = [tool, *options]
    if url is not None:
        if url.password is not None:
            env["PGPASSWORD"] = str(url.password)
        libpq = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
        args.append(f"--dbname={libpq}")
    args.append(f"--file={archive}" if Path(tool).name == "pg_dump" else str(archive))
    completed = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        message = completed.stderr.strip().splitlines()
        raise BackupError(f"{Path(tool).name} failed: {message[-1] if message else 'no message'}")


def _revision(url: str) -> str | None:
    engine = build_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()
