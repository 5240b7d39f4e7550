"""Load the national reference data into a database by URL (used by `dst db upgrade` and tests)."""

from __future__ import annotations

from dst.db.engine import one_transaction
from dst.reference.seed import sync_national_reference


def load_national_reference(url: str) -> None:
    with one_transaction(url) as session:
        sync_national_reference(session)
