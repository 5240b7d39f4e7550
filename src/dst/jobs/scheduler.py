"""The in-process scheduler (`DST_SCHEDULER_ENABLED=true`, the `make run` default).

Each replica may run one; the job claim lets only the first replica start a scheduled run, and the
others see that this slot was already started and record nothing.
"""

from __future__ import annotations

import logging

import anyio
from apscheduler.schedulers.background import BackgroundScheduler

from dst.config import Settings
from dst.db.base import utcnow
from dst.jobs.registry import JOBS, job_spec, latest_slot, trigger_for
from dst.jobs.runner import run_job
from dst.partners.fakes import PartnerFakes

log = logging.getLogger(__name__)


def run_scheduled(name: str, settings: Settings, fakes: PartnerFakes | None = None) -> None:
    """One scheduled start, on a scheduler thread with its own event loop."""
    slot = latest_slot(job_spec(name), utcnow())
    try:
        anyio.run(lambda: run_job(name, settings, fakes=fakes, trigger="schedule", slot=slot))
    except Exception:  # the scheduler thread must survive a job that could not even start
        log.exception("scheduled job %s could not start", name)


def start_scheduler(settings: Settings, fakes: PartnerFakes | None = None) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    for spec in JOBS:
        scheduler.add_job(
            run_scheduled,
            trigger_for(spec),
            args=(spec.name, settings, fakes),
            id=spec.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
        )
    scheduler.start()
    log.info("job scheduler started: %s", ", ".join(f"{s.name} ({s.cron} UTC)" for s in JOBS))
    return scheduler


def stop_scheduler(scheduler: BackgroundScheduler | None) -> None:
    if scheduler is not None:
        scheduler.shutdown(wait=False)
