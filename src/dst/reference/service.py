"""Reference look-ups: stations, consult-service → clinical-service resolution, forwarding targets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, selectinload

from dst.db.base import utcnow
from dst.reference.catalog import normalize_service_name
from dst.reference.models import ClinicalService, ClinicalServiceSynonym, ConsultService, SeocEntry, Station

COMMUNITY_CARE_PREFIX = "COMMUNITY CARE-"


def get_station(session: Session, sta3n: str) -> Station | None:
    return session.get(Station, sta3n)


def clinical_service_by_name(session: Session, name: str) -> ClinicalService | None:
    """Official name or national synonym, case- and spacing-insensitive."""
    found = clinical_service_id_by_name(session, name)
    return None if found is None else clinical_service_with_stop_codes(session, found)


def clinical_service_with_stop_codes(session: Session, service_id: int) -> ClinicalService | None:
    # The stop codes come with it (a record's CSC line needs them); synonyms load only if asked for.
    return session.scalar(
        select(ClinicalService)
        .where(ClinicalService.id == service_id)
        .options(selectinload(ClinicalService.stop_codes))
    )


@dataclass(frozen=True)
class Resolution:
    clinical_service: ClinicalService | None
    how: str  # "station mapping", "official name", "synonym"… or "unmapped"


def resolve_consult_service(session: Session, *, station: str, name: str) -> Resolution:
    """Map a consult service name at a station to its clinical service.

    Station-specific names (CDW mapping, administrator overrides) win over the national names.
    """
    wanted = normalize_service_name(name)
    local = session.scalar(
        select(ConsultService).where(ConsultService.station == station, ConsultService.name == wanted)
    )
    if local is not None and local.clinical_service is not None:
        return Resolution(local.clinical_service, f"station {station} mapping ({local.source})")
    national = _national_id(session, wanted)
    if national is not None:
        return Resolution(clinical_service_with_stop_codes(session, national), "national catalog")
    return Resolution(None, "unmapped")


_CONSULT = ConsultService.__table__.c
_SERVICE = ClinicalService.__table__.c
_SYNONYM = ClinicalServiceSynonym.__table__.c


def clinical_service_id_by_name(session: Session, name: str) -> int | None:
    """The clinical service an official name or national synonym names, as an id, in one Core
    statement (the official name first)."""
    found = session.connection().execute(_BY_NAME, {"name": normalize_service_name(name)}).first()
    return None if found is None else int(found[0])


def consult_service_target(session: Session, *, station: str, name: str) -> int | None:
    """`resolve_consult_service`'s clinical service as an id, in Core statements (no ORM objects):
    the station's mapping, else the national one; None when unmapped."""
    wanted = normalize_service_name(name)
    local = session.connection().execute(_MAPPED, {"station": station, "name": wanted}).first()
    if local is not None and local[0] is not None:
        return int(local[0])
    return _national_id(session, wanted)


def _national_id(session: Session, wanted: str) -> int | None:
    """The national name or synonym, else the same without the COMMUNITY CARE- prefix."""
    national = clinical_service_id_by_name(session, wanted)
    if national is None and wanted.startswith(COMMUNITY_CARE_PREFIX):
        national = clinical_service_id_by_name(session, wanted.removeprefix(COMMUNITY_CARE_PREFIX))
    return national


# Built once: every launch resolves its consult service with these (their compiled forms are cached).
_BY_NAME = (
    union_all(
        select(_SERVICE.id, literal(0).label("rank")).where(_SERVICE.name == bindparam("name")),
        select(_SYNONYM.clinical_service_id, literal(1).label("rank")).where(
            _SYNONYM.synonym == bindparam("name")
        ),
    )
    .order_by("rank")
    .limit(1)
)
_MAPPED = select(_CONSULT.clinical_service_id).where(
    _CONSULT.station == bindparam("station"), _CONSULT.name == bindparam("name")
)


def note_unmapped(session: Session, *, station: str, name: str) -> None:
    """Remember a consult service name that arrived with no mapping, for the administrators' list."""
    wanted = normalize_service_name(name)
    row = session.scalar(
        select(ConsultService).where(ConsultService.station == station, ConsultService.name == wanted)
    )
    if row is None:
        session.add(ConsultService(station=station, name=wanted, source="seen", clinical_service_id=None))
    else:
        row.last_seen = utcnow()


def search_clinical_services(session: Session, text: str, limit: int = 10) -> list[ClinicalService]:
    """Typeahead over official names and synonyms."""
    pattern = f"%{normalize_service_name(text)}%"
    # EXISTS rather than JOIN + DISTINCT: PostgreSQL refuses DISTINCT with an ORDER BY expression
    # that is not in the select list.
    synonym_matches = (
        select(ClinicalServiceSynonym.id)
        .where(
            ClinicalServiceSynonym.clinical_service_id == ClinicalService.id,
            ClinicalServiceSynonym.synonym.like(pattern),
        )
        .exists()
    )
    query = (
        select(ClinicalService)
        .where(or_(ClinicalService.name.like(pattern), synonym_matches))
        .order_by(func.length(ClinicalService.name), ClinicalService.name)
        .limit(limit)
    )
    return list(session.scalars(query))


def all_clinical_services(session: Session) -> list[ClinicalService]:
    return list(session.scalars(select(ClinicalService).order_by(ClinicalService.name)))


def community_care_services(session: Session, station: str) -> list[str]:
    """The station's known `COMMUNITY CARE-…` consult service names (empty when CDW has not loaded it)."""
    rows = session.scalars(
        select(ConsultService.name).where(
            ConsultService.station == station,
            ConsultService.community_care.is_(True),
            ConsultService.source != "seen",
        )
    )
    return sorted(rows)


def default_forward_target(session: Session, *, station: str, clinical_service: ClinicalService) -> str:
    """The station's community-care consult service for this clinical service, else the national name."""
    local = session.scalar(
        select(ConsultService.name).where(
            ConsultService.station == station,
            ConsultService.community_care.is_(True),
            ConsultService.clinical_service_id == clinical_service.id,
        )
    )
    return local or clinical_service.community_care_consult_name


class HasSeocCategories(Protocol):
    @property
    def seoc_categories(self) -> Sequence[str]: ...


def seocs_for(session: Session, clinical_service: HasSeocCategories | None) -> list[SeocEntry]:
    """Active SEOCs whose category of care belongs to the clinical service (the national mapping)."""
    if clinical_service is None or not clinical_service.seoc_categories:
        return []
    query = select(SeocEntry).where(SeocEntry.category_of_care.in_(clinical_service.seoc_categories))
    return list(session.scalars(query.order_by(SeocEntry.name)))
