"""Shared partner answers: a waiter marks the claim it waits for, and the table is not WAL-logged.

- `waited`: a process waiting for another's answer marks the row; the owner announces its answer
  (NOTIFY) only when a mark is there, so a record opened and viewed in one process costs no notices.
- PostgreSQL: the table is UNLOGGED. It holds answers for minutes; after a database crash it comes
  back empty and the partners are asked again. Its commits then need no flush of the write-ahead
  log, and it is not copied to standbys (DST reads it from the primary only).

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "partner_call", sa.Column("waited", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE partner_call SET UNLOGGED")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE partner_call SET LOGGED")
    with op.batch_alter_table("partner_call") as batch:
        batch.drop_column("waited")
