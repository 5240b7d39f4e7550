"""Minimal-PHI decision facts for reporting, written with each decision save and kept past the purge."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from dst.db.base import Base, UtcDateTime, utcnow
from dst.reports.measures import CELL_COLUMNS


class DecisionFact(Base):
    """No names, ICNs, DFNs or free text: station, service, dates, criteria and outcome only."""

    __tablename__ = "decision_fact"
    __table_args__ = (Index("ix_decision_fact_station_decided", "station", "decided_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_key: Mapped[str] = mapped_column(String(64), index=True)  # one-way hash of the DST ID
    revision: Mapped[int] = mapped_column(Integer)
    station: Mapped[str] = mapped_column(String(3))
    visn: Mapped[str | None] = mapped_column(String(2), index=True)
    clinical_service: Mapped[str] = mapped_column(String(80), index=True)
    care_category: Mapped[str | None] = mapped_column(String(20))
    urgency: Mapped[str] = mapped_column(String(10))
    file_entry_date: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date] = mapped_column(Date, index=True)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_role: Mapped[str] = mapped_column(String(20))
    eligible: Mapped[bool | None] = mapped_column(Boolean)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)  # criterion code -> met/not-met/unknown
    bmi_factor: Mapped[str | None] = mapped_column(String(40))
    veteran_option: Mapped[str] = mapped_column(String(10))
    forward: Mapped[bool] = mapped_column(Boolean)
    forward_to: Mapped[str | None] = mapped_column(String(80))
    partner_errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    standards_version: Mapped[str] = mapped_column(String(40))


# One row per day, week and month for each station and clinical service, with a count column for each
# fixed (measure, value) pair. Reports sum these rows instead of scanning facts: a national ten-year
# query reads monthly rows, plus weekly and at most twelve days of daily rows for partial months.
report_cell = Table(
    "report_cell",
    Base.metadata,
    Column("grain", String(5), primary_key=True),  # "day", "week" or "month"
    Column("period", Date, primary_key=True),  # the day, the week's Monday, or the month's first day
    Column("visn", String(2), primary_key=True),  # "" when the station had none
    Column("station", String(3), primary_key=True),
    Column("clinical_service", String(80), primary_key=True),
    *(Column(name, Integer, nullable=False, server_default="0") for name in CELL_COLUMNS.values()),
)


class ReportTally(Base):
    """Counts whose values are an open set: forwarding targets, partner error codes, requires-dst answers.

    Same grains as report_cell; the primary key leads with grain and measure, the columns every
    report query fixes, then the period range it scans.
    """

    __tablename__ = "report_tally"

    grain: Mapped[str] = mapped_column(String(5), primary_key=True)  # "day", "week" or "month"
    measure: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[date] = mapped_column(Date, primary_key=True)  # the day, or the month's first day
    visn: Mapped[str] = mapped_column(String(2), primary_key=True)  # "" when the station had none
    station: Mapped[str] = mapped_column(String(3), primary_key=True)
    clinical_service: Mapped[str] = mapped_column(String(80), primary_key=True)  # "" when unmapped
    value: Mapped[str] = mapped_column(String(80), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
