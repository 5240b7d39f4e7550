"""Run one job: claim it, record it in the history, run its body, record how it ended, release it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from dst.config import Settings
from dst.db.base import utcnow
from dst.db.engine import short_lived_sessions, transaction
from dst.jobs import claim
from dst.jobs.claim import ClaimAnswer
from dst.jobs.context import GatewayOpener, JobContext, JobError, JobOutcome, JobSpec, Progress
from dst.jobs.models import JobRun
from dst.partners.fakes import PartnerFakes
from dst.partners.registry import build_gateway

log = logging.getLogger(__name__)
RENEW_EVERY_S = 15.0


@dataclass
class RunSummary:
    """What `dst jobs run` and the scheduler report about one start."""

    job: str
    outcome: str  # ok, warnings, failed, already-running, slot-done
    run_id: int | None = None
    read: int = 0
    written: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.outcome in ("ok", "warnings", "already-running", "slot-done")


def _quiet(_done: int, _total: int | None, _what: str) -> None:
    return None


class _Lease:
    """Renews the claim's lease at most every RENEW_EVERY_S seconds while the job reports progress."""

    def __init__(self, sessions: sessionmaker[Session], job: str, holder: str, lease: timedelta) -> None:
        self.sessions, self.job, self.holder, self.lease = sessions, job, holder, lease
        self.renewed = time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self.renewed < RENEW_EVERY_S:
            return
        with transaction(self.sessions) as session:
            if not claim.renew(session, job=self.job, holder=self.holder, now=utcnow(), lease=self.lease):
                raise JobError("lost the job claim (its lease ran out); another replica may have taken over")
        self.renewed = time.monotonic()


def _start(
    sessions: sessionmaker[Session],
    spec: JobSpec,
    holder: str,
    trigger: str,
    lease: timedelta,
    slot: datetime | None,
) -> tuple[int, claim.ClaimResult]:
    with transaction(sessions) as session:
        now = utcnow()
        run = JobRun(
            job=spec.name, holder=holder, trigger=trigger, started_at=now, outcome="running", warnings=[]
        )
        session.add(run)
        session.flush()
        result = claim.try_claim(
            session, job=spec.name, holder=holder, run_id=run.id, now=now, lease=lease, slot=slot
        )
        if result.answer is ClaimAnswer.SLOT_DONE:
            session.delete(run)  # another replica started this scheduled run: nothing to record twice
        elif result.answer is ClaimAnswer.HELD:
            run.outcome = "already-running"
            run.finished_at = now
            run.error = _held_message(result)
        return run.id, result


def _held_message(result: claim.ClaimResult) -> str:
    since = f" since {result.since:%Y-%m-%d %H:%M:%S} UTC" if result.since else ""
    return f"already running on {result.holder}{since}; this start did nothing"


def _finish(
    sessions: sessionmaker[Session], spec: JobSpec, holder: str, run_id: int, summary: RunSummary
) -> None:
    with transaction(sessions) as session:
        run = session.get(JobRun, run_id)
        if run is not None:
            run.finished_at = utcnow()
            run.outcome = summary.outcome
            run.rows_read, run.rows_written = summary.read, summary.written
            run.error, run.warnings = summary.error, summary.warnings
        claim.release(session, job=spec.name, holder=holder)


async def run_spec(
    spec: JobSpec,
    *,
    settings: Settings,
    sessions: sessionmaker[Session],
    trigger: str = "manual",
    progress: Progress = _quiet,
    open_gateway: GatewayOpener | None = None,
    lease: timedelta = claim.DEFAULT_LEASE,
    slot: datetime | None = None,
) -> RunSummary:
    """Run `spec` once unless another process holds its claim; never raises for a job's own failure."""
    holder = claim.new_holder()
    run_id, started = _start(sessions, spec, holder, trigger, lease, slot)
    if started.answer is ClaimAnswer.SLOT_DONE:
        return RunSummary(spec.name, "slot-done")
    if started.answer is ClaimAnswer.HELD:
        log.warning("job %s %s", spec.name, _held_message(started))
        return RunSummary(spec.name, "already-running", run_id, error=_held_message(started))
    log.info("job %s started (run %s, %s)", spec.name, run_id, trigger)
    context = JobContext(
        settings=settings,
        sessions=sessions,
        open_gateway=open_gateway or _gateway(settings),
        report_progress=progress,
        heartbeat=_Lease(sessions, spec.name, holder, lease),
    )
    summary = await _run_body(spec, context, run_id)
    _finish(sessions, spec, holder, run_id, summary)
    log.info(
        "job %s %s: read %s, wrote %s, %s warnings%s",
        spec.name,
        summary.outcome,
        summary.read,
        summary.written,
        len(summary.warnings),
        f" — {summary.error}" if summary.error else "",
    )
    return summary


async def _run_body(spec: JobSpec, context: JobContext, run_id: int) -> RunSummary:
    try:
        outcome: JobOutcome = await spec.body(context)
    except JobError as error:
        return RunSummary(spec.name, "failed", run_id, error=str(error))
    except Exception as error:
        # The history keeps the kind of failure; the traceback goes to the log for the operator.
        log.exception("job %s failed", spec.name)
        return RunSummary(spec.name, "failed", run_id, error=f"{type(error).__name__}: {error}")
    kind = "warnings" if outcome.warnings else "ok"
    return RunSummary(spec.name, kind, run_id, outcome.read, outcome.written, None, outcome.named_warnings())


def _gateway(settings: Settings, fakes: PartnerFakes | None = None) -> GatewayOpener:
    return lambda: build_gateway(settings, fakes)


async def run_job(
    name: str, settings: Settings, *, fakes: PartnerFakes | None = None, **options: object
) -> RunSummary:
    """Run a job by name against the configured database (the CLI, CronJob and scheduler entry);
    partners without a configured URL are the `fakes` given (the `dst` command gives the demo's)."""
    from dst.jobs.registry import job_spec

    spec = job_spec(name)
    with short_lived_sessions(settings.database_url) as sessions:
        opener = _gateway(settings, fakes)
        return await run_spec(spec, settings=settings, sessions=sessions, open_gateway=opener, **options)  # type: ignore[arg-type]
