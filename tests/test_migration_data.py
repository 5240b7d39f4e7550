"""Back-out: each migration's downgrade keeps the rows of every table older than it, and so does re-upgrading.

The one step that cannot keep data is the initial schema's own downgrade (it removes every table);
for every later migration, data in tables and columns that existed before it survives a downgrade
one step and the upgrade back, on a database holding the demo network and a saved decision.
"""

from __future__ import annotations

import hashlib
import itertools

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData, select

from dst.db.engine import build_engine
from dst.db.migrate import current_revision, downgrade, revisions_base_to_head, upgrade

from factories import consult, key, ordinary, veteran
from harness import SERVICE

pytestmark = pytest.mark.skipif(
    len(revisions_base_to_head()) < 2,
    reason="only the initial schema exists: its downgrade removes every table by design",
)

Fingerprint = dict[str, dict[str, str]]  # table -> column -> digest of that column's values by row


def fingerprint(engine: Engine) -> Fingerprint:
    """Per table, per column: a digest of the column's values in primary-key order."""
    metadata = MetaData()
    metadata.reflect(engine)
    result: Fingerprint = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(select(table).order_by(*order)).mappings().all()
            result[table.name] = {
                column.name: hashlib.sha256(repr([row[column.name] for row in rows]).encode()).hexdigest()
                for column in table.columns
            }
            result[table.name]["#rows"] = str(len(rows))
    return result


def kept(before: Fingerprint, after: Fingerprint, schema: Fingerprint) -> list[str]:
    """What `before` held in the tables and columns of `schema` but `after` lost or changed."""
    lost = []
    for table, columns in schema.items():
        if table not in before:
            continue
        for column in columns:
            if column in before[table] and after.get(table, {}).get(column) != before[table][column]:
                lost.append(f"{table}.{column}")
    return lost


def save_a_decision(app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as client:
        record = client.post("/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE)
        assert record.status_code == 201, record.text
        saved = client.put(
            f"/api/v1/dst/{record.json()['dstId']}/decision",
            json={"veteranOption": "opt-out", "forward": False},
            headers={**SERVICE, **key()},
        )
        assert saved.status_code == 200, saved.text


def test_each_downgrade_keeps_older_data_and_upgrade_restores_the_schema(app, database_url: str) -> None:
    revisions = revisions_base_to_head()
    save_a_decision(app)  # the app's engine is disposed when its lifespan ends, so no pooled locks remain
    engine = build_engine(database_url)
    try:
        for lower, upper in reversed(list(itertools.pairwise(revisions))):
            assert current_revision(engine) == upper
            at_upper = fingerprint(engine)
            assert at_upper["dst_record"]["#rows"] != "0"
            downgrade(database_url, lower)
            at_lower = fingerprint(engine)
            assert kept(at_upper, at_lower, at_lower) == [], f"downgrade {upper} -> {lower} lost data"
            upgrade(database_url, upper)
            assert kept(at_upper, fingerprint(engine), at_lower) == [], f"re-upgrade to {upper} lost data"
            downgrade(database_url, lower)
    finally:
        engine.dispose()
        upgrade(database_url)
