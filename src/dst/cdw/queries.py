"""The ETL's SQL: every aggregation runs in the CDW source with GROUP BY; only the groups come back."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, literal_column, or_, select
from sqlalchemy.sql.elements import ColumnElement

from dst.cdw.schema import appointment, clinic, community_care_appointment, request_service
from dst.cdw.schema import request_service_stop_code as link

VA_WINDOW_DAYS = 30
CC_WINDOW_DAYS = 90
UNORDERABLE_USAGE = ("DISABLED", "GROUPER ONLY")


def days_between(
    later: ColumnElement[date], earlier: ColumnElement[date], dialect: str
) -> ColumnElement[Any]:
    """Whole days from `earlier` to `later`, in the source database's own date arithmetic."""
    if dialect == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    if dialect == "mssql":
        return func.datediff(literal_column("day"), earlier, later)  # the CDW's own SQL Server
    return later - earlier  # PostgreSQL: date - date is an integer number of days


def va_wait_groups(today: date, dialect: str) -> Select[str, str, Any, int]:
    """Completed new-patient appointments of the last 30 days: (sta6a, primary stop code, days, count)."""
    start = today - timedelta(days=VA_WINDOW_DAYS)
    wait = days_between(appointment.c.appointment_on, appointment.c.created_on, dialect)
    return (
        select(clinic.c.sta6a, clinic.c.primary_stop_code, func.sum(wait), func.count())
        .select_from(
            appointment.join(
                clinic,
                and_(clinic.c.sta3n == appointment.c.sta3n, clinic.c.clinic_ien == appointment.c.clinic_ien),
            )
        )
        .where(
            appointment.c.status == "COMPLETED",
            appointment.c.new_patient.is_(True),
            appointment.c.appointment_on > start,
            appointment.c.appointment_on <= today,
        )
        .group_by(clinic.c.sta6a, clinic.c.primary_stop_code)
    )


def cc_wait_groups(today: date, dialect: str) -> Select[str, str, Any, int]:
    """Community-care appointments of the last 90 days: (sta6a, category of care, days, count)."""
    cc = community_care_appointment
    start = today - timedelta(days=CC_WINDOW_DAYS)
    wait = days_between(cc.c.appointment_on, cc.c.created_on, dialect)
    return (
        select(cc.c.sta6a, cc.c.category_of_care, func.sum(wait), func.count())
        .where(
            cc.c.appointment_on > start,
            cc.c.appointment_on <= today,
        )
        .group_by(cc.c.sta6a, cc.c.category_of_care)
    )


def request_service_stop_codes() -> Select[str, str, str]:
    """Each orderable request service with each stop code it is linked to (NULL when it has none)."""
    return (
        select(request_service.c.sta3n, request_service.c.service_name, link.c.stop_code)
        .select_from(
            request_service.outerjoin(
                link,
                and_(
                    link.c.sta3n == request_service.c.sta3n,
                    link.c.request_service_ien == request_service.c.request_service_ien,
                ),
            )
        )
        .where(
            or_(
                request_service.c.service_usage.is_(None),
                request_service.c.service_usage.not_in(UNORDERABLE_USAGE),
            )
        )
        .group_by(request_service.c.sta3n, request_service.c.service_name, link.c.stop_code)
    )
