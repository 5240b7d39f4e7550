"""Alembic environment: migrations run against DST_DATABASE_URL, in batch mode on SQLite."""

from __future__ import annotations

from alembic import context

import dst.db.models  # noqa: F401 - registers every table on the metadata
from dst.db.base import Base
from dst.db.engine import build_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = build_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        # Also when a migration fails: the pooled connection is closed, not left to the collector.
        engine.dispose()


run_migrations_online()
