"""Writing reference loads: facilities and SEOCs replaced within the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from dst.db.base import utcnow
from dst.partners.types import FacilityRecord, Seoc
from dst.reference.facilities import copy_record
from dst.reference.models import Facility, FacilityService, SeocEntry


@dataclass
class LoadReport:
    read: int = 0
    written: int = 0
    skipped: list[str] = field(default_factory=list)


def store_facilities(session: Session, records: list[FacilityRecord], report: LoadReport) -> None:
    """Replace the facilities with `records` in set-based statements (no per-facility round trips)."""
    keep = {r.facility_id for r in records}
    if keep:
        session.execute(delete(Facility).where(Facility.facility_id.not_in(keep)))
    existing = {f.facility_id: f for f in session.scalars(select(Facility))}
    loaded_at = utcnow()
    for record in records:
        facility = existing.get(record.facility_id) or Facility(facility_id=record.facility_id)
        copy_record(facility, record)
        facility.loaded_at = loaded_at
        session.add(facility)
    session.execute(delete(FacilityService))
    session.flush()
    services = [
        {"facility_id": r.facility_id, "service_id": s} for r in records for s in sorted(set(r.services))
    ]
    if services:
        session.connection().execute(insert(FacilityService.metadata.tables["facility_service"]), services)
    report.written = len(records)


def store_seocs(session: Session, seocs: list[Seoc], report: LoadReport) -> None:
    session.execute(delete(SeocEntry))
    for seoc in seocs:
        session.add(
            SeocEntry(
                seoc_id=seoc.seoc_id,
                name=seoc.name,
                category_of_care=seoc.category_of_care,
                service_line=seoc.service_line,
                description=seoc.description,
                duration_days=seoc.duration_days,
                max_visits=seoc.max_visits,
                procedural_overview=seoc.procedural_overview,
                disclaimer=seoc.disclaimer,
                version=seoc.version,
            )
        )
    report.written = len(seocs)
