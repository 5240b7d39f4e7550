"""Reads for the jobs pages and `dst jobs list`: each job's last run and next run, the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dst.jobs.context import JobSpec
from dst.jobs.models import JobRun
from dst.jobs.registry import JOBS, next_run
from dst.reference.models import ConsultService


@dataclass(frozen=True)
class JobOverview:
    spec: JobSpec
    next_run: datetime
    last: JobRun | None


def job_overview(session: Session, now: datetime) -> list[JobOverview]:
    latest = (
        select(JobRun.job, func.max(JobRun.id).label("id"))
        .where(JobRun.outcome != "already-running")
        .group_by(JobRun.job)
        .subquery()
    )
    last = {run.job: run for run in session.scalars(select(JobRun).join(latest, JobRun.id == latest.c.id))}
    return [JobOverview(spec, next_run(spec, now), last.get(spec.name)) for spec in JOBS]


def recent_runs(session: Session, *, job: str | None = None, limit: int = 50) -> list[JobRun]:
    query = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if job is not None:
        query = query.where(JobRun.job == job)
    return list(session.scalars(query))


def unmapped_consult_services(session: Session) -> list[ConsultService]:
    """Names CTB sent that no CDW mapping or override resolves, most recently seen first."""
    query = (
        select(ConsultService)
        .where(ConsultService.source == "seen", ConsultService.clinical_service_id.is_(None))
        .order_by(ConsultService.last_seen.desc(), ConsultService.station, ConsultService.name)
    )
    return list(session.scalars(query))
