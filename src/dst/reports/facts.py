"""Write the minimal-PHI report fact for a saved decision (same transaction as the decision)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from dst.eligibility import EligibilityResult
from dst.reference.models import Station
from dst.reports.models import DecisionFact
from dst.reports.tallies import count_fact


class CareCategorised(Protocol):
    @property
    def care_category(self) -> str: ...


class DecidedRecord(Protocol):
    """What a fact keeps of the DST record (dst.consults.models.DstRecord)."""

    @property
    def dst_id(self) -> str: ...
    @property
    def station(self) -> str: ...
    @property
    def urgency(self) -> str: ...
    @property
    def file_entry_date(self) -> date: ...
    @property
    def clinical_service(self) -> CareCategorised | None: ...


class SavedDecision(Protocol):
    """What a fact keeps of the decision (dst.consults.models.Decision)."""

    @property
    def revision(self) -> int: ...
    @property
    def clinical_service_name(self) -> str: ...
    @property
    def decided_at(self) -> datetime: ...
    @property
    def decided_role(self) -> str: ...
    @property
    def bmi_factor(self) -> str | None: ...
    @property
    def veteran_option(self) -> str: ...
    @property
    def forward(self) -> bool: ...
    @property
    def forward_to(self) -> str | None: ...
    @property
    def partner_errors(self) -> list[str]: ...
    @property
    def standards_version(self) -> str: ...


def record_key(dst_id: str) -> str:
    """Lets facts of one record be grouped without keeping the DST ID itself."""
    return hashlib.sha256(f"dst-fact:{dst_id}".encode()).hexdigest()


def write_decision_fact(
    session: Session, record: DecidedRecord, decision: SavedDecision, result: EligibilityResult
) -> None:
    station = session.get(Station, record.station)
    fact = DecisionFact(
        record_key=record_key(record.dst_id),
        revision=decision.revision,
        station=record.station,
        visn=station.visn if station else None,
        clinical_service=decision.clinical_service_name,
        care_category=record.clinical_service.care_category if record.clinical_service else None,
        urgency=record.urgency,
        file_entry_date=record.file_entry_date,
        decided_on=decision.decided_at.date(),
        decided_at=decision.decided_at,
        decided_role=decision.decided_role,
        eligible=result.eligible,
        criteria={c.code: c.status for c in result.criteria},
        bmi_factor=decision.bmi_factor,
        veteran_option=decision.veteran_option,
        forward=decision.forward,
        forward_to=decision.forward_to,
        partner_errors=list(decision.partner_errors),
        standards_version=decision.standards_version,
    )
    session.add(fact)
    count_fact(session, fact)
