"""Questions other parts of DST ask about the DST records, answered by their owner."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dst.consults.models import DstRecord
from dst.reference.models import Station


def records_at(session: Session, scope: str, key: str) -> int:
    """How many DST records exist at the stations a rule covers (they stay readable after turning off)."""
    query = select(func.count()).select_from(DstRecord)
    if scope == "station":
        query = query.where(DstRecord.station == key)
    elif scope == "visn":
        stations = select(Station.sta3n).where(Station.visn == key)
        query = query.where(DstRecord.station.in_(stations))
    return int(session.scalar(query) or 0)


def existing_record(session: Session, *, station: str, consult_number: str | None) -> str | None:
    """The DST ID already opened for this consult, which stays readable while DST is off."""
    if not consult_number:
        return None
    query = select(DstRecord.dst_id).where(
        DstRecord.station == station, DstRecord.consult_number == consult_number
    )
    return session.scalar(query.limit(1))
