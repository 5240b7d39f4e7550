"""Initial schema: reference data, DST records and decisions, audit trail, report facts.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 22:24:20.436036
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("dst_id", sa.String(length=32), nullable=True),
        sa.Column("icn", sa.String(length=20), nullable=True),
        sa.Column("station", sa.String(length=3), nullable=True),
        sa.Column("source_ip", sa.String(length=45), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_dst_id"), ["dst_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_icn"), ["icn"], unique=False)

    op.create_table(
        "clinical_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("care_category", sa.String(length=20), nullable=False),
        sa.Column("lighthouse_service_id", sa.String(length=40), nullable=False),
        sa.Column("ppms_specialty_codes", sa.JSON(), nullable=False),
        sa.Column("seoc_categories", sa.JSON(), nullable=False),
        sa.Column("community_care_consult_name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinical_service")),
        sa.UniqueConstraint("name", name=op.f("uq_clinical_service_name")),
    )
    op.create_table(
        "decision_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("station", sa.String(length=3), nullable=False),
        sa.Column("visn", sa.String(length=2), nullable=True),
        sa.Column("clinical_service", sa.String(length=80), nullable=False),
        sa.Column("care_category", sa.String(length=20), nullable=True),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("file_entry_date", sa.Date(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_role", sa.String(length=20), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=True),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("bmi_factor", sa.String(length=40), nullable=True),
        sa.Column("veteran_option", sa.String(length=10), nullable=False),
        sa.Column("forward", sa.Boolean(), nullable=False),
        sa.Column("forward_to", sa.String(length=80), nullable=True),
        sa.Column("partner_errors", sa.JSON(), nullable=False),
        sa.Column("standards_version", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_fact")),
    )
    with op.batch_alter_table("decision_fact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_fact_clinical_service"), ["clinical_service"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_decision_fact_decided_on"), ["decided_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_fact_record_key"), ["record_key"], unique=False)
        batch_op.create_index("ix_decision_fact_station_decided", ["station", "decided_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_fact_visn"), ["visn"], unique=False)

    op.create_table(
        "facility",
        sa.Column("facility_id", sa.String(length=20), nullable=False),
        sa.Column("station", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("classification", sa.String(length=80), nullable=True),
        sa.Column("visn", sa.String(length=2), nullable=True),
        sa.Column("address_line1", sa.String(length=120), nullable=True),
        sa.Column("city", sa.String(length=80), nullable=True),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("zip", sa.String(length=10), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lng", sa.Float(), nullable=True),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("facility_id", name=op.f("pk_facility")),
    )
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facility_lat"), ["lat"], unique=False)
        batch_op.create_index(batch_op.f("ix_facility_station"), ["station"], unique=False)

    op.create_table(
        "idempotency_key",
        sa.Column("scope", sa.String(length=120), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_key")),
    )
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_key_created_at"), ["created_at"], unique=False)

    op.create_table(
        "seoc",
        sa.Column("seoc_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category_of_care", sa.String(length=80), nullable=False),
        sa.Column("service_line", sa.String(length=120), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("duration_days", sa.Integer(), nullable=True),
        sa.Column("max_visits", sa.Integer(), nullable=True),
        sa.Column("procedural_overview", sa.Text(), nullable=True),
        sa.Column("disclaimer", sa.Text(), nullable=True),
        sa.Column("version", sa.String(length=20), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seoc_id", name=op.f("pk_seoc")),
    )
    with op.batch_alter_table("seoc", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seoc_category_of_care"), ["category_of_care"], unique=False)

    op.create_table(
        "station",
        sa.Column("sta3n", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=True),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("visn", sa.String(length=2), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lng", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("sta3n", name=op.f("pk_station")),
    )
    with op.batch_alter_table("station", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_station_visn"), ["visn"], unique=False)

    op.create_table(
        "clinical_service_stop_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinical_service_id", sa.Integer(), nullable=False),
        sa.Column("stop_code", sa.String(length=3), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinical_service_id"],
            ["clinical_service.id"],
            name=op.f("fk_clinical_service_stop_code_clinical_service_id_clinical_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinical_service_stop_code")),
        sa.UniqueConstraint(
            "clinical_service_id", "stop_code", name=op.f("uq_clinical_service_stop_code_clinical_service_id")
        ),
    )
    with op.batch_alter_table("clinical_service_stop_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clinical_service_stop_code_stop_code"), ["stop_code"], unique=False
        )

    op.create_table(
        "clinical_service_synonym",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinical_service_id", sa.Integer(), nullable=False),
        sa.Column("synonym", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinical_service_id"],
            ["clinical_service.id"],
            name=op.f("fk_clinical_service_synonym_clinical_service_id_clinical_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinical_service_synonym")),
        sa.UniqueConstraint("synonym", name=op.f("uq_clinical_service_synonym_synonym")),
    )
    op.create_table(
        "consult_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("clinical_service_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("community_care", sa.Boolean(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinical_service_id"],
            ["clinical_service.id"],
            name=op.f("fk_consult_service_clinical_service_id_clinical_service"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consult_service")),
        sa.UniqueConstraint("station", "name", name=op.f("uq_consult_service_station")),
    )
    with op.batch_alter_table("consult_service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consult_service_station"), ["station"], unique=False)

    op.create_table(
        "dst_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dst_id", sa.String(length=32), nullable=False),
        sa.Column("station", sa.String(length=3), nullable=False),
        sa.Column("dfn", sa.String(length=20), nullable=True),
        sa.Column("icn", sa.String(length=20), nullable=True),
        sa.Column("consult_service", sa.String(length=80), nullable=False),
        sa.Column("clinical_service_id", sa.Integer(), nullable=True),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("clinically_indicated_date", sa.Date(), nullable=True),
        sa.Column("file_entry_date", sa.Date(), nullable=False),
        sa.Column("consult_number", sa.String(length=20), nullable=True),
        sa.Column("order_number", sa.String(length=20), nullable=True),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("released_to_hsrm", sa.Boolean(), nullable=False),
        sa.Column("launched_by", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinical_service_id"],
            ["clinical_service.id"],
            name=op.f("fk_dst_record_clinical_service_id_clinical_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dst_record")),
        sa.UniqueConstraint("dst_id", name=op.f("uq_dst_record_dst_id")),
        sa.UniqueConstraint("station", "consult_number", name=op.f("uq_dst_record_station")),
    )
    with op.batch_alter_table("dst_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dst_record_station"), ["station"], unique=False)
        batch_op.create_index(batch_op.f("ix_dst_record_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "facility_service",
        sa.Column("facility_id", sa.String(length=20), nullable=False),
        sa.Column("service_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facility.facility_id"],
            name=op.f("fk_facility_service_facility_id_facility"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("facility_id", "service_id", name=op.f("pk_facility_service")),
    )
    with op.batch_alter_table("facility_service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facility_service_service_id"), ["service_id"], unique=False)

    op.create_table(
        "facility_wait_time",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.String(length=20), nullable=False),
        sa.Column("clinical_service_id", sa.Integer(), nullable=False),
        sa.Column("va_average_days", sa.Float(), nullable=True),
        sa.Column("va_sample_size", sa.Integer(), nullable=True),
        sa.Column("cc_average_days", sa.Float(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinical_service_id"],
            ["clinical_service.id"],
            name=op.f("fk_facility_wait_time_clinical_service_id_clinical_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_wait_time")),
        sa.UniqueConstraint(
            "facility_id", "clinical_service_id", name=op.f("uq_facility_wait_time_facility_id")
        ),
    )
    with op.batch_alter_table("facility_wait_time", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facility_wait_time_facility_id"), ["facility_id"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dst_record_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("veteran_option", sa.String(length=10), nullable=False),
        sa.Column("seoc_id", sa.String(length=40), nullable=True),
        sa.Column("seoc_name", sa.String(length=200), nullable=True),
        sa.Column("forward", sa.Boolean(), nullable=False),
        sa.Column("forward_to", sa.String(length=80), nullable=True),
        sa.Column("bmi_factor", sa.String(length=40), nullable=True),
        sa.Column("bmi_explanation", sa.String(length=200), nullable=True),
        sa.Column("next_available_date", sa.Date(), nullable=True),
        sa.Column("veteran_agreed_later_date", sa.Date(), nullable=True),
        sa.Column("clinical_service_name", sa.String(length=80), nullable=False),
        sa.Column("primary_stop_code", sa.String(length=3), nullable=False),
        sa.Column("eligibility", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("partner_errors", sa.JSON(), nullable=False),
        sa.Column("standards_version", sa.String(length=40), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=False),
        sa.Column("decided_role", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dst_record_id"],
            ["dst_record.id"],
            name=op.f("fk_decision_dst_record_id_dst_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
        sa.UniqueConstraint("dst_record_id", "revision", name=op.f("uq_decision_dst_record_id")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_dst_record_id"), ["dst_record_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_dst_record_id"))

    op.drop_table("decision")
    with op.batch_alter_table("facility_wait_time", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_wait_time_facility_id"))

    op.drop_table("facility_wait_time")
    with op.batch_alter_table("facility_service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_service_service_id"))

    op.drop_table("facility_service")
    with op.batch_alter_table("dst_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dst_record_updated_at"))
        batch_op.drop_index(batch_op.f("ix_dst_record_station"))

    op.drop_table("dst_record")
    with op.batch_alter_table("consult_service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consult_service_station"))

    op.drop_table("consult_service")
    op.drop_table("clinical_service_synonym")
    with op.batch_alter_table("clinical_service_stop_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clinical_service_stop_code_stop_code"))

    op.drop_table("clinical_service_stop_code")
    with op.batch_alter_table("station", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_station_visn"))

    op.drop_table("station")
    with op.batch_alter_table("seoc", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seoc_category_of_care"))

    op.drop_table("seoc")
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_key_created_at"))

    op.drop_table("idempotency_key")
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_station"))
        batch_op.drop_index(batch_op.f("ix_facility_lat"))

    op.drop_table("facility")
    with op.batch_alter_table("decision_fact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_fact_visn"))
        batch_op.drop_index("ix_decision_fact_station_decided")
        batch_op.drop_index(batch_op.f("ix_decision_fact_record_key"))
        batch_op.drop_index(batch_op.f("ix_decision_fact_decided_on"))
        batch_op.drop_index(batch_op.f("ix_decision_fact_clinical_service"))

    op.drop_table("decision_fact")
    op.drop_table("clinical_service")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_icn"))
        batch_op.drop_index(batch_op.f("ix_audit_event_dst_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor"))

    op.drop_table("audit_event")
