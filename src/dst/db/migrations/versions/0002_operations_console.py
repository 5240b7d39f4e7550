"""Operations console: enablement rules, maintenance windows, partner outages, mapping overrides.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enablement_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("scope_key", sa.String(length=3), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enablement_rule")),
    )
    op.create_index(op.f("ix_enablement_rule_scope_key"), "enablement_rule", ["scope_key"])
    op.create_index(op.f("ix_enablement_rule_effective_from"), "enablement_rule", ["effective_from"])
    op.create_table(
        "maintenance_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=12), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_by", sa.String(length=80), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_window")),
    )
    op.create_index(op.f("ix_maintenance_window_target"), "maintenance_window", ["target"])
    op.create_index(op.f("ix_maintenance_window_starts_at"), "maintenance_window", ["starts_at"])
    op.create_table(
        "partner_outage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner", sa.String(length=12), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("reporter", sa.String(length=80), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_outage")),
    )
    op.create_index(op.f("ix_partner_outage_partner"), "partner_outage", ["partner"])
    op.create_index(op.f("ix_partner_outage_ended_at"), "partner_outage", ["ended_at"])
    op.create_table(
        "mapping_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station", sa.String(length=3), nullable=False),
        sa.Column("consult_service", sa.String(length=80), nullable=False),
        sa.Column("clinical_service_id", sa.Integer(), nullable=True),
        sa.Column("clinical_service_name", sa.String(length=80), nullable=False),
        sa.Column("previous_source", sa.String(length=10), nullable=True),
        sa.Column("previous_clinical_service_id", sa.Integer(), nullable=True),
        sa.Column("set_by", sa.String(length=80), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(length=80), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinical_service_id"],
            ["clinical_service.id"],
            name=op.f("fk_mapping_override_clinical_service_id_clinical_service"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mapping_override")),
    )
    op.create_index(op.f("ix_mapping_override_station"), "mapping_override", ["station"])


def downgrade() -> None:
    op.drop_index(op.f("ix_mapping_override_station"), table_name="mapping_override")
    op.drop_table("mapping_override")
    op.drop_index(op.f("ix_partner_outage_ended_at"), table_name="partner_outage")
    op.drop_index(op.f("ix_partner_outage_partner"), table_name="partner_outage")
    op.drop_table("partner_outage")
    op.drop_index(op.f("ix_maintenance_window_starts_at"), table_name="maintenance_window")
    op.drop_index(op.f("ix_maintenance_window_target"), table_name="maintenance_window")
    op.drop_table("maintenance_window")
    op.drop_index(op.f("ix_enablement_rule_effective_from"), table_name="enablement_rule")
    op.drop_index(op.f("ix_enablement_rule_scope_key"), table_name="enablement_rule")
    op.drop_table("enablement_rule")
