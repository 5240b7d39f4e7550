"""DST records (one per consult), their decisions, and idempotency keys for decision saves."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.base import NEVER_SET, NO_VALUE

from dst.db.base import Base, UtcDateTime, utcnow
from dst.reference.models import ClinicalService


class DstRecord(Base):
    """The working record for one consult: its context from CPRS and the user's entries.

    DST is the system of record for 30 days after `updated_at`; then the purge removes it.
    `version` increases with every change and guards against lost updates.
    """

    __tablename__ = "dst_record"
    __table_args__ = (UniqueConstraint("station", "consult_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dst_id: Mapped[str] = mapped_column(String(32), unique=True)
    station: Mapped[str] = mapped_column(String(3), index=True)
    dfn: Mapped[str | None] = mapped_column(String(20))
    icn: Mapped[str | None] = mapped_column(String(20))
    consult_service: Mapped[str] = mapped_column(String(80))
    clinical_service_id: Mapped[int | None] = mapped_column(ForeignKey("clinical_service.id"))
    urgency: Mapped[str] = mapped_column(String(10))
    clinically_indicated_date: Mapped[date | None] = mapped_column(Date)
    file_entry_date: Mapped[date] = mapped_column(Date)
    consult_number: Mapped[str | None] = mapped_column(String(20))
    order_number: Mapped[str | None] = mapped_column(String(20))
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    released_to_hsrm: Mapped[bool] = mapped_column(Boolean, default=False)
    launched_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    clinical_service: Mapped[ClinicalService | None] = relationship()
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="record",
        cascade="all, delete-orphan",
        order_by="Decision.revision",
        passive_deletes=True,
    )

    @property
    def decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None


class IdentityChange(RuntimeError):
    """Code tried to replace a record's ICN or DFN: a record is about one Veteran for its whole life."""


@event.listens_for(DstRecord.icn, "set", active_history=True)
@event.listens_for(DstRecord.dfn, "set", active_history=True)
def _identity_is_fixed(target: DstRecord, value: Any, oldvalue: Any, _initiator: Any) -> None:
    """A missing identifier may be filled in; one that is there is never replaced (consults.service)."""
    if oldvalue not in (None, NO_VALUE, NEVER_SET) and value != oldvalue:
        raise IdentityChange(f"DST record {target.dst_id}: its Veteran's identifiers cannot be replaced")


class Decision(Base):
    """One saved decision; each save adds a revision so the history stays reproducible."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("dst_record_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dst_record_id: Mapped[int] = mapped_column(ForeignKey("dst_record.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    veteran_option: Mapped[str] = mapped_column(String(10))
    seoc_id: Mapped[str | None] = mapped_column(String(40))
    seoc_name: Mapped[str | None] = mapped_column(String(200))
    forward: Mapped[bool] = mapped_column(Boolean, default=False)
    forward_to: Mapped[str | None] = mapped_column(String(80))
    bmi_factor: Mapped[str | None] = mapped_column(String(40))
    bmi_explanation: Mapped[str | None] = mapped_column(String(200))
    next_available_date: Mapped[date | None] = mapped_column(Date)
    veteran_agreed_later_date: Mapped[date | None] = mapped_column(Date)
    # The later-date exception needs its witness: who recorded the Veteran's agreement, and when.
    agreement_recorded_by: Mapped[str | None] = mapped_column(String(80))
    agreement_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    clinical_service_name: Mapped[str] = mapped_column(String(80))
    primary_stop_code: Mapped[str] = mapped_column(String(3))
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSON)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    partner_errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    standards_version: Mapped[str] = mapped_column(String(40))
    decided_by: Mapped[str] = mapped_column(String(80))
    decided_role: Mapped[str] = mapped_column(String(20))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    record: Mapped[DstRecord] = relationship(back_populates="decisions")


class IdempotencyKey(Base):
    """A decision save's Idempotency-Key with the stored answer, replayed on a retry."""

    __tablename__ = "idempotency_key"

    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class PartnerCall(Base):
    """A partner answer for one record, shared between DST's processes (dst.consults.shared).

    `pending` while its owner is calling the partner; `done` with the answer (or the named failure)
    as JSON. Rows live minutes, never past `expires_at` plus the cleanup interval. `waited`: another
    process waits for this answer, so its owner announces it. On PostgreSQL the table is UNLOGGED
    (migration 0012): a cache of minutes that a database crash empties.
    """

    __tablename__ = "partner_call"
    __table_args__ = (PrimaryKeyConstraint("dst_id", "call_key", name="pk_partner_call"),)

    dst_id: Mapped[str] = mapped_column(String(32))
    call_key: Mapped[str] = mapped_column(String(80))
    owner: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(10))
    payload: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    waited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
