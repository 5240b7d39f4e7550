"""Shared set-up for the jobs benchmarks: scratch PostgreSQL databases and settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dst.config import Settings


def recreate_database(server_url: str, name: str) -> str:
    """A fresh, empty database on the throwaway cluster; returns its URL."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def settings_for_bench(url: str, **overrides: Any) -> Settings:
    return Settings(database_url=url, env="dev", _env_file=None, **overrides)  # type: ignore[call-arg]
