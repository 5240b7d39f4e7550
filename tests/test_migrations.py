"""Every migration upgrades and downgrades on this run's database, and the models match the schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from dst.db.base import Base
from dst.db.engine import build_engine
from dst.db.migrate import downgrade, revisions_base_to_head, upgrade


def test_each_migration_upgrades_and_downgrades(empty_database_url: str) -> None:
    revisions = revisions_base_to_head()
    assert revisions, "no migrations found"
    for revision in revisions:
        upgrade(empty_database_url, revision)
        downgrade(empty_database_url, "-1")
        upgrade(empty_database_url, revision)
    engine = build_engine(empty_database_url)
    try:
        assert {"dst_record", "decision", "audit_event", "decision_fact"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()
    downgrade(empty_database_url, "base")
    engine = build_engine(empty_database_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_models_match_the_migrated_schema(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = build_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
