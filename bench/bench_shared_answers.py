"""Benchmark: storing a shared partner answer on PostgreSQL, with the table WAL-logged and UNLOGGED.

Each store is what `SharedCalls._store` runs by itself: one autocommit UPDATE of a `partner_call`
row with the answer. With PostgreSQL's default durability every commit that wrote to a logged table
waits for the write-ahead log to reach the disk; a commit that wrote only to an UNLOGGED table
(migration 0012) does not. Prints the median and 95th percentile per store for both.

    DST_PG_DURABLE=1 scripts/with-postgres.sh sh -c \\
        '.venv/bin/python bench/bench_shared_answers.py --database-url "$DST_TEST_POSTGRES_URL"'

Without DST_PG_DURABLE=1 the throwaway cluster does not flush at all and both figures are alike.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from sqlalchemy import text, update

from dst.consults.models import PartnerCall
from dst.db.base import utcnow
from dst.db.engine import build_engine
from dst.db.migrate import upgrade

ROWS = 200


def stores(url: str, persistence: str, count: int) -> list[float]:
    engine = build_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f"ALTER TABLE partner_call SET {persistence}"))
            connection.execute(text("DELETE FROM partner_call"))
            expires = utcnow() + timedelta(minutes=5)
            connection.execute(
                PartnerCall.__table__.insert(),  # type: ignore[attr-defined]
                [
                    {
                        "dst_id": f"B{n}",
                        "call_key": "ppms",
                        "owner": "bench",
                        "state": "pending",
                        "expires_at": expires,
                    }
                    for n in range(ROWS)
                ],
            )
            table = PartnerCall.__table__  # type: ignore[attr-defined]
            seconds = []
            for n in range(count):
                statement = (
                    update(table)
                    .where(table.c.dst_id == f"B{n % ROWS}", table.c.call_key == "ppms")
                    .values(state="done", payload="A[]", expires_at=expires)
                )
                started = time.perf_counter()
                connection.execute(statement)
                seconds.append(time.perf_counter() - started)
            return seconds
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--stores", type=int, default=2000)
    args = parser.parse_args()
    upgrade(args.database_url)
    engine = build_engine(args.database_url)
    with engine.connect() as connection:
        settings = {name: connection.scalar(text(f"SHOW {name}")) for name in ("fsync", "synchronous_commit")}
    engine.dispose()
    print(f"PostgreSQL settings: {settings}; {args.stores} stores each, one autocommit UPDATE per store")
    for persistence in ("LOGGED", "UNLOGGED", "LOGGED", "UNLOGGED"):
        seconds = sorted(stores(args.database_url, persistence, args.stores))
        p95 = seconds[int(0.95 * (len(seconds) - 1))]
        print(
            f"  {persistence:9s} median {statistics.median(seconds) * 1000:6.3f} ms, "
            f"p95 {p95 * 1000:6.3f} ms per store"
        )


if __name__ == "__main__":
    main()
