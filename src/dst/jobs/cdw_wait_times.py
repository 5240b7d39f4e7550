"""CDW facility average waits per facility and clinical service (VA 30 days; community care 90 days).

The CDW source sums wait days and counts appointments per (division, stop code) — or per (division,
SEOC category of care) for community care — and only those groups come back. A clinical service's
average is then the count-weighted mean over its catalog stop codes (or categories of care).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dst.cdw.queries import cc_wait_groups, va_wait_groups
from dst.cdw.schema import appointment, clinic, community_care_appointment
from dst.cdw.source import CdwShapeError, cdw_engine, check_view
from dst.db.base import utcnow
from dst.db.engine import transaction
from dst.jobs.context import JobContext, JobError, JobOutcome
from dst.reference.facilities import replace_wait_times
from dst.reference.models import ClinicalService, ClinicalServiceStopCode

Group = tuple[str, str, float, int]  # (sta6a, stop code or category, total days, appointments)
Totals = dict[tuple[str, int], list[float]]  # (facility id, clinical service id) -> [days, count]


async def load_wait_times(context: JobContext) -> JobOutcome:
    today = utcnow().date()
    va_groups, cc_groups, outcome = _read_groups(context, today)
    context.progress(1, 2, "wait-time groups read from CDW")
    with transaction(context.sessions) as session:
        va = _per_service(va_groups, _services_by_stop_code(session))
        cc = _per_service(cc_groups or [], _services_by_category(session))
        outcome.written = replace_wait_times(session, _rows(va, cc), as_of=today, source="cdw")
    context.progress(2, 2, "wait times stored")
    return outcome


def _read_groups(context: JobContext, today: date) -> tuple[list[Group], list[Group] | None, JobOutcome]:
    engine = cdw_engine(context.settings)
    try:
        check_view(engine, appointment)
        check_view(engine, clinic)
        has_cc = check_view(engine, community_care_appointment, required=False)
        va_groups = _fetch(engine, va_wait_groups(today, engine.dialect.name))
        cc_groups = _fetch(engine, cc_wait_groups(today, engine.dialect.name)) if has_cc else None
    except CdwShapeError as error:
        raise JobError(str(error)) from error
    finally:
        engine.dispose()
    outcome = JobOutcome(read=sum(g[3] for g in va_groups) + sum(g[3] for g in cc_groups or []))
    if cc_groups is None:
        outcome.warn("the CDW has no dst_cc_appointment view: community-care waits left empty")
    return va_groups, cc_groups, outcome


def _fetch(engine: Engine, query: object) -> list[Group]:
    with engine.connect() as connection:
        return [(r[0], r[1], float(r[2] or 0), int(r[3])) for r in connection.execute(query)]  # type: ignore[call-overload]


def _services_by_stop_code(session: Session) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for code, service_id in session.execute(
        select(ClinicalServiceStopCode.stop_code, ClinicalServiceStopCode.clinical_service_id)
    ):
        found[code].append(service_id)
    return found


def _services_by_category(session: Session) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for service in session.scalars(select(ClinicalService)):
        for category in service.seoc_categories:
            found[category].append(service.id)
    return found


def _per_service(groups: Iterable[Group], services_of: dict[str, list[int]]) -> Totals:
    totals: Totals = defaultdict(lambda: [0.0, 0])
    for sta6a, key, days, count in groups:
        for service_id in services_of.get(key, ()):
            total = totals[(f"vha_{sta6a}", service_id)]
            total[0] += days
            total[1] += count
    return totals


def _rows(va: Totals, cc: Totals) -> list[tuple[str, int, float | None, int | None, float | None]]:
    rows = []
    for key in sorted(set(va) | set(cc)):
        va_days, va_count = va.get(key, (0.0, 0))
        cc_days, cc_count = cc.get(key, (0.0, 0))
        rows.append(
            (
                key[0],
                key[1],
                round(va_days / va_count, 1) if va_count else None,
                int(va_count) or None,
                round(cc_days / cc_count, 1) if cc_count else None,
            )
        )
    return rows
