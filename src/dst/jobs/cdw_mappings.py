"""CDW consult → clinical service mapping: each station's request services, by their linked stop codes.

A request service maps to the clinical service whose catalog stop code it is linked to; when several
match, the service for which that code is the primary (lowest position) wins. Administrator
overrides (`source = override`) are never touched; names CDW no longer lists lose their `cdw` row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dst.cdw.queries import request_service_stop_codes
from dst.cdw.schema import request_service, request_service_stop_code
from dst.cdw.source import CdwShapeError, cdw_engine, check_view
from dst.db.engine import transaction
from dst.jobs.context import JobContext, JobError, JobOutcome
from dst.reference.catalog import normalize_service_name
from dst.reference.models import ClinicalServiceStopCode, ConsultService
from dst.reference.service import COMMUNITY_CARE_PREFIX

KEPT_SOURCES = frozenset({"override"})


@dataclass(frozen=True)
class Mapping:
    station: str
    name: str
    clinical_service_id: int

    @property
    def community_care(self) -> bool:
        return self.name.startswith(COMMUNITY_CARE_PREFIX)


async def map_consult_services(context: JobContext) -> JobOutcome:
    links = _read_links(context)
    outcome = JobOutcome(read=len(links))
    context.progress(0, len(links), "request services read from CDW")
    with transaction(context.sessions) as session:
        mappings = _choose(links, _catalog_codes(session), outcome)
        outcome.written = _store(session, mappings)
    # Progress renews the claim in a transaction of its own: never call it while holding one (SQLite).
    context.progress(len(links), len(links), "consult services mapped")
    return outcome


def _read_links(context: JobContext) -> list[tuple[str, str, str | None]]:
    engine = cdw_engine(context.settings)
    try:
        check_view(engine, request_service)
        check_view(engine, request_service_stop_code)
        with engine.connect() as connection:
            return [(r[0], r[1], r[2]) for r in connection.execute(request_service_stop_codes())]
    except CdwShapeError as error:
        raise JobError(str(error)) from error
    finally:
        engine.dispose()


def _catalog_codes(session: Session) -> dict[str, list[tuple[int, int]]]:
    """stop code → [(position, clinical service id)], best first."""
    codes: dict[str, list[tuple[int, int]]] = defaultdict(list)
    rows = session.execute(
        select(
            ClinicalServiceStopCode.stop_code,
            ClinicalServiceStopCode.position,
            ClinicalServiceStopCode.clinical_service_id,
        )
    )
    for code, position, service_id in rows:
        codes[code].append((position, service_id))
    for candidates in codes.values():
        candidates.sort()
    return codes


def _choose(
    links: list[tuple[str, str, str | None]], catalog: dict[str, list[tuple[int, int]]], outcome: JobOutcome
) -> list[Mapping]:
    candidates: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for station, raw_name, stop_code in links:
        found = candidates[(station, normalize_service_name(raw_name))]
        found.extend(catalog.get(stop_code or "", ()))
    mappings = []
    for (station, name), found in sorted(candidates.items()):
        if not found:
            outcome.warn(f"no catalog stop code for consult service {name!r} at station {station}")
            continue
        mappings.append(Mapping(station, name, min(found)[1]))
    return mappings


def _store(session: Session, mappings: list[Mapping]) -> int:
    existing = {(c.station, c.name): c for c in session.scalars(select(ConsultService))}
    wanted = {(m.station, m.name) for m in mappings}
    for key, row in existing.items():
        if row.source == "cdw" and key not in wanted:
            session.delete(row)
    written = 0
    for mapping in mappings:
        found = existing.get((mapping.station, mapping.name))
        if found is not None and found.source in KEPT_SOURCES:
            continue
        row = found or ConsultService(station=mapping.station, name=mapping.name)
        session.add(row)
        row.clinical_service_id = mapping.clinical_service_id
        row.community_care = mapping.community_care
        row.source = "cdw"
        written += 1
    return written
