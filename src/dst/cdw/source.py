"""Where the CDW source is (DST_CDW_URL, or the demo file) and whether its views have the expected shape."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, Table, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import NoSuchTableError

from dst.config import Settings
from dst.db.engine import build_engine, normalize_url


class CdwShapeError(Exception):
    """A CDW view is missing or lacks columns the ETL reads; the message names them."""


def cdw_url(settings: Settings) -> str:
    """DST_CDW_URL, else a demo CDW file: beside a SQLite DST database, or under ./var."""
    if settings.cdw_url:
        return settings.cdw_url
    url = make_url(normalize_url(settings.database_url))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return f"sqlite:///{Path(url.database).with_name('cdw.sqlite3')}"
    return f"sqlite:///{Path('var').resolve() / 'cdw.sqlite3'}"


def cdw_engine(settings: Settings) -> Engine:
    return build_engine(cdw_url(settings))


def check_view(engine: Engine, table: Table, *, required: bool = True) -> bool:
    """True when the view has exactly the expected columns; False when an optional view is absent.

    Extra columns stop the job as missing ones do: a view whose shape changed may no longer mean
    what the ETL assumes (a site remapping its views must match docs/jobs.md exactly).
    """
    try:
        found = {c["name"].lower() for c in inspect(engine).get_columns(table.name)}
    except NoSuchTableError:
        found = set()
    if not found:
        if required:
            raise CdwShapeError(f"CDW view {table.name} does not exist")
        return False
    expected = {c.name for c in table.columns}
    problems = []
    if missing := sorted(expected - found):
        problems.append(f"lacks column(s) {', '.join(missing)}")
    if extra := sorted(found - expected):
        problems.append(f"has unexpected column(s) {', '.join(extra)}")
    if problems:
        raise CdwShapeError(f"CDW view {table.name} {' and '.join(problems)}; previous data kept")
    return True
