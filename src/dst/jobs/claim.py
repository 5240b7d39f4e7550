"""Job claims: a conditional UPDATE with a lease, so a job runs on one replica at a time.

Works the same on SQLite and PostgreSQL. The UPDATE only succeeds when nobody holds the claim or the
holder's lease has run out (a crashed process); a running job renews its lease as it makes progress.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dst.jobs.models import JobClaim, JobRun

DEFAULT_LEASE = timedelta(minutes=10)


class ClaimAnswer(Enum):
    WON = "won"
    HELD = "held"  # another process is running the job now
    SLOT_DONE = "slot-done"  # a replica already started this scheduled run


@dataclass(frozen=True)
class ClaimResult:
    answer: ClaimAnswer
    holder: str | None = None
    since: datetime | None = None


def new_holder() -> str:
    """Names the process in the history, so an operator can find the replica that ran a job."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def ensure_claim_row(session: Session, job: str) -> None:
    """The first run of a job on a fresh database creates its claim row; racing creators are fine."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    session.execute(module.insert(JobClaim).values(job=job).on_conflict_do_nothing(index_elements=["job"]))


def try_claim(
    session: Session,
    *,
    job: str,
    holder: str,
    run_id: int,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
    slot: datetime | None = None,
) -> ClaimResult:
    """Take the claim if it is free or its lease ran out; `slot` skips a scheduled run already started."""
    ensure_claim_row(session, job)
    free = or_(JobClaim.holder.is_(None), JobClaim.lease_until < now)
    condition = free
    if slot is not None:
        condition = and_(free, or_(JobClaim.last_started_at.is_(None), JobClaim.last_started_at < slot))
    previous_run = session.scalar(
        select(JobClaim.run_id).where(JobClaim.job == job, JobClaim.holder.is_not(None))
    )
    result = session.execute(
        update(JobClaim)
        .where(JobClaim.job == job, condition)
        .values(holder=holder, run_id=run_id, lease_until=now + lease, last_started_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        if previous_run is not None:
            _mark_abandoned(session, previous_run, now)
        return ClaimResult(ClaimAnswer.WON)
    claim = session.get(JobClaim, job, populate_existing=True)
    assert claim is not None
    if claim.holder is None or (claim.lease_until is not None and claim.lease_until < now):
        return ClaimResult(ClaimAnswer.SLOT_DONE, since=claim.last_started_at)
    return ClaimResult(ClaimAnswer.HELD, holder=claim.holder, since=claim.last_started_at)


def _mark_abandoned(session: Session, run_id: int, now: datetime) -> None:
    """A run whose process died keeps `running` until the next claimant closes it."""
    session.execute(
        update(JobRun)
        .where(JobRun.id == run_id, JobRun.outcome == "running")
        .values(outcome="abandoned", finished_at=now, error="the process running this job stopped")
        .execution_options(synchronize_session=False)
    )


def renew(
    session: Session, *, job: str, holder: str, now: datetime, lease: timedelta = DEFAULT_LEASE
) -> bool:
    """Extend the lease; False means the claim was lost (the lease ran out and someone else took it)."""
    result = session.execute(
        update(JobClaim)
        .where(JobClaim.job == job, JobClaim.holder == holder)
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def release(session: Session, *, job: str, holder: str) -> None:
    session.execute(
        update(JobClaim)
        .where(JobClaim.job == job, JobClaim.holder == holder)
        .values(holder=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
