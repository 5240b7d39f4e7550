"""Who recorded the Veteran's agreement to a later date, and when (the scheduler's exception).

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decision") as batch:
        batch.add_column(sa.Column("agreement_recorded_by", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("agreement_recorded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("agreement_recorded_at")
        batch.drop_column("agreement_recorded_by")
