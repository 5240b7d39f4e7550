"""A plain snapshot of a DST record and its reference data, so async panel code never touches the ORM."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Row, Table, and_, bindparam, func, insert, select
from sqlalchemy.orm import Session, object_session

from dst.audit.models import AuditEvent
from dst.consults.models import Decision, DstRecord
from dst.reference.models import ClinicalService, Station
from dst.reference.service import clinical_service_with_stop_codes

if TYPE_CHECKING:
    from dst.operations.designations import DesignationInfo

# The clinical-service catalog is national reference data that changes with a release or a load
# job, not between one panel request and the next: a snapshot serves a minute of requests.
SERVICE_TTL_S = 60.0


@dataclass(frozen=True)
class ServiceInfo:
    id: int
    name: str
    care_category: str
    lighthouse_service_id: str
    ppms_specialty_codes: tuple[str, ...]
    seoc_categories: tuple[str, ...]
    primary_stop_code: str
    community_care_consult_name: str

    @classmethod
    def of(cls, service: ClinicalService) -> ServiceInfo:
        return cls(
            id=service.id,
            name=service.name,
            care_category=service.care_category,
            lighthouse_service_id=service.lighthouse_service_id,
            ppms_specialty_codes=tuple(service.ppms_specialty_codes),
            seoc_categories=tuple(service.seoc_categories),
            primary_stop_code=service.primary_stop_code,
            community_care_consult_name=service.community_care_consult_name,
        )


@dataclass(frozen=True)
class Entries:
    """The user's saved entries that feed the eligibility rules."""

    next_available_date: date | None = None
    veteran_agreed_later_date: date | None = None
    bmi_factor: str | None = None
    bmi_explanation: str | None = None


@dataclass(frozen=True)
class RecordContext:
    dst_id: str
    station: str
    icn: str | None
    dfn: str | None
    consult_service: str
    urgency: str
    file_entry_date: date
    clinically_indicated_date: date | None
    signed: bool
    released_to_hsrm: bool
    version: int
    service: ServiceInfo | None
    entries: Entries
    # VA designations of this service at this station (any dates); the rules pick those in force.
    designations: tuple[DesignationInfo, ...] = ()

    @classmethod
    def of(cls, record: DstRecord, *, designations: bool = True) -> RecordContext:
        """`designations=False` skips the query for the station's designations (no rule reads them)."""
        decision = record.decision
        entries = Entries()
        if decision is not None:
            entries = Entries(
                next_available_date=decision.next_available_date,
                veteran_agreed_later_date=decision.veteran_agreed_later_date,
                bmi_factor=decision.bmi_factor,
                bmi_explanation=decision.bmi_explanation,
            )
        return cls(
            dst_id=record.dst_id,
            station=record.station,
            icn=record.icn,
            dfn=record.dfn,
            consult_service=record.consult_service,
            urgency=record.urgency,
            file_entry_date=record.file_entry_date,
            clinically_indicated_date=record.clinically_indicated_date,
            signed=record.signed,
            released_to_hsrm=record.released_to_hsrm,
            version=record.version,
            service=ServiceInfo.of(record.clinical_service) if record.clinical_service else None,
            entries=entries,
            designations=_designations(record) if designations else (),
        )


def _designations(record: DstRecord) -> tuple[DesignationInfo, ...]:
    session = object_session(record)
    if session is None:
        return ()
    return _service_designations(session, record.station, record.clinical_service_id)


def _service_designations(
    session: Session, station: str, clinical_service_id: int | None
) -> tuple[DesignationInfo, ...]:
    if clinical_service_id is None:
        return ()
    from dst.operations.designations import for_service  # the console's table; imported late, no cycle

    return for_service(session, station=station, clinical_service_id=clinical_service_id)


