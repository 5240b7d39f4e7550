"""Facility operating status (Lighthouse operatingStatus.code): a CLOSED facility never counts.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("facility", sa.Column("operating_status", sa.String(length=20), nullable=True))


def downgrade() -> None:
    # A plain ALTER TABLE (SQLite 3.35+ drops columns natively): rebuilding the table in batch mode
    # would drop it first, and facility_service rows cascade from it.
    op.drop_column("facility", "operating_status")
