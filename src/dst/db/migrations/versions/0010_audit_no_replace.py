"""SQLite: `INSERT OR REPLACE` must not overwrite an audit row (REPLACE deletes without DELETE triggers).

PostgreSQL needs nothing here: `INSERT … ON CONFLICT DO UPDATE` fires the UPDATE trigger of 0003.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = (
    "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
    "WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: REPLACE refused'); END"
)
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_event_no_replace"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_UP)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_DOWN)
