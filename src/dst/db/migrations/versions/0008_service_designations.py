"""Service designations: a station's clinical service not offered by VA, or below VA quality standards.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_designation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station", sa.String(length=3), nullable=False),
        sa.Column("clinical_service_id", sa.Integer(), nullable=True),
        sa.Column("clinical_service_name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("set_by", sa.String(length=80), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.String(length=80), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinical_service_id"],
            ["clinical_service.id"],
            name=op.f("fk_service_designation_clinical_service_id_clinical_service"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_designation")),
    )
    op.create_index(op.f("ix_service_designation_station"), "service_designation", ["station"])
    op.create_index(
        op.f("ix_service_designation_clinical_service_id"), "service_designation", ["clinical_service_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_service_designation_clinical_service_id"), table_name="service_designation")
    op.drop_index(op.f("ix_service_designation_station"), table_name="service_designation")
    op.drop_table("service_designation")
