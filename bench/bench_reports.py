"""Benchmark: every report over 10,000,000 decision facts in PostgreSQL (goal: p95 at most 500 ms each).

Run against a throwaway cluster:
    scripts/with-postgres.sh .venv/bin/python bench/bench_reports.py [--facts 10000000]

The facts are generated server-side with generate_series, the tallies are recounted with the same
`rebuild_tallies` that `dst reports rebuild` runs, and then each report is built (query and shaping)
for a mix of filters, from a 30-day national view to ten years at one station.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from dst.db.engine import build_engine, build_session_factory, transaction
from dst.db.migrate import upgrade
from dst.reference.loading import load_national_reference
from dst.reports.models import DecisionFact, ReportTally
from dst.reports.rebuild import rebuild_tallies
from dst.reports.schemas import ReportFilter
from dst.reports.service import REPORT_NAMES, build
from dst.reports.tallies import count_fact

GOAL_MS = 500.0
FIRST_DAY = date(2024, 12, 1)
DAYS = 730  # two years of decisions: about 13,700 a day at 10 million
BATCH = 1_000_000
ROUNDS = 5  # each filter runs this many times per report

# One row per generated fact; r1..r9 are that row's random draws, reused across columns.
GENERATE = """
WITH s AS (
    SELECT array_agg(sta3n ORDER BY sta3n) AS sta, array_agg(visn ORDER BY sta3n) AS visn,
           count(*) AS n FROM station
), c AS (
    SELECT array_agg(name ORDER BY name) AS svc, count(*) AS n FROM clinical_service
), draws AS (
    SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
           random() AS r6, random() AS r7, random() AS r8, random() AS r9
    FROM generate_series(:first, :last) AS g
), picked AS (
    SELECT d.*, 1 + floor(d.r1 * s.n)::int AS si, 1 + floor(d.r2 * c.n)::int AS ci,
           :day0 + floor(d.r3 * :days)::int AS decided_on,
           CASE WHEN d.r4 < 0.7 THEN 0 ELSE floor(-ln(1 - d.r5) * 9)::int END AS waited
    FROM draws d, s, c
)
INSERT INTO decision_fact (record_key, revision, station, visn, clinical_service, care_category, urgency,
    file_entry_date, decided_on, decided_at, decided_role, eligible, criteria, bmi_factor, veteran_option,
    forward, forward_to, partner_errors, standards_version)
SELECT md5('bench-' || (g - CASE WHEN g % 12 = 0 THEN 1 ELSE 0 END)),
       CASE WHEN g % 12 = 0 THEN 2 ELSE 1 END,
       s.sta[si], s.visn[si], c.svc[ci], 'specialty', CASE WHEN r6 < 0.05 THEN 'stat' ELSE 'routine' END,
       decided_on - waited, decided_on, decided_on + interval '13 hours', 'provider',
       CASE WHEN r7 < 0.45 THEN true WHEN r7 < 0.93 THEN false ELSE NULL END,
       json_build_object(
           'no-full-service-va', CASE WHEN r8 < 0.01 THEN 'met' ELSE 'not-met' END,
           'grandfathered', CASE WHEN r8 > 0.98 THEN 'met' ELSE 'not-met' END,
           'hardship', CASE WHEN r9 < 0.01 THEN 'met' ELSE 'not-met' END,
           'service-not-available', CASE WHEN r9 > 0.97 THEN 'met' ELSE 'not-met' END,
           'drive-time', CASE WHEN r7 < 0.25 THEN 'met' WHEN r7 < 0.95 THEN 'not-met' ELSE 'unknown' END,
           'wait-time', CASE WHEN r8 < 0.2 THEN 'met' WHEN r8 < 0.9 THEN 'not-met' ELSE 'unknown' END,
           'best-medical-interest', CASE WHEN r9 BETWEEN 0.2 AND 0.26 THEN 'met' ELSE 'not-met' END,
           'quality-standards', 'not-met'),
       CASE WHEN r9 BETWEEN 0.2 AND 0.26 THEN (ARRAY['distance', 'nature-of-care', 'frequency',
           'timeliness', 'continuity', 'environment'])[1 + floor(r4 * 6)::int] END,
       CASE WHEN r5 < 0.55 THEN 'opt-in' WHEN r5 < 0.85 THEN 'opt-out' ELSE 'tbd' END,
       r5 < 0.22,
       CASE WHEN r5 < 0.22 THEN 'COMMUNITY CARE-' || c.svc[ci] END,
       CASE WHEN r6 > 0.97 THEN json_build_array((ARRAY['MVI-TIMEOUT', 'EE-FAULT', 'FACILITIES-UNAVAILABLE',
           'PPMS-TIMEOUT', 'ROUTING-UNAVAILABLE'])[1 + floor(r1 * 5)::int]) ELSE json_build_array() END,
       '2019-06-06'