_record = DstRecord.__table__.c
_decision = Decision.__table__.c
_RECORD = (
    _record.id,
    _record.dst_id,
    _record.station,
    _record.icn,
    _record.dfn,
    _record.consult_service,
    _record.urgency,
    _record.file_entry_date,
    _record.clinically_indicated_date,
    _record.signed,
    _record.released_to_hsrm,
    _record.version,
    _record.clinical_service_id,
)
_ENTRIES = (
    _decision.next_available_date,
    _decision.veteran_agreed_later_date,
    _decision.bmi_factor,
    _decision.bmi_explanation,
)
# A Core statement built once (its compiled form is cached): the record and its latest revision's
# entries in one indexed read, with none of the ORM's per-row work.
_latest = (
    select(func.max(_decision.revision))
    .where(_decision.dst_record_id == _record.id)
    .correlate(DstRecord.__table__)
    .scalar_subquery()
)
_READ_CONTEXT = (
    select(*_RECORD, *_ENTRIES)
    .select_from(
        DstRecord.__table__.outerjoin(
            Decision.__table__,
            and_(_decision.dst_record_id == _record.id, _decision.revision == _latest),
        )
    )
    .where(_record.dst_id == bindparam("dst_id"))
)

SeocLoader = Callable[[Session, "ServiceInfo"], list[dict[str, Any]]]


