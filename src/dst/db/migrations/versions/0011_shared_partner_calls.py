"""Partner answers shared between DST's processes: one call per partner per record across workers.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner_call",
        sa.Column("dst_id", sa.String(length=32), nullable=False),
        sa.Column("call_key", sa.String(length=80), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dst_id", "call_key", name="pk_partner_call"),
    )
    op.create_index("ix_partner_call_expires_at", "partner_call", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_partner_call_expires_at", table_name="partner_call")
    op.drop_table("partner_call")
