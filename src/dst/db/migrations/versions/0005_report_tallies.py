"""Report cells and tallies: daily and monthly counts kept on each decision save and requires-dst call.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 22:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# report_cell's count columns as of this revision (dst.reports.measures.CELL_COLUMNS).
CELL_COUNTS = (
    "decisions",
    "saves",
    "saves_with_partner_error",
    "eligible_yes",
    "eligible_no",
    "eligible_unknown",
    "veteran_option_opt_in",
    "veteran_option_opt_out",
    "veteran_option_tbd",
    "forward_requested",
    "forward_not_requested",
    "bmi_factor_distance",
    "bmi_factor_nature_of_care",
    "bmi_factor_frequency",
    "bmi_factor_timeliness",
    "bmi_factor_continuity",
    "bmi_factor_quality",
    "bmi_factor_travel_burden",
    "bmi_factor_attendant",
    "no_full_service_va_met",
    "no_full_service_va_not_met",
    "no_full_service_va_unknown",
    "grandfathered_met",
    "grandfathered_not_met",
    "grandfathered_unknown",
    "hardship_met",
    "hardship_not_met",
    "hardship_unknown",
    "service_not_available_met",
    "service_not_available_not_met",
    "service_not_available_unknown",
    "drive_time_met",
    "drive_time_not_met",
    "drive_time_unknown",
    "wait_time_met",
    "wait_time_not_met",
    "wait_time_unknown",
    "best_medical_interest_met",
    "best_medical_interest_not_met",
    "best_medical_interest_unknown",
    "quality_standards_met",
    "quality_standards_not_met",
    "quality_standards_unknown",
    "days_to_decision_0",
    "days_to_decision_1",
    "days_to_decision_2",
    "days_to_decision_3",
    "days_to_decision_4",
    "days_to_decision_5",
    "days_to_decision_6",
    "days_to_decision_7",
    "days_to_decision_8",
    "days_to_decision_9",
    "days_to_decision_10",
    "days_to_decision_11",
    "days_to_decision_12",
    "days_to_decision_13",
    "days_to_decision_14",
    "days_to_decision_15",
    "days_to_decision_16",
    "days_to_decision_17",
    "days_to_decision_18",
    "days_to_decision_19",
    "days_to_decision_20",
    "days_to_decision_21",
    "days_to_decision_22",
    "days_to_decision_23",
    "days_to_decision_24",
    "days_to_decision_25",
    "days_to_decision_26",
    "days_to_decision_27",
    "days_to_decision_28",
    "days_to_decision_29",
    "days_to_decision_30",
    "days_to_decision_37",
    "days_to_decision_44",
    "days_to_decision_51",
    "days_to_decision_58",
    "days_to_decision_65",
    "days_to_decision_72",
    "days_to_decision_79",
    "days_to_decision_86",
    "days_to_decision_93",
    "days_to_decision_120",
    "days_to_decision_150",
    "days_to_decision_180",
    "days_to_decision_270",
    "days_to_decision_365",
    "days_to_decision_366",
)

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Facts saved before this revision are counted by `dst reports rebuild`.
    op.create_table(
        "report_cell",
        sa.Column("grain", sa.String(length=5), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("visn", sa.String(length=2), nullable=False),
        sa.Column("station", sa.String(length=3), nullable=False),
        sa.Column("clinical_service", sa.String(length=80), nullable=False),
        *(sa.Column(name, sa.Integer(), server_default="0", nullable=False) for name in CELL_COUNTS),
        sa.PrimaryKeyConstraint(
            "grain", "period", "visn", "station", "clinical_service", name=op.f("pk_report_cell")
        ),
    )
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
    op.drop_table("report_cell")
