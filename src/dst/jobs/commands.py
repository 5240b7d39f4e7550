"""`dst jobs list` and `dst jobs run NAME` (what a Kubernetes CronJob calls)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dst.config import get_settings
from dst.db.base import utcnow
from dst.db.engine import one_transaction
from dst.jobs.context import JobError
from dst.jobs.context import Progress as ProgressCallback
from dst.jobs.registry import JOB_NAMES, job_spec
from dst.jobs.runner import run_job
from dst.jobs.service import job_overview
from dst.logs import configure as configure_logging
from dst.tables import JSON_OPTION, CliTable, print_table

jobs_app = typer.Typer(help="Scheduled jobs: reference loads, CDW ETL, purge", no_args_is_help=True)
log = logging.getLogger("dst.jobs")


def _require_migrated() -> None:
    from dst.db.migrate import is_up_to_date

    if not is_up_to_date(get_settings().database_url):
        typer.echo("The database is not at the latest schema: run `dst db upgrade` first.", err=True)
        raise typer.Exit(2)


@jobs_app.command("list")
def list_jobs(as_json: bool = JSON_OPTION) -> None:
    """Each job with its schedule (UTC), next run and last outcome."""
    _require_migrated()
    with one_transaction(get_settings().database_url) as session:
        overview = job_overview(session, utcnow())
    table = CliTable(
        "DST jobs",
        ("job", "schedule (UTC)", "next run", "last run", "outcome"),
        ("job", "schedule", "nextRun", "lastRun", "outcome"),
    )
    for row in overview:
        last = row.last
        if as_json:
            table.add(
                row.spec.name,
                row.spec.cron,
                row.next_run.isoformat(),
                last.started_at.isoformat() if last else None,
                last.outcome if last else None,
            )
            continue
        table.add(
            row.spec.name,
            row.spec.cron,
            f"{row.next_run:%Y-%m-%d %H:%M}",
            f"{last.started_at:%Y-%m-%d %H:%M}" if last else "never",
            last.outcome if last else "",
        )
    print_table(table, as_json=as_json)


@jobs_app.command("run")
def run(ctx: typer.Context, name: str = typer.Argument(..., help=f"one of: {', '.join(JOB_NAMES)}")) -> None:
    """Run one job now. Exit status 1 when it failed; 0 when it ran, or another replica was running it."""
    configure_logging()
    try:
        job_spec(name)
    except JobError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error
    _require_migrated()
    # The `dst` command hands over the demo's partner fakes (dst.cli), for partners without a URL.
    fakes = ctx.obj.partner_fakes() if ctx.obj is not None else None
    with _progress_display(name) as progress:
        summary = anyio.run(
            lambda: run_job(name, get_settings(), fakes=fakes, trigger="command", progress=progress)
        )
    typer.echo(
        f"{name}: {summary.outcome} — read {summary.read}, wrote {summary.written}, "
        f"{len(summary.warnings)} warning(s)"
    )
    for warning in summary.warnings:
        typer.echo(f"  warning: {warning}")
    if summary.error:
        typer.echo(f"  {summary.error}", err=True)
    if not summary.succeeded:
        raise typer.Exit(1)


@contextmanager
def _progress_display(name: str) -> Iterator[ProgressCallback]:
    """A Rich progress bar on a terminal; plain log lines (at most one per 5%) otherwise."""
    if not sys.stderr.isatty():
        yield _log_lines(name)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(name, total=None)

        def update(done: int, total: int | None, what: str) -> None:
            bar.update(task, completed=done, total=total, description=f"{name}: {what}")

        yield update


def _log_lines(name: str) -> ProgressCallback:
    last_step = -1

    def update(done: int, total: int | None, what: str) -> None:
        nonlocal last_step
        step = int(20 * done / total) if total else done // 10_000
        if step != last_step:
            last_step = step
            log.info("%s: %s %s%s", name, what, done, f" of {total}" if total else "")

    return update
