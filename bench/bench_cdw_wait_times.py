"""CDW wait-time ETL over 10,000,000 appointments in PostgreSQL vs the bare GROUP BY (target ≤ 1.5×).

Run: scripts/with-postgres.sh .venv/bin/python bench/bench_cdw_wait_times.py [--rows N]
The data is generated in PostgreSQL with generate_series: 26,000 clinics at 1,300 divisions, half
the appointments inside the 30-day window, 1,000,000 community-care appointments.
"""

from __future__ import annotations

import argparse
import os
import time

import anyio
from harness_bench import recreate_database, settings_for_bench
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dst.cdw.queries import va_wait_groups
from dst.cdw.schema import cdw_metadata
from dst.db.base import utcnow
from dst.db.engine import build_engine, build_session_factory
from dst.db.migrate import upgrade
from dst.jobs.registry import job_spec
from dst.jobs.runner import run_spec
from dst.reference.catalog import NATIONAL_CLINICAL_SERVICES
from dst.reference.loading import load_national_reference

CLINICS = 26_000
STOP_CODES = sorted({code for spec in NATIONAL_CLINICAL_SERVICES for code in spec.stop_codes})


def fill(url: str, rows: int) -> None:
    engine = build_engine(url)
    cdw_metadata.create_all(engine)
    codes = "ARRAY[" + ",".join(f"'{c}'" for c in STOP_CODES) + "]"
    with engine.begin() as connection:
        connection.execute(
            text(
                f"""INSERT INTO dst_clinic
                SELECT (300 + i % 130)::text, i::text, (300 + i % 130)::text || chr(65 + (i / 130) % 10),
                       'CLINIC ' || i, ({codes})[1 + i % {len(STOP_CODES)}], NULL
                FROM generate_series(1, {CLINICS}) AS i"""
            )
        )
        connection.execute(
            text(
                f"""INSERT INTO dst_appointment
                SELECT g, (300 + c % 130)::text, c::text,
                       current_date - (g % 60) - (g * 7 % 45), current_date - (g % 60),
                       CASE WHEN g % 10 = 0 THEN 'CANCELLED' ELSE 'COMPLETED' END, g % 3 = 0
                FROM (SELECT g, 1 + g % {CLINICS} AS c FROM generate_series(1, {rows}) AS g) AS s"""
            )
        )
        connection.execute(
            text(
                """INSERT INTO dst_cc_appointment
                SELECT (300 + g % 130)::text || chr(65 + (g / 130) % 10), 'CARDIOLOGY',
                       current_date - (g % 120) - (g % 37), current_date - (g % 120)
                FROM generate_series(1, 1000000) AS g"""
            )
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def bare_group_by(url: str) -> tuple[float, int]:
    engine = create_engine(url)
    query = va_wait_groups(utcnow().date(), "postgresql")
    with engine.connect() as connection:
        started = time.perf_counter()
        groups = connection.execute(query).all()
        elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, len(groups)


def etl(dst_url: str, cdw_url: str) -> tuple[float, int]:
    settings = settings_for_bench(dst_url, cdw_url=cdw_url)
    engine = build_engine(dst_url)
    sessions = build_session_factory(engine)
    started = time.perf_counter()
    summary = anyio.run(lambda: run_spec(job_spec("cdw-wait-times"), settings=settings, sessions=sessions))
    elapsed = time.perf_counter() - started
    engine.dispose()
    assert summary.outcome in ("ok", "warnings"), summary.error
    return elapsed, summary.written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    server = os.environ.get("DST_TEST_POSTGRES_URL")
    if not server:
        raise SystemExit("run under scripts/with-postgres.sh (DST_TEST_POSTGRES_URL is not set)")
    cdw_url, dst_url = recreate_database(server, "bench_cdw"), recreate_database(server, "bench_dst")
    started = time.perf_counter()
    fill(cdw_url, args.rows)
    print(f"generated {args.rows:,} appointments in {time.perf_counter() - started:.1f} s")
    upgrade(dst_url)
    load_national_reference(dst_url)
    bare = min(bare_group_by(cdw_url) for _ in range(args.repeat))
    job = min(etl(dst_url, cdw_url) for _ in range(args.repeat))
    print(f"bare GROUP BY (VA 30-day groups): {bare[0]:.2f} s, {bare[1]:,} groups (best of {args.repeat})")
    print(
        "cdw-wait-times job (shape checks, VA + CC queries, combine, replace table): "
        f"{job[0]:.2f} s, {job[1]:,} rows written"
    )
    print(f"ratio job / bare GROUP BY: {job[0] / bare[0]:.2f}x (target <= 1.5x)")
    print(f"database: {make_url(server).render_as_string(hide_password=True)}")


if __name__ == "__main__":
    main()