class ReferenceSnapshots:
    """Reference data a panel read needs, held a minute per app (thread-safe).

    ServiceInfo by clinical service id, and each service's active SEOCs as JSON-ready dicts: the
    national catalog changes with a release or a load job, not between one panel and the next.
    """

    def __init__(self, ttl_s: float = SERVICE_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._services: dict[int, tuple[float, ServiceInfo]] = {}
        self._seocs: dict[tuple[str, ...], tuple[float, list[dict[str, Any]]]] = {}
        self._orm_services: dict[int, tuple[float, ClinicalService]] = {}
        self._stations: dict[str, tuple[float, Station]] = {}
        self._lock = threading.Lock()

    def service(self, session: Session, service_id: int) -> ServiceInfo | None:
        now = time.monotonic()
        with self._lock:
            cached = self._services.get(service_id)
        if cached is not None and now - cached[0] < self.ttl_s:
            return cached[1]
        service = clinical_service_with_stop_codes(session, service_id)
        if service is None:
            return None
        info = ServiceInfo.of(service)
        with self._lock:
            self._services[service_id] = (now, info)
        return info

    def clinical_service(self, session: Session, service_id: int) -> ClinicalService | None:
        """The clinical service with its stop codes, as an object of `session`, from a detached copy
        held here: merged without loading (no statement) while the copy is fresh."""
        now = time.monotonic()
        with self._lock:
            cached = self._orm_services.get(service_id)
        if cached is None or now - cached[0] >= self.ttl_s:
            loaded = clinical_service_with_stop_codes(session, service_id)
            if loaded is None:
                return None
            # The loaded object (and its stop codes, by cascade) becomes the held copy; the session
            # gets its own copy from the merge below, so no two sessions ever share an object.
            session.expunge(loaded)
            cached = (now, loaded)
            with self._lock:
                self._orm_services[service_id] = cached
        return session.merge(cached[1], load=False)

    def known_station(self, session: Session, sta3n: str) -> bool:
        """Whether `sta3n` is a VA station. A station once found is held a while and merged into
        `session` without a query (the rollout check reads its VISN next); an unknown number is
        asked again each time, so a station loaded since is found at once."""
        now = time.monotonic()
        with self._lock:
            held = self._stations.get(sta3n)
        if held is not None and now - held[0] < self.ttl_s:
            _keep(session, session.merge(held[1], load=False))
            return True
        station = session.get(Station, sta3n)
        if station is None:
            return False
        session.expunge(station)
        with self._lock:
            self._stations[sta3n] = (now, station)
        _keep(session, session.merge(station, load=False))
        return True

    def cached_seocs(self, service: ServiceInfo) -> list[dict[str, Any]] | None:
        """The service's SEOC rows if held and fresh, without a session (no database work)."""
        with self._lock:
            cached = self._seocs.get(service.seoc_categories)
        if cached is not None and time.monotonic() - cached[0] < self.ttl_s:
            return cached[1]
        return None

    def seocs(
        self,
        session: Session,
        service: ServiceInfo,
        load: Callable[[Session, ServiceInfo], list[dict[str, Any]]],
    ) -> list[dict[str, Any]]:
        key = service.seoc_categories
        now = time.monotonic()
        with self._lock:
            cached = self._seocs.get(key)
        if cached is not None and now - cached[0] < self.ttl_s:
            return cached[1]
        rows = load(session, service)
        with self._lock:
            self._seocs[key] = (now, rows)
        return rows


def read_context(
    session: Session, dst_id: str, snapshots: ReferenceSnapshots, *, designations: bool = True
) -> RecordContext | None:
    """The record's context in one indexed read (plus designations), without loading ORM objects.

    `designations=False` leaves out the station's service designations, which only the
    eligibility rules read (partner panels do not).
    """
    row = session.connection().execute(_READ_CONTEXT, {"dst_id": dst_id}).first()
    return None if row is None else _context_of(row, session, snapshots, designations=designations)


def read_context_audited(
    session: Session,
    dst_id: str,
    snapshots: ReferenceSnapshots,
    audit_row: dict[str, Any],
    *,
    designations: bool = True,
) -> RecordContext | None:
    """PostgreSQL: `read_context` and the read's audit row (`audit_row`, naming the record's DST ID,
    ICN and station from the row read) in one statement, so a panel's audited read is one round
    trip. A record not found writes no row."""
    found = session.connection().execute(
        _AUDITED_READ, {"dst_id": dst_id, **{f"audit_{k}": audit_row[k] for k in _AUDIT_GIVEN}}
    )
    row = found.first()
    return None if row is None else _context_of(row, session, snapshots, designations=designations)


def _context_of(
    row: Row[*tuple[Any, ...]], session: Session, snapshots: ReferenceSnapshots, *, designations: bool
) -> RecordContext:
    entries = Entries(
        next_available_date=row.next_available_date,
        veteran_agreed_later_date=row.veteran_agreed_later_date,
        bmi_factor=row.bmi_factor,
        bmi_explanation=row.bmi_explanation,
    )
    service = snapshots.service(session, row.clinical_service_id) if row.clinical_service_id else None
    return RecordContext(
        dst_id=row.dst_id,
        station=row.station,
        icn=row.icn,
        dfn=row.dfn,
        consult_service=row.consult_service,
        urgency=row.urgency,
        file_entry_date=row.file_entry_date,
        clinically_indicated_date=row.clinically_indicated_date,
        signed=row.signed,
        released_to_hsrm=row.released_to_hsrm,
        version=row.version,
        service=service,
        entries=entries,
        designations=_service_designations(session, row.station, row.clinical_service_id)
        if designations
        else (),
    )


# The same read with its audit row written by a data-modifying WITH (PostgreSQL runs it exactly
# once, whether or not the outer query reads it): the row takes the record's DST ID, ICN and
# station from the read, and the rest of its columns from parameters named audit_<column>.
_AUDIT = cast(Table, AuditEvent.__table__)
_AUDIT_GIVEN = ("at", "actor", "role", "action", "source_ip", "outcome", "detail")
_found = _READ_CONTEXT.cte("found")
_audited = (
    insert(_AUDIT)
    .from_select(
        [*_AUDIT_GIVEN, "dst_id", "icn", "station"],
        select(
            *(bindparam(f"audit_{k}", type_=_AUDIT.c[k].type) for k in _AUDIT_GIVEN),
            _found.c.dst_id,
            _found.c.icn,
            _found.c.station,
        ),
    )
    .cte("audited")
)
_AUDITED_READ = select(_found).add_cte(_audited)


def _keep(session: Session, instance: object) -> None:
    """Hold a merged instance for the session's life: its identity map keeps only weak references
    to unchanged objects, so one nobody refers to is gone at once and `session.get` asks again."""
    session.info.setdefault("dst_held", []).append(instance)
