"""Consult-service mapping overrides: an administrator's station mapping, kept across CDW reloads.

Contract with the CDW mapping job: rows of `consult_service` whose `source` is `override` belong to
the administrators; the job must neither update nor delete them. Removing an override restores the
row it replaced, and the next CDW load may then update it as usual.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import Principal
from dst.errors import Invalid, NotFound
from dst.operations.models import MappingOverride
from dst.reference import service as reference
from dst.reference.catalog import normalize_service_name
from dst.reference.models import ConsultService

OVERRIDE = "override"


def _consult_row(session: Session, station: str, name: str) -> ConsultService | None:
    return session.scalar(
        select(ConsultService).where(ConsultService.station == station, ConsultService.name == name)
    )


def set_override(
    session: Session,
    *,
    station: str,
    consult_service: str,
    clinical_service: str,
    principal: Principal,
    now: datetime,
) -> MappingOverride:
    """Map the station's consult service name to a clinical service at once (audited)."""
    station = station.strip()
    if reference.get_station(session, station) is None:
        raise Invalid(f"Station {station or '(blank)'} is not a known VA station number.", field="station")
    name = normalize_service_name(consult_service)
    if not name or len(name) > 80:
        raise Invalid("Enter the consult service name as it appears at the station.", field="consultService")
    service = reference.clinical_service_by_name(session, clinical_service)
    if service is None:
        raise Invalid(
            f"{clinical_service.strip() or '(blank)'} is not an official clinical service or synonym.",
            field="clinicalService",
        )
    row = _consult_row(session, station, name)
    replaced = active_override(session, station=station, consult_service=name)
    if replaced is not None:  # re-pointing an override keeps what the first one replaced
        replaced.removed_at, replaced.removed_by = now, principal.user_id
    previous_source = replaced.previous_source if replaced else (row.source if row else None)
    previous_id = (
        replaced.previous_clinical_service_id if replaced else (row.clinical_service_id if row else None)
    )
    if row is None:
        row = ConsultService(station=station, name=name, source=OVERRIDE, first_seen=now, last_seen=now)
        session.add(row)
    row.source, row.clinical_service_id = OVERRIDE, service.id
    override = MappingOverride(
        station=station,
        consult_service=name,
        clinical_service_id=service.id,
        clinical_service_name=service.name,
        previous_source=previous_source,
        previous_clinical_service_id=previous_id,
        set_by=principal.user_id,
        set_at=now,
    )
    session.add(override)
    session.flush()
    _audit(session, principal, "set-mapping-override", override)
    return override


def remove_override(
    session: Session, *, override_id: int, principal: Principal, now: datetime
) -> MappingOverride:
    """End an override (audited) and put back the mapping it replaced."""
    override = session.get(MappingOverride, override_id)
    if override is None or override.removed_at is not None:
        raise NotFound(f"There is no active mapping override {override_id}.")
    override.removed_at, override.removed_by = now, principal.user_id
    row = _consult_row(session, override.station, override.consult_service)
    if row is not None:
        if override.previous_source is None:
            session.delete(row)  # the override created the row; nothing was there before
        else:
            row.source = override.previous_source
            row.clinical_service_id = override.previous_clinical_service_id
    _audit(session, principal, "remove-mapping-override", override)
    return override


def _audit(session: Session, principal: Principal, action: str, override: MappingOverride) -> None:
    record_event(
        session,
        principal=principal,
        action=action,
        station=override.station,
        detail={
            "override": override.id,
            "consultService": override.consult_service,
            "clinicalService": override.clinical_service_name,
        },
    )


def active_override(session: Session, *, station: str, consult_service: str) -> MappingOverride | None:
    query = select(MappingOverride).where(
        MappingOverride.station == station,
        MappingOverride.consult_service == consult_service,
        MappingOverride.removed_at.is_(None),
    )
    return session.scalar(query.limit(1))


def active_overrides(session: Session) -> list[MappingOverride]:
    query = select(MappingOverride).where(MappingOverride.removed_at.is_(None))
    return list(session.scalars(query.order_by(MappingOverride.station, MappingOverride.consult_service)))


def override_history(session: Session, limit: int = 100) -> list[MappingOverride]:
    query = select(MappingOverride).order_by(MappingOverride.set_at.desc(), MappingOverride.id.desc())
    return list(session.scalars(query.limit(limit)))
