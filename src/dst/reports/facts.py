"""Write the minimal-PHI report fact for a saved decision (same transaction as the decision)."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from dst.consults.models import Decision, DstRecord
from dst.eligibility import EligibilityResult
from dst.reference.models import Station
from dst.reports.models import DecisionFact
from dst.reports.tallies import count_fact


def record_key(dst_id: str) -> str:
    """Lets facts of one record be grouped without keeping the DST ID itself."""
    return hashlib.sha256(f"dst-fact:{dst_id}".encode()).hexdigest()


def write_decision_fact(
    session: Session, record: DstRecord, decision: Decision, result: EligibilityResult
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
