"""The runner: one replica runs a job, the others say it was already running; history records each start."""

from __future__ import annotations

import threading
from datetime import timedelta

import anyio
from sqlalchemy import select

from dst.db.base import utcnow
from dst.db.engine import transaction
from dst.jobs import claim
from dst.jobs.claim import ClaimAnswer
from dst.jobs.context import JobContext, JobError, JobOutcome, JobSpec
from dst.jobs.models import JobClaim, JobRun
from dst.jobs.purge import purge_expired
from dst.jobs.registry import job_spec
from dst.jobs.runner import run_spec

from harness import settings_for
from job_support import sessions_for


def _spec(body, name: str = "purge") -> JobSpec:  # type: ignore[no-untyped-def]
    return JobSpec(name, "test", "0 2 * * *", body)


def test_a_purge_started_twice_at_once_runs_once(database_url: str) -> None:
    settings, sessions = settings_for(database_url), sessions_for(database_url)
    started, release = threading.Event(), threading.Event()

    async def held_purge(context: JobContext) -> JobOutcome:
        started.set()
        await anyio.to_thread.run_sync(release.wait)
        return await purge_expired(context)

    first: list[object] = []
    worker = threading.Thread(
        target=lambda: first.append(
            anyio.run(lambda: run_spec(_spec(held_purge), settings=settings, sessions=sessions))
        )
    )
    worker.start()
    assert started.wait(30)
    second = anyio.run(lambda: run_spec(job_spec("purge"), settings=settings, sessions=sessions))
    release.set()
    worker.join(60)

    assert second.outcome == "already-running"
    assert second.error is not None and "already running on" in second.error
    assert first[0].outcome == "ok"  # type: ignore[attr-defined]
    with sessions() as session:
        outcomes = sorted(run.outcome for run in session.scalars(select(JobRun).where(JobRun.job == "purge")))
        assert outcomes == ["already-running", "ok"]
        held = session.get(JobClaim, "purge")
        assert held is not None and held.holder is None  # released when the first run finished


def test_a_failed_job_is_recorded_and_releases_its_claim(database_url: str) -> None:
    settings, sessions = settings_for(database_url), sessions_for(database_url)

    async def broken(_context: JobContext) -> JobOutcome:
        raise JobError("the source said no")

    summary = anyio.run(lambda: run_spec(_spec(broken, "load-seoc"), settings=settings, sessions=sessions))
    assert summary.outcome == "failed" and summary.error == "the source said no"
    again = anyio.run(lambda: run_spec(_spec(broken, "load-seoc"), settings=settings, sessions=sessions))
    assert again.outcome == "failed"  # not "already-running": the claim was released
    with sessions() as session:
        runs = list(
            session.scalars(select(JobRun).where(JobRun.job == "load-seoc", JobRun.trigger == "manual"))
        )
    assert [r.error for r in runs] == ["the source said no", "the source said no"]
    assert all(r.finished_at is not None and r.finished_at >= r.started_at for r in runs)


def test_an_expired_lease_is_taken_over_and_the_dead_run_marked_abandoned(database_url: str) -> None:
    sessions = sessions_for(database_url)
    now = utcnow()
    with transaction(sessions) as session:
        dead = JobRun(
            job="purge", holder="dead", trigger="schedule", started_at=now, outcome="running", warnings=[]
        )
        session.add(dead)
        session.flush()
        assert (
            claim.try_claim(session, job="purge", holder="dead", run_id=dead.id, now=now).answer
            is ClaimAnswer.WON
        )
        dead_id = dead.id
    with transaction(sessions) as session:
        held = claim.try_claim(session, job="purge", holder="alive", run_id=0, now=now + timedelta(minutes=1))
        assert held.answer is ClaimAnswer.HELD and held.holder == "dead"
    with transaction(sessions) as session:
        later = now + claim.DEFAULT_LEASE + timedelta(seconds=1)
        assert (
            claim.try_claim(session, job="purge", holder="alive", run_id=0, now=later).answer
            is ClaimAnswer.WON
        )
    with sessions() as session:
        assert session.get(JobRun, dead_id).outcome == "abandoned"  # type: ignore[union-attr]


def test_replicas_firing_the_same_scheduled_slot_start_it_once(database_url: str) -> None:
    settings, sessions = settings_for(database_url), sessions_for(database_url)
    slot = utcnow().replace(microsecond=0)
    runs = [
        anyio.run(
            lambda: run_spec(
                job_spec("purge"), settings=settings, sessions=sessions, trigger="schedule", slot=slot
            )
        )
        for _ in range(2)
    ]
    assert [r.outcome for r in runs] == ["ok", "slot-done"]
    with sessions() as session:
        assert len(list(session.scalars(select(JobRun).where(JobRun.job == "purge")))) == 1
