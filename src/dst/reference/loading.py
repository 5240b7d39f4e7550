"""Load the national reference data into a database by URL (used by `dst db upgrade` and tests)."""

from __future__ import annotations

from dst.db.engine import build_engine, build_session_factory, transaction
from dst.reference.seed import sync_national_reference


def load_national_reference(url: str) -> None:
    engine = build_engine(url)
    try:
        with transaction(build_session_factory(engine)) as session:
            sync_national_reference(session)
    finally:
        engine.dispose()
