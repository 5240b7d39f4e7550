"""Purge: working records 30 days after their last update, with their decisions and idempotency keys.

Exact: a record goes only when its last update is older than the cut-off *at the moment of the
delete* (re-checked under the row lock) and every one of its decisions has its report fact; a record
missing a fact is kept and named. Audit events and report facts are never touched. Work is done in
small batches, each its own short transaction, so no lock is held for long.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import Principal, Role
from dst.consults.models import Decision, DstRecord, IdempotencyKey
from dst.db.base import utcnow
from dst.db.engine import transaction
from dst.jobs.context import JobContext, JobOutcome
from dst.reports.facts import record_key
from dst.reports.models import DecisionFact

log = logging.getLogger(__name__)
BATCH = 500  # keeps each locking transaction well under a second (bench/bench_purge.py)
PURGER = Principal("dst-purge", "DST purge job", Role.SERVICE, None)


async def purge_expired(context: JobContext) -> JobOutcome:
    cutoff = utcnow() - timedelta(days=context.settings.purge_after_days)
    outcome = JobOutcome()
    counts = {"records": 0, "decisions": 0, "idempotency keys": 0}
    after_id = 0
    with transaction(context.sessions) as session:
        expired = session.scalar(select(func.count()).where(DstRecord.updated_at < cutoff)) or 0
    while True:
        with transaction(context.sessions) as session:
            batch = _expired_batch(session, cutoff, after_id)
            if not batch:
                break
            after_id = batch[-1][0]
            records, decisions = _purge_batch(session, batch, cutoff, outcome)
        counts["records"] += records
        counts["decisions"] += decisions
        outcome.read += len(batch)
        context.progress(outcome.read, expired, "expired records checked")
    counts["idempotency keys"] = _purge_keys(context, cutoff)
    outcome.written = sum(counts.values())
    with transaction(context.sessions) as session:
        record_event(
            session, principal=PURGER, action="purge", detail={"cutoff": cutoff.isoformat(), **counts}
        )
    log.info(
        "purge before %s: %s", cutoff.isoformat(), ", ".join(f"{n} {what}" for what, n in counts.items())
    )
    return outcome


def _expired_batch(session: Session, cutoff: datetime, after_id: int) -> list[tuple[int, str]]:
    rows = session.execute(
        select(DstRecord.id, DstRecord.dst_id)
        .where(DstRecord.updated_at < cutoff, DstRecord.id > after_id)
        .order_by(DstRecord.id)
        .limit(BATCH)
    )
    return [(row[0], row[1]) for row in rows]


def _purge_batch(
    session: Session, batch: list[tuple[int, str]], cutoff: datetime, outcome: JobOutcome
) -> tuple[int, int]:
    ids = [record_id for record_id, _ in batch]
    # Lock the rows and re-check: a record updated since the batch was read stays.
    locked = set(
        session.scalars(
            select(DstRecord.id).where(DstRecord.id.in_(ids), DstRecord.updated_at < cutoff).with_for_update()
        )
    )
    revisions = _decision_revisions(session, locked)
    facts = _fact_revisions(session, [dst_id for record_id, dst_id in batch if record_id in locked])
    purgeable = []
    for record_id, dst_id in batch:
        if record_id not in locked:
            continue
        missing = revisions.get(record_id, set()) - facts.get(record_key(dst_id), set())
        if missing:
            outcome.warn(f"kept record {dst_id}: no report fact for decision revision(s) {sorted(missing)}")
            continue
        purgeable.append(record_id)
    if not purgeable:
        return 0, 0
    unsynced = {"synchronize_session": False}
    decisions = session.execute(
        delete(Decision).where(Decision.dst_record_id.in_(purgeable)), execution_options=unsynced
    )
    records = session.execute(
        delete(DstRecord).where(DstRecord.id.in_(purgeable)), execution_options=unsynced
    )
    return records.rowcount, decisions.rowcount  # type: ignore[attr-defined]


def _decision_revisions(session: Session, record_ids: set[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    if record_ids:
        rows = session.execute(
            select(Decision.dst_record_id, Decision.revision).where(Decision.dst_record_id.in_(record_ids))
        )
        for record_id, revision in rows:
            found[record_id].add(revision)
    return found


def _fact_revisions(session: Session, dst_ids: list[str]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = defaultdict(set)
    keys = [record_key(dst_id) for dst_id in dst_ids]
    if keys:
        rows = session.execute(
            select(DecisionFact.record_key, DecisionFact.revision).where(DecisionFact.record_key.in_(keys))
        )
        for key, revision in rows:
            found[key].add(revision)
    return found


def _purge_keys(context: JobContext, cutoff: datetime) -> int:
    """Keys are scoped `<user>:<dst id>` and made at a save (which also updates the record), so every
    key of a purged record is older than the cut-off; a key goes once its record no longer exists."""
    deleted = 0
    after: tuple[str, str] | None = None
    while True:
        with transaction(context.sessions) as session:
            keys = _key_batch(session, cutoff, after)
            if not keys:
                return deleted
            after = keys[-1]
            owners = {scope.rsplit(":", 1)[-1] for scope, _ in keys}
            alive = set(session.scalars(select(DstRecord.dst_id).where(DstRecord.dst_id.in_(owners))))
            gone = [(scope, key) for scope, key in keys if scope.rsplit(":", 1)[-1] not in alive]
            if gone:
                result = session.execute(
                    delete(IdempotencyKey).where(tuple_(IdempotencyKey.scope, IdempotencyKey.key).in_(gone)),
                    execution_options={"synchronize_session": False},
                )
                deleted += result.rowcount  # type: ignore[attr-defined]
        context.progress(deleted, None, "idempotency keys purged")


def _key_batch(session: Session, cutoff: datetime, after: tuple[str, str] | None) -> list[tuple[str, str]]:
    """The next keys older than the cut-off, in primary-key order (keyset paging)."""
    query = select(IdempotencyKey.scope, IdempotencyKey.key).where(IdempotencyKey.created_at < cutoff)
    if after is not None:
        query = query.where(tuple_(IdempotencyKey.scope, IdempotencyKey.key) > tuple_(*after))
    rows = session.execute(query.order_by(IdempotencyKey.scope, IdempotencyKey.key).limit(BATCH))
    return [(row[0], row[1]) for row in rows]
