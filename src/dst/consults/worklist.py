"""The schedulers' worklist: consults whose saved decision waits for VA's next available appointment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dst.consults.models import Decision, DstRecord
from dst.eligibility.models import PENDING_SCHEDULING, EligibilityResult

LIMIT = 500  # oldest first; a station with more waiting than this has a backlog the page says it cut


@dataclass(frozen=True)
class Waiting:
    dst_id: str
    station: str
    consult_number: str | None
    clinical_service: str
    urgency: str
    file_entry_date: date
    wait_time_eligibility_date: str | None
    veteran_option: str
    reason: str  # "opted-in" or "wait-time": why it waits for a date
    decided_by: str


def waits_for_scheduling(eligibility: dict[str, Any]) -> bool:
    """The saved answer is "not eligible yet": nothing met, wait time left to the next available date."""
    if not eligibility.get("criteria"):
        return False
    return EligibilityResult.from_dict(eligibility).state == PENDING_SCHEDULING


@dataclass(frozen=True)
class Worklist:
    rows: list[Waiting]
    stations: list[str]  # every station with a consult waiting, for the filter
    cut: bool  # more than LIMIT waited: the oldest LIMIT are listed


def awaiting_a_date(session: Session, station: str | None = None) -> Worklist:
    """Records whose latest decision has no next available date yet and either opted in or leaves wait
    time to scheduling, oldest file entry first; not those released to HSRM (read-only)."""
    latest = (
        select(Decision.dst_record_id, func.max(Decision.revision).label("revision"))
        .group_by(Decision.dst_record_id)
        .subquery()
    )
    query = (
        select(DstRecord, Decision)
        .join(latest, latest.c.dst_record_id == DstRecord.id)
        .join(
            Decision,
            (Decision.dst_record_id == DstRecord.id) & (Decision.revision == latest.c.revision),
        )
        .where(Decision.next_available_date.is_(None), DstRecord.released_to_hsrm.is_(False))
        .order_by(DstRecord.file_entry_date, DstRecord.id)
    )
    rows: list[Waiting] = []
    stations: set[str] = set()
    cut = False
    for record, decision in session.execute(query):
        wait_time = waits_for_scheduling(decision.eligibility or {})
        if decision.veteran_option != "opt-in" and not wait_time:
            continue
        stations.add(record.station)
        if station and record.station != station:
            continue
        if len(rows) == LIMIT:
            cut = True
            continue
        rows.append(
            Waiting(
                dst_id=record.dst_id,
                station=record.station,
                consult_number=record.consult_number,
                clinical_service=decision.clinical_service_name,
                urgency=record.urgency,
                file_entry_date=record.file_entry_date,
                wait_time_eligibility_date=(decision.eligibility or {}).get("wait_time_eligibility_date"),
                veteran_option=decision.veteran_option,
                reason="wait-time" if wait_time else "opted-in",
                decided_by=decision.decided_by,
            )
        )
    return Worklist(rows, sorted(stations), cut)
