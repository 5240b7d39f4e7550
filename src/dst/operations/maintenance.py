"""Maintenance windows: schedule, validate, cancel, and which are announced or open at a moment."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import Principal
from dst.errors import Conflict, Invalid, NotFound
from dst.operations.models import WHOLE_DST, MaintenanceWindow
from dst.partners.errors import Partner

NOTICE_AHEAD = timedelta(hours=48)  # VA promises users notice of scheduled maintenance 48 h ahead
START_GRACE = timedelta(minutes=5)  # a window "starting now" typed a moment ago is not in the past
LONGEST = timedelta(days=7)
TARGETS = (WHOLE_DST, *(p.value for p in Partner))


def check_window(
    session: Session, *, target: str, starts_at: datetime, ends_at: datetime, message: str, now: datetime
) -> None:
    """Raise Invalid or Conflict, naming the field, for a window that cannot be scheduled."""
    if target not in TARGETS:
        raise Invalid(f"Affected system must be one of: {', '.join(TARGETS)}.", field="target")
    if not message.strip():
        raise Invalid("Enter the message users will see.", field="message")
    if ends_at <= starts_at:
        raise Invalid("The window ends before it starts; the end must be after the start.", field="endsAt")
    if ends_at <= now or starts_at < now - START_GRACE:
        raise Invalid("The window starts in the past; choose a start from now on.", field="startsAt")
    if ends_at - starts_at > LONGEST:
        raise Invalid("A window may last at most 7 days; schedule longer work as several windows.")
    clash = overlapping(session, target=target, starts_at=starts_at, ends_at=ends_at)
    if clash is not None:
        raise Conflict(
            f"This overlaps window {clash.id} for the same system "
            f"({clash.starts_at:%Y-%m-%d %H:%M} to {clash.ends_at:%Y-%m-%d %H:%M} UTC). "
            "Change or cancel that window instead.",
            field="startsAt",
        )


def overlapping(
    session: Session, *, target: str, starts_at: datetime, ends_at: datetime
) -> MaintenanceWindow | None:
    query = select(MaintenanceWindow).where(
        MaintenanceWindow.target == target,
        MaintenanceWindow.cancelled_at.is_(None),
        MaintenanceWindow.starts_at < ends_at,
        MaintenanceWindow.ends_at > starts_at,
    )
    return session.scalar(query.order_by(MaintenanceWindow.starts_at).limit(1))


def schedule(
    session: Session,
    *,
    target: str,
    starts_at: datetime,
    ends_at: datetime,
    message: str,
    principal: Principal,
    now: datetime,
) -> MaintenanceWindow:
    check_window(session, target=target, starts_at=starts_at, ends_at=ends_at, message=message, now=now)
    window = MaintenanceWindow(
        target=target,
        starts_at=starts_at,
        ends_at=ends_at,
        message=message.strip()[:300],
        created_by=principal.user_id,
        created_at=now,
    )
    session.add(window)
    session.flush()
    _audit(session, principal, "schedule-maintenance", window)
    return window


def cancel(session: Session, *, window_id: int, principal: Principal, now: datetime) -> MaintenanceWindow:
    window = session.get(MaintenanceWindow, window_id)
    if window is None:
        raise NotFound(f"There is no maintenance window {window_id}.")
    if window.cancelled_at is not None:
        raise Conflict(f"Maintenance window {window_id} was already cancelled.")
    if window.ends_at <= now:
        raise Conflict(f"Maintenance window {window_id} has already ended; it is kept as history.")
    window.cancelled_at, window.cancelled_by = now, principal.user_id
    _audit(session, principal, "cancel-maintenance", window)
    return window


def _audit(session: Session, principal: Principal, action: str, window: MaintenanceWindow) -> None:
    record_event(
        session,
        principal=principal,
        action=action,
        detail={
            "window": window.id,
            "target": window.target,
            "startsAt": window.starts_at.isoformat(),
            "endsAt": window.ends_at.isoformat(),
        },
    )


def announced(session: Session, *, now: datetime) -> list[MaintenanceWindow]:
    """Windows users should hear about now: open, or starting within the notice period."""
    query = select(MaintenanceWindow).where(
        MaintenanceWindow.cancelled_at.is_(None),
        MaintenanceWindow.ends_at > now,
        MaintenanceWindow.starts_at <= now + NOTICE_AHEAD,
    )
    return list(session.scalars(query.order_by(MaintenanceWindow.starts_at)))


def listing(session: Session, *, now: datetime, limit: int = 100) -> list[MaintenanceWindow]:
    """Upcoming and open windows first, then recent history, for the console."""
    upcoming = select(MaintenanceWindow).where(
        MaintenanceWindow.cancelled_at.is_(None), MaintenanceWindow.ends_at > now
    )
    past = select(MaintenanceWindow).where(
        or_(MaintenanceWindow.cancelled_at.is_not(None), MaintenanceWindow.ends_at <= now)
    )
    first = list(session.scalars(upcoming.order_by(MaintenanceWindow.starts_at)))
    rest = list(session.scalars(past.order_by(MaintenanceWindow.starts_at.desc()).limit(limit)))
    return first + rest


def is_open(window: MaintenanceWindow, now: datetime) -> bool:
    return window.cancelled_at is None and window.starts_at <= now < window.ends_at
