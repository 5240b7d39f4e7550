"""The local facilities cache: nearest facilities offering a service, and loading Lighthouse records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from dst.partners.types import FacilityRecord, GeoPoint
from dst.reference.geo import bounding_box
from dst.reference.models import Facility, FacilityService, FacilityWaitTime


@dataclass(frozen=True)
class Nearby:
    facility_id: str
    name: str
    city: str | None
    state: str | None
    phone: str | None
    location: GeoPoint
    miles: float
    va_wait_days: float | None
    cc_wait_days: float | None
    operating_status: str | None = None


def nearby_offering(
    session: Session, *, service_id: str, clinical_service_id: int, point: GeoPoint, radius_miles: float
) -> list[Nearby]:
    """Facilities offering `service_id` within `radius_miles` (straight line), nearest first."""
    min_lat, max_lat, min_lng, max_lng = bounding_box(point, radius_miles)
    box = {"min_lat": min_lat, "max_lat": max_lat, "min_lng": min_lng, "max_lng": max_lng}
    rows = (
        session.connection()
        .execute(_NEARBY, {"service_id": service_id, "clinical_service_id": clinical_service_id, **box})
        .all()
    )
    found = []
    for facility_id, name, city, state, phone, lat, lng, va_days, cc_days, status in rows:
        location = GeoPoint(lat, lng)  # type: ignore[arg-type]  # the box filter excludes NULLs
        miles = point.miles_to(location)
        if miles <= radius_miles:
            found.append(
                Nearby(facility_id, name, city, state, phone, location, miles, va_days, cc_days, status)
            )
    found.sort(key=lambda n: n.miles)
    return found


# Plain columns, not ORM entities: this runs on every dashboard and hydrating objects doubled its
# cost. Built once with bound values, so each dashboard pays for its parameters only.
_NEARBY = (
    select(
        Facility.facility_id,
        Facility.name,
        Facility.city,
        Facility.state,
        Facility.phone,
        Facility.lat,
        Facility.lng,
        FacilityWaitTime.va_average_days,
        FacilityWaitTime.cc_average_days,
        Facility.operating_status,
    )
    .join(FacilityService, FacilityService.facility_id == Facility.facility_id)
    .outerjoin(
        FacilityWaitTime,
        (FacilityWaitTime.facility_id == Facility.facility_id)
        & (FacilityWaitTime.clinical_service_id == bindparam("clinical_service_id")),
    )
    .where(
        FacilityService.service_id == bindparam("service_id"),
        Facility.lat.between(bindparam("min_lat"), bindparam("max_lat")),
        Facility.lng.between(bindparam("min_lng"), bindparam("max_lng")),
    )
)


def copy_record(facility: Facility, record: FacilityRecord) -> None:
    """Set a facility row's columns from a Lighthouse record (its service rows are the caller's)."""
    facility.station = record.station
    facility.name = record.name
    facility.classification = record.classification
    facility.visn = record.visn
    facility.address_line1 = record.address.line1
    facility.city = record.address.city
    facility.state = record.address.state
    facility.zip = record.address.zip
    facility.phone = record.phone
    facility.lat = record.location.lat if record.location else None
    facility.lng = record.location.lng if record.location else None
    facility.services = sorted(record.services)
    facility.operating_status = record.operating_status


def replace_wait_times(
    session: Session,
    rows: Iterable[tuple[str, int, float | None, int | None, float | None]],
    *,
    as_of: date,
    source: str,
) -> int:
    """Replace the wait-time table with (facility_id, clinical_service_id, va_days, sample, cc_days) rows."""
    session.execute(delete(FacilityWaitTime))
    values = [
        {
            "facility_id": facility_id,
            "clinical_service_id": service_id,
            "va_average_days": va_days,
            "va_sample_size": sample,
            "cc_average_days": cc_days,
            "as_of": as_of,
            "source": source,
        }
        for facility_id, service_id, va_days, sample, cc_days in rows
    ]
    if values:  # a Core executemany: no ORM objects and no RETURNING of ids, thousands of rows at once
        session.connection().execute(insert(FacilityWaitTime.metadata.tables["facility_wait_time"]), values)
    return len(values)
