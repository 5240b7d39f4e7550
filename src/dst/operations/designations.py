"""VA designations per station and clinical service: "not offered" (17.4010(a)(1)) and "below VA
quality standards" (17.4010(a)(6)). Dated, audited, never deleted; the eligibility rules cite them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, select
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import Principal
from dst.errors import Invalid, NotFound
from dst.operations.models import DESIGNATION_KINDS, QUALITY_NOT_MET, SERVICE_NOT_OFFERED, ServiceDesignation
from dst.reference import service as reference

KIND_LABELS = {
    SERVICE_NOT_OFFERED: "VA does not offer the service (38 CFR 17.4010(a)(1))",
    QUALITY_NOT_MET: "Service line does not meet VA quality standards (38 CFR 17.4010(a)(6))",
}


@dataclass(frozen=True)
class DesignationInfo:
    """A designation as plain data, for the eligibility evidence."""

    id: int
    kind: str
    station: str
    clinical_service: str
    effective_from: date
    effective_to: date | None
    reason: str
    set_by: str

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def citation(self) -> str:
        start = self.effective_from.isoformat()
        span = f"{start} to {self.effective_to.isoformat()}" if self.effective_to else f"from {start}"
        return (
            f"DST designation #{self.id} at station {self.station}, in force {span}, recorded by "
            f"{self.set_by}: {self.reason}"
        )

    @classmethod
    def of(cls, row: ServiceDesignation | Row[*tuple[Any, ...]]) -> DesignationInfo:
        return cls(
            row.id,
            row.kind,
            row.station,
            row.clinical_service_name,
            row.effective_from,
            row.effective_to,
            row.reason,
            row.set_by,
        )


def add_designation(
    session: Session,
    *,
    station: str,
    clinical_service: str,
    kind: str,
    effective_from: date,
    effective_to: date | None,
    reason: str,
    principal: Principal,
    now: datetime,
) -> ServiceDesignation:
    """Record a designation (audited). Dates are inclusive; an open end lasts until it is ended."""
    station = station.strip()
    if reference.get_station(session, station) is None:
        raise Invalid(f"Station {station or '(blank)'} is not a known VA station number.", field="station")
    service = reference.clinical_service_by_name(session, clinical_service)
    if service is None:
        raise Invalid(
            f"{clinical_service.strip() or '(blank)'} is not an official clinical service or synonym.",
            field="clinicalService",
        )
    if kind not in DESIGNATION_KINDS:
        raise Invalid(f"Choose the designation: {', '.join(DESIGNATION_KINDS)}.", field="kind")
    if effective_to is not None and effective_to < effective_from:
        raise Invalid("The last day in force is before the first day.", field="effectiveTo")
    reason = " ".join(reason.split())
    if not reason or len(reason) > 300:
        raise Invalid(
            "Give the reason and its source (for example the VISN or VHA memo), at most 300 characters.",
            field="reason",
        )
    row = ServiceDesignation(
        station=station,
        clinical_service_id=service.id,
        clinical_service_name=service.name,
        kind=kind,
        effective_from=effective_from,
        effective_to=effective_to,
        reason=reason,
        set_by=principal.user_id,
        set_at=now,
    )
    session.add(row)
    session.flush()
    _audit(session, principal, "add-service-designation", row)
    return row


def end_designation(
    session: Session, *, designation_id: int, principal: Principal, now: datetime, today: date
) -> ServiceDesignation:
    """Stop a designation from today on (audited); one that has not started yet never takes effect."""
    row = session.get(ServiceDesignation, designation_id)
    if row is None or row.ended_at is not None:
        raise NotFound(f"There is no designation {designation_id} still in force or to come.")
    if row.effective_to is not None and row.effective_to < today:
        raise NotFound(f"Designation {designation_id} already ended on {row.effective_to.isoformat()}.")
    row.effective_to = max(today - timedelta(days=1), row.effective_from - timedelta(days=1))
    row.ended_by, row.ended_at = principal.user_id, now
    _audit(session, principal, "end-service-designation", row)
    return row


def _audit(session: Session, principal: Principal, action: str, row: ServiceDesignation) -> None:
    record_event(
        session,
        principal=principal,
        action=action,
        station=row.station,
        detail={
            "designation": row.id,
            "kind": row.kind,
            "clinicalService": row.clinical_service_name,
            "effectiveFrom": row.effective_from.isoformat(),
            "effectiveTo": row.effective_to.isoformat() if row.effective_to else None,
        },
    )


def for_service(session: Session, *, station: str, clinical_service_id: int) -> tuple[DesignationInfo, ...]:
    """Every designation of this service at this station; the caller picks those in force on its date.

    Read on every eligibility panel: plain rows from a statement built once, no ORM objects."""
    found = session.connection().execute(
        _OF_SERVICE, {"station": station, "clinical_service_id": clinical_service_id}
    )
    return tuple(DesignationInfo.of(r) for r in found)


_D = cast(Table, ServiceDesignation.__table__).c
_OF_SERVICE = (
    select(
        _D.id,
        _D.kind,
        _D.station,
        _D.clinical_service_name,
        _D.effective_from,
        _D.effective_to,
        _D.reason,
        _D.set_by,
    )
    .where(_D.station == bindparam("station"), _D.clinical_service_id == bindparam("clinical_service_id"))
    .order_by(_D.id)
)


def listing(session: Session, limit: int = 200) -> list[ServiceDesignation]:
    query = select(ServiceDesignation).order_by(
        ServiceDesignation.set_at.desc(), ServiceDesignation.id.desc()
    )
    return list(session.scalars(query.limit(limit)))