FROM picked, s, c
"""


def fresh_database(server_url: str) -> str:
    name = "dst_bench_reports"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def timed(label: str, work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s", flush=True)
    return seconds


def generate_facts(url: str, total: int) -> None:
    engine = build_engine(url)
    indexes = list(DecisionFact.__table__.indexes)
    with engine.begin() as connection:
        for index in indexes:  # a bulk load then one index build beats ten million index inserts
            index.drop(connection)
        connection.execute(text("SELECT setseed(0.42)"))
        for first in range(1, total + 1, BATCH):
            last = min(first + BATCH - 1, total)
            connection.execute(
                text(GENERATE), {"first": first, "last": last, "day0": FIRST_DAY, "days": DAYS}
            )
            print(f"  facts {last:,} of {total:,}", flush=True)
        for index in indexes:
            index.create(connection)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE decision_fact"))
    engine.dispose()


def rebuild(url: str) -> None:
    engine = build_engine(url)
    event.listen(engine, "before_cursor_execute", _start_clock)
    event.listen(engine, "after_cursor_execute", _print_slow)
    with transaction(build_session_factory(engine)) as session:
        rebuild_tallies(session)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE report_tally"))
    engine.dispose()


def _start_clock(conn, cursor, statement, params, context, many) -> None:  # type: ignore[no-untyped-def]
    conn.info["started"] = time.perf_counter()


def _print_slow(conn, cursor, statement, params, context, many) -> None:  # type: ignore[no-untyped-def]
    seconds = time.perf_counter() - conn.info.pop("started", time.perf_counter())
    if seconds > 1:
        print(f"  {seconds:6.1f} s  {' '.join(statement.split())[:90]}", flush=True)


def filters(session: Session) -> dict[str, ReportFilter]:
    last = FIRST_DAY + timedelta(days=DAYS - 1)
    station = session.scalar(text("SELECT station FROM decision_fact LIMIT 1"))
    visn = session.scalar(text("SELECT visn FROM station WHERE sta3n = :s"), {"s": station})
    return {
        "national, last 30 days": ReportFilter(last - timedelta(days=29), last),
        "national, ragged 60 days": ReportFilter(date(2025, 6, 2), date(2025, 7, 30)),
        "national, one year": ReportFilter(last - timedelta(days=364), last),
        "national, ten years": ReportFilter(date(2016, 12, 1), last),
        f"VISN {visn}, 90 days": ReportFilter(last - timedelta(days=89), last, visn=visn),
        f"station {station}, ten years": ReportFilter(date(2016, 12, 1), last, station=station),
        "CARDIOLOGY, ragged 400 days": ReportFilter(
            date(2025, 1, 17), date(2026, 2, 20), clinical_service="CARDIOLOGY"
        ),
    }


def bench_reports(url: str) -> list[tuple[str, float]]:
    engine = build_engine(url)
    sessions = build_session_factory(engine)
    results = []
    with sessions() as session:
        cases = filters(session)
        for name in REPORT_NAMES:
            samples: list[float] = []
            worst = ("", 0.0)
            for label, f in cases.items():
                for _ in range(ROUNDS):
                    started = time.perf_counter()
                    build(session, name, f)
                    ms = (time.perf_counter() - started) * 1000
                    samples.append(ms)
                    worst = max(worst, (label, ms), key=lambda t: t[1])
            p95 = statistics.quantiles(samples, n=20)[-1]
            verdict = "ok" if p95 <= GOAL_MS else "SLOW"
            print(
                f"{name:<22} p50 {statistics.median(samples):7.1f} ms  p95 {p95:7.1f} ms  "
                f"max {max(samples):7.1f} ms ({worst[0]})  {verdict}",
                flush=True,
            )
            results.append((name, p95))
    engine.dispose()
    return results


def bench_upkeep(url: str) -> None:
    """What a decision save pays to keep the tallies current, revision replacement included."""
    engine = build_engine(url)
    sessions = build_session_factory(engine)
    samples = []
    with sessions() as session:
        template = session.scalars(select(DecisionFact).where(DecisionFact.revision == 2).limit(50)).all()
        for old in template:
            fact = DecisionFact(
                **{c.name: getattr(old, c.name) for c in DecisionFact.__table__.columns if c.name != "id"}
            )
            fact.revision = 3
            fact.decided_at = datetime.now(UTC)
            started = time.perf_counter()
            session.add(fact)
            count_fact(session, fact)
            session.flush()
            samples.append((time.perf_counter() - started) * 1000)
        session.rollback()
    engine.dispose()
    print(
        f"tally upkeep per save (fact insert + previous revision lookup + upsert): "
        f"p50 {statistics.median(samples):.1f} ms, p95 {statistics.quantiles(samples, n=20)[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=10_000_000)
    args = parser.parse_args()
    server = os.environ.get("DST_BENCH_POSTGRES_URL") or os.environ.get("DST_TEST_POSTGRES_URL")
    if not server:
        raise SystemExit("Run under scripts/with-postgres.sh, or set DST_BENCH_POSTGRES_URL.")
    url = fresh_database(server)
    upgrade(url)
    load_national_reference(url)
    timed(f"generate {args.facts:,} decision facts", lambda: generate_facts(url, args.facts))
    timed("rebuild tallies from facts (dst reports rebuild)", lambda: rebuild(url))
    engine = build_engine(url)
    with engine.connect() as connection:
        rows = connection.scalar(select(func.count()).select_from(ReportTally))
        facts = connection.scalar(select(func.count()).select_from(DecisionFact))
        print(f"decision facts: {facts:,}; tally rows: {rows:,}")
    engine.dispose()
    bench_upkeep(url)
    print(f"each report: {ROUNDS} runs x 7 filters; goal p95 <= {GOAL_MS:.0f} ms")
    results = bench_reports(url)
    slow = [name for name, p95 in results if p95 > GOAL_MS]
    print("all reports within goal" if not slow else f"over goal: {', '.join(slow)}")


if __name__ == "__main__":
    main()
