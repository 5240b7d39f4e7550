"""Rows read or written by Core statements and adopted as ORM objects behave as loaded objects."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from dst.audit.models import AuditEvent
from dst.audit.service import record_event
from dst.auth import Principal, Role
from dst.consults.models import DstRecord, IdentityChange
from dst.consults.service import _BY_CONSULT
from dst.db.base import adopt
from dst.db.engine import transaction

CLINICIAN = Principal(user_id="clin1", display_name="Clinician One", role=Role.PROVIDER, source_ip="10.0.0.1")


def a_record(session: Session, number: str) -> None:
    session.add(
        DstRecord(
            dst_id=f"ADOPT{number}",
            station="500",
            dfn="7",
            icn=None,
            consult_service="CARDIOLOGY",
            urgency="routine",
            file_entry_date=date(2026, 12, 1),
            consult_number=number,
        )
    )


def statements(sessions: sessionmaker[Session]) -> list[str]:
    seen: list[str] = []
    event.listen(sessions.kw["bind"], "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_an_adopted_row_is_a_loaded_object_whose_changes_are_saved(
    db_sessions: sessionmaker[Session],
) -> None:
    with transaction(db_sessions) as session:
        a_record(session, "9001")
    with transaction(db_sessions) as session:
        row = session.connection().execute(_BY_CONSULT, {"station": "500", "consult_number": "9001"}).one()
        seen = statements(db_sessions)
        record = adopt(session, DstRecord, row)
        assert seen == []  # adopting runs no statement
        assert record in session and not session.dirty and not session.new
        assert adopt(session, DstRecord, row) is record  # the same identity is the same object
        assert record.decisions == []  # relationships load as for any loaded object
        record.icn = "1012345678V123456"  # a missing identifier may be filled in
        record.version += 1
    with transaction(db_sessions) as session:
        saved = session.scalars(select(DstRecord).where(DstRecord.consult_number == "9001")).one()
        assert (saved.icn, saved.version) == ("1012345678V123456", 2)


def test_an_adopted_record_still_refuses_a_new_veteran(db_sessions: sessionmaker[Session]) -> None:
    with transaction(db_sessions) as session:
        a_record(session, "9002")
    with transaction(db_sessions) as session:
        row = session.connection().execute(_BY_CONSULT, {"station": "500", "consult_number": "9002"}).one()
        record = adopt(session, DstRecord, row)
        with pytest.raises(IdentityChange):
            record.dfn = "8"


def test_an_audit_event_is_written_at_once_and_goes_with_its_transaction(
    db_sessions: sessionmaker[Session],
) -> None:
    def count(session: Session) -> int:
        return len(session.scalars(select(AuditEvent).where(AuditEvent.action == "adopt-test")).all())

    with pytest.raises(RuntimeError), transaction(db_sessions) as session:
        record_event(session, principal=CLINICIAN, action="adopt-test", dst_id="X", station="500")
        assert count(session) == 1  # in the transaction at once, no flush needed
        raise RuntimeError("the change fails")
    with transaction(db_sessions) as session:
        assert count(session) == 0  # rolled back with the change it belonged to
        record_event(session, principal=CLINICIAN, action="adopt-test", dst_id="X", station="500")
    with transaction(db_sessions) as session:
        (event_,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "adopt-test")).all()
        assert (event_.actor, event_.role, event_.outcome, event_.detail) == ("clin1", "provider", "ok", {})
        assert event_.at is not None
