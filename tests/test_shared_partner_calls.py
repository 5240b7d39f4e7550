"""One call per partner per record across DST processes: claims, waiting, failures, a dead owner.

The unit tests play two processes with two SharedCalls on one database (different owner names);
the last test runs `dst serve --workers 2` for real and counts the requests its partners received.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from pydantic import TypeAdapter
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url

from dst.consults.models import PartnerCall
from dst.consults.shared import CHANNEL, SharedCalls
from dst.db.base import utcnow
from dst.db.engine import build_engine, build_session_factory, normalize_url, transaction
from dst.db.group_commit import GroupCommit
from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.types import GeoPoint

from factories import consult, ordinary, veteran
from harness import BACKEND, SERVICE, settings_for
from live_server import free_port
from partner_servers import partner_servers

POINTS = TypeAdapter(list[GeoPoint])


@contextmanager
def two_processes(database_url: str, claim_ttl_s: float = 5.0) -> Iterator[tuple[SharedCalls, SharedCalls]]:
    engine = build_engine(database_url)
    sessions = build_session_factory(engine)
    pair = []
    for name in ("worker-a", "worker-b"):
        shared = SharedCalls(
            sessions,
            database_url,
            enabled=True,
            claim_ttl_s=claim_ttl_s,
            commits=GroupCommit(sessions),
        )
        shared.owner = name
        pair.append(shared)
    try:
        yield pair[0], pair[1]
    finally:
        engine.dispose()


def test_the_second_process_waits_for_the_first_ones_answer(database_url: str) -> None:
    calls: list[str] = []

    async def scenario() -> tuple[Any, Any]:
        with two_processes(database_url) as (a, b):
            await a.start()
            await b.start()
            try:

                async def slow(who: str) -> list[GeoPoint]:
                    calls.append(who)
                    await asyncio.sleep(0.3)
                    return [GeoPoint(38.9, -77.0)]

                first = asyncio.ensure_future(a.call("REC1", "routing:7", lambda: slow("a"), POINTS))
                await asyncio.sleep(0.05)  # a has claimed
                second = await b.call("REC1", "routing:7", lambda: slow("b"), POINTS)
                return await first, second
            finally:
                await a.stop()
                await b.stop()

    first, second = asyncio.run(scenario())
    assert calls == ["a"]
    assert first == second == [GeoPoint(38.9, -77.0)]


def test_a_named_failure_is_shared_not_retried(database_url: str) -> None:
    calls: list[str] = []

    async def scenario() -> PartnerError:
        with two_processes(database_url) as (a, b):

            async def failing() -> list[GeoPoint]:
                calls.append("a")
                raise PartnerError(Partner.ROUTING, FailureKind.TIMEOUT, "no answer within 10 s")

            with pytest.raises(PartnerError):
                await a.call("REC2", "routing:7", failing, POINTS)
            with pytest.raises(PartnerError) as raised:
                await b.call("REC2", "routing:7", failing, POINTS)
            return raised.value

    failure = asyncio.run(scenario())
    assert calls == ["a"]
    assert failure.code == "ROUTING-TIMEOUT" and failure.message == "no answer within 10 s"


def test_a_claim_whose_owner_died_is_taken_over(database_url: str) -> None:
    async def scenario() -> list[GeoPoint]:
        with two_processes(database_url, claim_ttl_s=0.5) as (a, b):
            with transaction(a.sessions) as session:
                a.claim_ahead(session, "REC3", ["routing:7"])  # then "worker-a" is killed

            async def compute() -> list[GeoPoint]:
                return [GeoPoint(1.0, 2.0)]

            return await asyncio.wait_for(b.call("REC3", "routing:7", compute, POINTS), timeout=10)

    assert asyncio.run(scenario()) == [GeoPoint(1.0, 2.0)]


def test_expired_answers_are_asked_again_and_rows_are_cleaned_up(database_url: str) -> None:
    async def scenario() -> tuple[int, int]:
        with two_processes(database_url) as (a, _b):
            calls = 0

            async def compute() -> list[GeoPoint]:
                nonlocal calls
                calls += 1
                return []

            await a.call("REC4", "routing:7", compute, POINTS)
            with transaction(a.sessions) as session:
                session.execute(update(PartnerCall).values(expires_at=utcnow() - timedelta(minutes=10)))
            await a.call("REC4", "routing:7", compute, POINTS)
            a._claims = 199  # the next claim cleans up rows expired long ago
            with transaction(a.sessions) as session:
                session.execute(update(PartnerCall).values(expires_at=utcnow() - timedelta(minutes=10)))
            await a.call("REC5", "routing:7", compute, POINTS)
            with transaction(a.sessions, read_only=True) as session:
                left = session.scalars(select(PartnerCall.dst_id)).all()
            return calls, len(left)

    calls, left = asyncio.run(scenario())
    assert calls == 3
    assert left == 1  # only REC5's fresh answer remains


on_postgresql = pytest.mark.skipif(
    BACKEND != "postgresql", reason="notices (LISTEN/NOTIFY) are PostgreSQL's; SQLite processes poll"
)


@contextmanager
def notices(database_url: str) -> Iterator[list[str]]:
    """Every notice on the shared-answer channel while the block runs, heard on a connection of its own."""
    import psycopg

    heard: list[str] = []
    url = make_url(normalize_url(database_url)).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f"LISTEN {CHANNEL}")
        yield heard
        conn.execute("SELECT 1")  # a round trip delivers what arrived meanwhile
        heard.extend(n.payload for n in conn.notifies(timeout=0.5, stop_after=100))


@on_postgresql
def test_the_shared_answers_are_not_written_to_the_write_ahead_log(database_url: str) -> None:
    engine = build_engine(database_url)
    try:
        with engine.connect() as connection:
            persistence = connection.scalar(
                text("SELECT relpersistence FROM pg_class WHERE relname = 'partner_call'")
            )
    finally:
        engine.dispose()
    assert persistence == "u"  # UNLOGGED: its commits wait for no log flush; a crash empties it


@on_postgresql
def test_an_answer_nobody_waits_for_is_stored_without_a_notice(database_url: str) -> None:
    async def scenario() -> list[GeoPoint]:
        with two_processes(database_url) as (a, _b):
            await a.start()
            try:

                async def compute() -> list[GeoPoint]:
                    return [GeoPoint(1.0, 2.0)]

                return await a.call("REC6", "routing:7", compute, POINTS)
            finally:
                await a.stop()

    with notices(database_url) as heard:
        assert asyncio.run(scenario()) == [GeoPoint(1.0, 2.0)]
    assert heard == []
    with transaction(build_session_factory(engine := build_engine(database_url))) as session:
        stored = session.scalar(select(PartnerCall.state).where(PartnerCall.dst_id == "REC6"))
    engine.dispose()
    assert stored == "done"  # stored all the same, for any process that asks later


@on_postgresql
@pytest.mark.parametrize("owner_fails", [False, True], ids=["answer", "owner-gives-up"])
def test_a_waiting_process_is_woken_by_the_notice_not_by_the_claims_expiry(
    database_url: str, owner_fails: bool
) -> None:
    calls: list[str] = []

    async def scenario() -> list[GeoPoint]:
        # Claims last 60 s: a waiter woken only by expiry would miss the 20 s limit below.
        with two_processes(database_url, claim_ttl_s=60.0) as (a, b):
            await a.start()
            await b.start()
            try:

                async def slow(who: str) -> list[GeoPoint]:
                    calls.append(who)
                    await asyncio.sleep(0.5)
                    if who == "a" and owner_fails:
                        raise RuntimeError("the owner's own fault, nothing the partner said")
                    return [GeoPoint(38.9, -77.0)]

                first = asyncio.ensure_future(a.call("REC7", "routing:7", lambda: slow("a"), POINTS))
                await asyncio.sleep(0.1)  # a has claimed
                second = await asyncio.wait_for(
                    b.call("REC7", "routing:7", lambda: slow("b"), POINTS), timeout=20
                )
                with contextlib.suppress(RuntimeError):
                    await first
                return second
            finally:
                await a.stop()
                await b.stop()

    with notices(database_url) as heard:
        assert asyncio.run(scenario()) == [GeoPoint(38.9, -77.0)]
    # b marked the claim it waited for, so a's answer (or its release) was announced, once.
    assert heard[:1] == ["REC7|routing:7"]
    assert calls == (["a", "b"] if owner_fails else ["a"])


@on_postgresql
def test_a_waiter_that_came_before_the_claim_was_committed_still_hears_the_answer(database_url: str) -> None:
    calls: list[str] = []

    async def answer(who: str) -> list[GeoPoint]:
        calls.append(who)
        await asyncio.sleep(0.5)  # as a partner takes its time: b has settled on waiting by then
        return [GeoPoint(40.0, -75.0)]

    async def scenario() -> tuple[list[GeoPoint], list[GeoPoint]]:
        with two_processes(database_url, claim_ttl_s=60.0) as (a, b):
            await a.start()
            await b.start()
            try:
                opening = a.sessions()
                a.claim_ahead(opening, "REC8", ["routing:7"])  # the record's opening, not committed yet
                waiting = asyncio.ensure_future(b.call("REC8", "routing:7", lambda: answer("b"), POINTS))
                await asyncio.sleep(0.3)  # b found nothing to mark; its own claim waits on a's row
                opening.commit()
                opening.close()
                first = await a.call("REC8", "routing:7", lambda: answer("a"), POINTS)
                return first, await asyncio.wait_for(waiting, timeout=20)
            finally:
                await a.stop()
                await b.stop()

    first, second = asyncio.run(scenario())
    assert calls == ["a"]
    assert first == second == [GeoPoint(40.0, -75.0)]


@contextmanager
def dst_serve_workers(database_url: str, partner_settings: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DST_DATABASE_URL": database_url,
        "DST_ENV": "dev",
        "DST_STEEL_THREAD_ICN": "skip",
        "DST_RATE_MACHINE_PER_SECOND": "0",
        **{f"DST_{k.upper()}": v for k, v in partner_settings.items()},
    }
    command = [sys.executable, "-m", "dst.cli", "serve", "--port", str(port), "--workers", "2"]
    with log.open("ab") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"dst serve exited:\n{log.read_text()[-2000:]}")
            try:
                if httpx2.get(f"{url}/health/live", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


PANELS = ("patient", "facilities", "community-providers", "eligibility", "seocs")


def test_two_workers_call_each_partner_once_per_page_view(database_url: str, tmp_path: Path) -> None:
    views = 6
    with (
        partner_servers(settings_for(database_url)) as partners,
        dst_serve_workers(database_url, partners.settings(), tmp_path / "dst.log") as url,
    ):

        async def one_view(number: int) -> None:
            # A new connection per request, so the kernel hands them to both workers.
            limits = httpx2.Limits(max_keepalive_connections=0)
            async with httpx2.AsyncClient(base_url=url, headers=SERVICE, timeout=60, limits=limits) as http:
                body = consult(veteran(ordinary), "ORTHOPEDICS") | {"consultNumber": str(91000 + number)}
                created = await http.post("/api/v1/dst", json=body)
                assert created.status_code == 201, created.text
                dst_id = created.json()["dstId"]
                answers = await asyncio.gather(*(http.get(f"/api/v1/dst/{dst_id}/{p}") for p in PANELS))
                for answer in answers:
                    assert answer.status_code == 200, answer.text
                    assert not answer.json().get("errors"), answer.text

        async def all_views() -> None:
            await asyncio.gather(*(one_view(n) for n in range(views)))

        partners.requests.clear()
        asyncio.run(all_views())
        counted = dict(partners.requests)
    for partner in ("/mvi", "/ee", "/routing", "/ppms"):
        assert counted.get(partner) == views, counted
