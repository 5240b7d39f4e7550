"""Purge: exactly the records 30 days past their last update, and only once their report facts exist."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import anyio
from sqlalchemy import delete, func, select, update

from dst.audit.models import AuditEvent
from dst.consults.models import Decision, DstRecord, IdempotencyKey
from dst.db.base import utcnow
from dst.db.engine import transaction
from dst.jobs.registry import job_spec
from dst.jobs.runner import RunSummary, run_spec
from dst.reports.facts import record_key
from dst.reports.models import DecisionFact

from factories import consult, key, ordinary, veteran
from harness import SERVICE, settings_for
from job_support import sessions_for


def _record_with_decisions(client: Any, decisions: int) -> str:
    response = client.post("/api/v1/dst", json=consult(veteran(ordinary), "ORTHOPEDICS"), headers=SERVICE)
    assert response.status_code == 201, response.text
    dst_id: str = response.json()["dstId"]
    for option in ("opt-out", "opt-out")[:decisions]:
        saved = client.put(
            f"/api/v1/dst/{dst_id}/decision",
            json={"veteranOption": option, "forward": False},
            headers={**SERVICE, **key()},
        )
        assert saved.status_code == 200, saved.text
    return dst_id


def _age(database_url: str, dst_ids: list[str], days: int) -> None:
    with transaction(sessions_for(database_url)) as session:
        session.execute(
            update(DstRecord)
            .where(DstRecord.dst_id.in_(dst_ids))
            .values(updated_at=utcnow() - timedelta(days=days))
        )
        for dst_id in dst_ids:  # a key is made at a save, so it is as old as its record's last update
            session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.scope.endswith(f":{dst_id}", autoescape=True))
                .values(created_at=utcnow() - timedelta(days=days))
            )


def _purge(database_url: str) -> RunSummary:
    settings, sessions = settings_for(database_url), sessions_for(database_url)
    return anyio.run(lambda: run_spec(job_spec("purge"), settings=settings, sessions=sessions))


def _present(database_url: str, model: Any, *where: Any) -> int:
    with sessions_for(database_url)() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_purge_removes_exactly_the_expired_records_and_keeps_facts_and_audit(
    client: Any, database_url: str
) -> None:
    expired = [_record_with_decisions(client, 2), _record_with_decisions(client, 0)]
    fresh = _record_with_decisions(client, 1)
    just_inside = _record_with_decisions(client, 1)
    _age(database_url, expired, days=31)
    _age(database_url, [just_inside], days=29)
    facts_before = _present(database_url, DecisionFact)
    audit_before = _present(database_url, AuditEvent)
    keys_before = _present(database_url, IdempotencyKey)

    summary = _purge(database_url)

    assert summary.outcome == "ok" and summary.read == 2
    assert summary.written == 2 + 2 + 2  # records, decisions, idempotency keys
    assert _present(database_url, DstRecord, DstRecord.dst_id.in_(expired)) == 0
    assert _present(database_url, DstRecord, DstRecord.dst_id.in_([fresh, just_inside])) == 2
    assert _present(database_url, Decision) == 2
    assert _present(database_url, IdempotencyKey) == keys_before - 2
    assert _present(database_url, DecisionFact) == facts_before == 4  # facts are never purged
    assert _present(database_url, AuditEvent) == audit_before + 1
    with sessions_for(database_url)() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "purge")).one()
    assert {k: event.detail[k] for k in ("records", "decisions", "idempotency keys")} == {
        "records": 2,
        "decisions": 2,
        "idempotency keys": 2,
    }

    again = _purge(database_url)
    assert (again.outcome, again.read, again.written) == ("ok", 0, 0)  # idempotent


def test_a_record_whose_report_fact_is_missing_is_kept_and_named(client: Any, database_url: str) -> None:
    dst_id = _record_with_decisions(client, 2)
    _age(database_url, [dst_id], days=40)
    with transaction(sessions_for(database_url)) as session:
        session.execute(
            delete(DecisionFact).where(
                DecisionFact.record_key == record_key(dst_id), DecisionFact.revision == 2
            )
        )

    summary = _purge(database_url)

    assert summary.outcome == "warnings"
    assert summary.warnings == [f"kept record {dst_id}: no report fact for decision revision(s) [2]"]
    assert _present(database_url, DstRecord, DstRecord.dst_id == dst_id) == 1
    assert _present(database_url, Decision) == 2
    assert _present(database_url, IdempotencyKey) == 2  # its record still exists


def test_purge_works_through_many_batches(client: Any, database_url: str, monkeypatch: Any) -> None:
    from dst.jobs import purge

    monkeypatch.setattr(purge, "BATCH", 2)
    ids = [_record_with_decisions(client, 1) for _ in range(5)]
    _age(database_url, ids[:4], days=35)
    summary = _purge(database_url)
    assert (summary.read, summary.written) == (4, 4 + 4 + 4)
    assert _present(database_url, DstRecord) == 1
