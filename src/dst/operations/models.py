"""Operations tables: enablement, maintenance windows, outages, mapping overrides, service designations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dst.db.base import Base, UtcDateTime, utcnow

WHOLE_DST = "dst"  # the `target` of a maintenance window that takes all of DST down


class EnablementRule(Base):
    """DST on or off for a station, a VISN or the nation from a moment on; rows are never changed.

    The rule in force for a scope is its latest rule already effective; the most specific scope wins.
    """

    __tablename__ = "enablement_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))  # national | visn | station
    scope_key: Mapped[str] = mapped_column(String(3), index=True)  # "" for national
    enabled: Mapped[bool] = mapped_column(Boolean)
    effective_from: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MaintenanceWindow(Base):
    """Planned downtime of one partner (or of all of DST); cancelled windows stay as history."""

    __tablename__ = "maintenance_window"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(12), index=True)  # a Partner value or WHOLE_DST
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    message: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    cancelled_by: Mapped[str | None] = mapped_column(String(80))
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PartnerOutage(Base):
    """An unscheduled outage of a partner as one reporter saw it (a DST process, or the steel thread)."""

    __tablename__ = "partner_outage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner: Mapped[str] = mapped_column(String(12), index=True)
    source: Mapped[str] = mapped_column(String(12))  # breaker | steel-thread
    reporter: Mapped[str] = mapped_column(String(80))  # host:pid for a breaker; the check's name
    cause: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    confirmed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    end_reason: Mapped[str | None] = mapped_column(String(80))


class MappingOverride(Base):
    """An administrator's consult-service mapping at a station, with what it replaced, for history."""

    __tablename__ = "mapping_override"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station: Mapped[str] = mapped_column(String(3), index=True)
    consult_service: Mapped[str] = mapped_column(String(80))
    clinical_service_id: Mapped[int | None] = mapped_column(
        ForeignKey("clinical_service.id", ondelete="SET NULL")
    )
    clinical_service_name: Mapped[str] = mapped_column(String(80))
    previous_source: Mapped[str | None] = mapped_column(String(10))
    previous_clinical_service_id: Mapped[int | None] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(80))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    removed_by: Mapped[str | None] = mapped_column(String(80))
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


SERVICE_NOT_OFFERED = "service-not-offered"  # 38 CFR 17.4010(a)(1)
QUALITY_NOT_MET = "quality-standards-not-met"  # 38 CFR 17.4010(a)(6)
DESIGNATION_KINDS = (SERVICE_NOT_OFFERED, QUALITY_NOT_MET)


class ServiceDesignation(Base):
    """VA's designation that a station does not offer a clinical service, or that the service line
    does not meet VA quality standards, for a span of days. Rows are never deleted: ending one early
    sets its last day and who ended it, so every past decision can be traced to the row it cited.
    """

    __tablename__ = "service_designation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station: Mapped[str] = mapped_column(String(3), index=True)
    clinical_service_id: Mapped[int | None] = mapped_column(
        ForeignKey("clinical_service.id", ondelete="SET NULL"), index=True
    )
    clinical_service_name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(30))  # one of DESIGNATION_KINDS
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)  # last day in force; None: until ended
    reason: Mapped[str] = mapped_column(String(300))
    set_by: Mapped[str] = mapped_column(String(80))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_by: Mapped[str | None] = mapped_column(String(80))
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
