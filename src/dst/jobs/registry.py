"""The five jobs, their schedules (UTC cron), and when each runs next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from dst.jobs.cdw_mappings import map_consult_services
from dst.jobs.cdw_wait_times import load_wait_times
from dst.jobs.context import JobError, JobSpec
from dst.jobs.purge import purge_expired
from dst.jobs.reference_loads import load_facilities, load_seocs

JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "load-facilities",
        "Lighthouse Facilities v1, every page, into the facilities table",
        "0 5 * * *",
        load_facilities,
    ),
    JobSpec("load-seoc", "Active SEOCs from the SEOC service", "0 2 * * *", load_seocs),
    JobSpec(
        "cdw-mappings",
        "CDW consult service → clinical service, by clinic stop codes",
        "0 2 * * *",
        map_consult_services,
    ),
    JobSpec(
        "cdw-wait-times",
        "CDW average waits per facility and clinical service (VA 30 days, community care 90 days)",
        "0 2 * * sun",
        load_wait_times,
    ),
    JobSpec(
        "purge",
        "Working records 30 days after their last update (after their report facts exist)",
        "0 2 * * *",
        purge_expired,
    ),
)
JOB_NAMES = tuple(spec.name for spec in JOBS)


def job_spec(name: str) -> JobSpec:
    for spec in JOBS:
        if spec.name == name:
            return spec
    raise JobError(f"no job named {name!r}; the jobs are {', '.join(JOB_NAMES)}")


def trigger_for(spec: JobSpec) -> CronTrigger:
    return CronTrigger.from_crontab(spec.cron, timezone=UTC)


def next_run(spec: JobSpec, after: datetime) -> datetime:
    fire = trigger_for(spec).get_next_fire_time(None, after)
    assert fire is not None  # a crontab always fires again
    return fire


def latest_slot(spec: JobSpec, now: datetime) -> datetime:
    """The scheduled time this run belongs to: the last fire time at or before `now`."""
    slot = next_run(spec, now - timedelta(days=8))  # every schedule fires at least weekly
    while True:
        following = next_run(spec, slot + timedelta(seconds=1))
        if following > now:
            return slot
        slot = following
