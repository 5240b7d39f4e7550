"""Unscheduled partner outages: opened and closed from breaker state or the steel-thread check."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dst.errors import Invalid
from dst.operations.models import PartnerOutage
from dst.partners.errors import Partner

BREAKER = "breaker"
STEEL_THREAD = "steel-thread"
# A process that stopped confirming its breaker outage (it exited) no longer keeps the banner up. The
# steel thread runs less often, so its outages end only when it reports the partner well again.
STALE_AFTER = timedelta(minutes=5)

# What each partner feeds, and what still works without it: the words of the outage banner.
PARTNER_NAMES = {
    Partner.MVI: "MVI (Veteran identity)",
    Partner.EE: "Enrollment and Eligibility (address, enrollment)",
    Partner.FACILITIES: "Lighthouse Facilities (VA facility list)",
    Partner.PPMS: "PPMS (community providers)",
    Partner.SEOC: "SEOC service (episodes of care)",
    Partner.ROUTING: "drive-time routing",
    Partner.CDW: "CDW (wait times, consult service names)",
}
STILL_WORKS = {
    Partner.MVI: "Saved decisions, VistA's consult factor text and the SEOC list still work; new "
    "records cannot identify the Veteran until MVI answers.",
    Partner.EE: "VA facilities, community providers by station and saved decisions still work; "
    "eligibility evidence that needs the address or enrollment shows as unknown.",
    Partner.FACILITIES: "DST uses its stored copy of VA facilities, so every panel still works.",
    Partner.PPMS: "VA facilities, drive times, eligibility and saving decisions still work; the "
    "community provider list is unavailable.",
    Partner.SEOC: "DST uses its stored SEOC list; everything else still works.",
    Partner.ROUTING: "Facilities are listed by straight-line distance; eligibility by drive time may "
    "show as unknown. Saving decisions still works.",
    Partner.CDW: "Every panel still works; wait times and consult service names are as last loaded.",
}


def reporter_name() -> str:
    """This process, as the reporter of the breaker outages it sees."""
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def parse_partner(value: str) -> Partner:
    try:
        return Partner(value.strip().lower())
    except ValueError:
        names = ", ".join(p.value for p in Partner)
        raise Invalid(f"Unknown partner {value!r}; expected one of: {names}.", field="partner") from None


def _open_row(session: Session, *, partner: Partner, source: str, reporter: str) -> PartnerOutage | None:
    query = select(PartnerOutage).where(
        PartnerOutage.partner == partner.value,
        PartnerOutage.source == source,
        PartnerOutage.reporter == reporter,
        PartnerOutage.ended_at.is_(None),
    )
    return session.scalar(query.limit(1))


def report(
    session: Session,
    *,
    partner: Partner,
    source: str,
    reporter: str,
    down: bool,
    cause: str,
    now: datetime,
) -> PartnerOutage | None:
    """Open, confirm or close this reporter's outage of the partner; returns the row touched."""
    row = _open_row(session, partner=partner, source=source, reporter=reporter)
    if down and row is None:
        row = PartnerOutage(
            partner=partner.value,
            source=source,
            reporter=reporter,
            cause=cause[:500],
            started_at=now,
            confirmed_at=now,
        )
        session.add(row)
    elif down and row is not None:
        row.confirmed_at = now
    elif row is not None:
        row.ended_at, row.end_reason = now, "recovered"
    return row


def close_stale(session: Session, *, now: datetime) -> int:
    """End outages whose reporter has gone quiet, so a stopped process cannot keep a banner up."""
    query = select(PartnerOutage).where(
        PartnerOutage.ended_at.is_(None),
        PartnerOutage.source == BREAKER,
        PartnerOutage.confirmed_at < now - STALE_AFTER,
    )
    stale = list(session.scalars(query))
    for row in stale:
        row.ended_at, row.end_reason = row.confirmed_at, "reporter stopped confirming"
    return len(stale)


def current(session: Session) -> list[PartnerOutage]:
    query = select(PartnerOutage).where(PartnerOutage.ended_at.is_(None))
    return list(session.scalars(query.order_by(PartnerOutage.started_at)))


def history(session: Session, limit: int = 200) -> list[PartnerOutage]:
    query = select(PartnerOutage).order_by(PartnerOutage.started_at.desc(), PartnerOutage.id.desc())
    return list(session.scalars(query.limit(limit)))
