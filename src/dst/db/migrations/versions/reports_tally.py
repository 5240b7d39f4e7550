"""Report tallies: daily and monthly counts kept current on each decision save and requires-dst call.

Revision ID: reports01
Revises: 0001
Create Date: 2026-11-26 22:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "reports01"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Facts saved before this revision are counted by `dst reports rebuild`.
    op.create_table(
        "report_tally",
        sa.Column("grain", sa.String(length=5), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("visn", sa.String(length=2), nullable=False),
        sa.Column("station", sa.String(length=3), nullable=False),
        sa.Column("clinical_service", sa.String(length=80), nullable=False),
        sa.Column("value", sa.String(length=80), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "grain",
            "measure",
            "period",
            "visn",
            "station",
            "clinical_service",
            "value",
            name=op.f("pk_report_tally"),
        ),
    )


def downgrade() -> None:
    op.drop_table("report_tally")
