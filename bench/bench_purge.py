"""Purge 1,000,000 expired records in PostgreSQL: prints the total time and the longest transaction.

Run: scripts/with-postgres.sh .venv/bin/python bench/bench_purge.py [--records N]
Each expired record has one decision, its report fact and one idempotency key; 10% more records
are recent and must stay. Every transaction is timed from BEGIN to COMMIT on the job's own engine:
a row lock lives no longer than its transaction, so the longest one bounds the longest lock held.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

import anyio
from harness_bench import recreate_database, settings_for_bench
from sqlalchemy import event, text

from dst.db.engine import build_engine, build_session_factory
from dst.db.migrate import upgrade
from dst.jobs.registry import job_spec
from dst.jobs.runner import run_spec
from dst.reference.loading import load_national_reference

RECORDS = """INSERT INTO dst_record (id, dst_id, station, consult_service, urgency, file_entry_date, signed,
    released_to_hsrm, created_at, updated_at, version)
SELECT g, 'bench' || g, '688', 'ORTHOPEDICS OUTPT', 'routine', current_date - 60, false, false,
    now() - interval '60 days',
    now() - CASE WHEN g > :expired THEN interval '1 day' ELSE interval '45 days' END, 1
FROM generate_series(1, :total) AS g"""
DECISIONS = """INSERT INTO decision (dst_record_id, revision, veteran_option, forward,
    clinical_service_name, primary_stop_code, eligibility, evidence, partner_errors, standards_version,
    decided_by, decided_role, decided_at)
SELECT g, 1, 'opt-out', false, 'ORTHOPEDICS', '409', '{}', '{}', '[]', 'bench', 'bench', 'provider',
    now() - interval '45 days'
FROM generate_series(1, :total) AS g"""
FACTS = """INSERT INTO decision_fact (record_key, revision, station, clinical_service, urgency,
    file_entry_date, decided_on, decided_at, decided_role, criteria, veteran_option, forward,
    partner_errors, standards_version)
SELECT encode(sha256(('dst-fact:bench' || g)::bytea), 'hex'), 1, '688', 'ORTHOPEDICS', 'routine',
    current_date - 60, current_date - 45, now() - interval '45 days', 'provider', '{}', 'opt-out', false,
    '[]', 'bench'
FROM generate_series(1, :total) AS g"""
KEYS = """INSERT INTO idempotency_key (scope, key, request_hash, status_code, response_body, created_at)
SELECT 'bench-user:bench' || g, 'k' || g, 'h', 200, '{}', now() - interval '45 days'
FROM generate_series(1, :expired) AS g"""


def fill(url: str, expired: int) -> None:
    engine = build_engine(url)
    params = {"expired": expired, "total": expired + expired // 10}
    with engine.begin() as connection:
        for statement in (RECORDS, DECISIONS, FACTS, KEYS):
            connection.execute(text(statement), params)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


slowest: list[tuple[float, str]] = []


def timed_engine(url: str, durations: list[float], locking: list[float]) -> Any:
    """Times every transaction; those that lock or delete rows also go to `locking`."""
    engine = build_engine(url)
    started: dict[int, float] = {}
    locked: set[int] = set()
    first: dict[int, str] = {}

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        started[id(connection)] = time.perf_counter()

    @event.listens_for(engine, "before_cursor_execute")
    def on_statement(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        first.setdefault(id(connection), " ".join(statement.split())[:70])
        if statement.lstrip().upper().startswith(("DELETE", "UPDATE")) or "FOR UPDATE" in statement.upper():
            locked.add(id(connection))

    def on_end(connection: Any) -> None:
        begun = started.pop(id(connection), None)
        if begun is not None:
            durations.append(time.perf_counter() - begun)
            if id(connection) in locked:
                locking.append(durations[-1])
                slowest.append((durations[-1], first.get(id(connection), "")))
        locked.discard(id(connection))
        first.pop(id(connection), None)

    event.listen(engine, "commit", on_end)
    event.listen(engine, "rollback", on_end)
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    server = os.environ.get("DST_TEST_POSTGRES_URL")
    if not server:
        raise SystemExit("run under scripts/with-postgres.sh (DST_TEST_POSTGRES_URL is not set)")
    url = recreate_database(server, "bench_purge")
    upgrade(url)
    load_national_reference(url)
    started = time.perf_counter()
    fill(url, args.records)
    print(
        f"generated {args.records:,} expired records (+10% recent) in {time.perf_counter() - started:.1f} s"
    )
    durations: list[float] = []
    locking: list[float] = []
    engine = timed_engine(url, durations, locking)
    settings = settings_for_bench(url)
    started = time.perf_counter()
    summary = anyio.run(
        lambda: run_spec(job_spec("purge"), settings=settings, sessions=build_session_factory(engine))
    )
    elapsed = time.perf_counter() - started
    engine.dispose()
    print(
        f"purge: {summary.outcome}, checked {summary.read:,}, "
        f"deleted {summary.written:,} rows in {elapsed:.1f} s"
    )
    print(
        f"transactions: {len(durations):,}; longest {max(durations):.3f} s, "
        f"median {statistics.median(durations) * 1000:.1f} ms"
    )
    print(
        f"transactions holding row locks (FOR UPDATE, UPDATE, DELETE): {len(locking):,}; "
        f"longest {max(locking):.3f} s, median {statistics.median(locking) * 1000:.1f} ms "
        "(target: no lock held > 1 s)"
    )
    for seconds, statement in sorted(slowest, reverse=True)[:3]:
        print(f"  {seconds:.3f} s: transaction starting with {statement}")


if __name__ == "__main__":
    main()
