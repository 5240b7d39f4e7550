"""The `dst` command: serve, database, demo data, jobs and partner fakes."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import anyio
import typer

from dst.config import get_settings
from dst.jobs.commands import jobs_app
from dst.logs import configure as configure_logging
from dst.partners.fakes import PartnerFakes
from dst.tables import JSON_OPTION, CliTable, print_table

app = typer.Typer(help="DST — Community Care Decision Support Tool", no_args_is_help=True)
db_app = typer.Typer(help="Database schema and reference data", no_args_is_help=True)
demo_app = typer.Typer(help="Synthetic demo data", no_args_is_help=True)
fakes_app = typer.Typer(help="Partner fakes speaking the real wire protocols", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(fakes_app, name="fakes")
reports_app = typer.Typer(help="Compliance and utilisation reports", no_args_is_help=True)
app.add_typer(reports_app, name="reports")
app.add_typer(jobs_app, name="jobs")


def _demo_fakes() -> PartnerFakes:
    from dst.demo.fakes_server import embedded_fakes

    return embedded_fakes(get_settings())


@dataclass(frozen=True)
class Wiring:
    """What the subcommands are handed: the partner fakes for partners without a configured URL."""

    partner_fakes: Callable[[], PartnerFakes] = _demo_fakes


@app.callback()
def wire(ctx: typer.Context) -> None:
    ctx.obj = Wiring()


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int | None = typer.Option(
        None, min=1, help="Worker processes; default one per core with DST_ENV=prod, else one."
    ),
) -> None:
    """Serve the web app and API."""
    import uvicorn

    from dst.web.serving import uvicorn_options

    configure_logging()
    settings = get_settings()
    if workers is None:
        workers = (os.cpu_count() or 1) if settings.env == "prod" else 1
    # Each worker builds its app from the environment: tell it how many workers share the traffic,
    # so its rate limits are its share (docs/security.md).
    os.environ["DST_WORKERS"] = str(workers)
    if workers > 1:
        # Several processes serve one page view's panels: they share partner answers (dst.consults.shared).
        os.environ.setdefault("DST_SHARE_PARTNER_CALLS", "true")
    get_settings.cache_clear()
    uvicorn.run(
        "dst.main:served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **uvicorn_options(settings),
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations, then put the national reference data in place."""
    from dst.db import migrate
    from dst.db.roles import RoleError, grant_app_role
    from dst.reference.loading import load_national_reference

    configure_logging()
    settings = get_settings()
    url = settings.owner_database_url
    migrate.upgrade(url, revision)
    if revision == "head":
        load_national_reference(url)
    if settings.database_app_role:
        try:
            grant_app_role(url, settings.database_app_role)
        except RoleError as problem:
            typer.echo(f"upgrade done, but the app role was not granted: {problem}", err=True)
            raise typer.Exit(1) from problem
        typer.echo(
            f"role {settings.database_app_role} may read and write DST's rows; the audit is append-only"
        )
    typer.echo(f"database at revision {revision}")


@db_app.command("downgrade")
def db_downgrade(
    revision: str = typer.Argument("-1", help="Target revision, or -1 for one step back"),
) -> None:
    """Undo migrations down to REVISION (data in kept tables is preserved)."""
    from dst.db import migrate

    configure_logging()
    migrate.downgrade(get_settings().owner_database_url, revision)
    typer.echo(f"database downgraded to {revision}")


@db_app.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="Snapshot file to write (replaced when complete)")],
) -> None:
    """Write a consistent snapshot: pg_dump custom format on PostgreSQL, a SQLite copy otherwise."""
    from dst.db.backup import BackupError, backup

    configure_logging()
    try:
        snapshot = backup(get_settings().owner_database_url, path)
    except BackupError as problem:
        typer.echo(f"backup failed: {problem}", err=True)
        raise typer.Exit(1) from problem
    typer.echo(
        f"{snapshot.backend} snapshot at revision {snapshot.revision}: {path}, {snapshot.size_bytes} bytes"
    )


@db_app.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(help="Snapshot written by `dst db backup`")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Replace the database's contents without asking")
    ] = False,
) -> None:
    """Replace the database's contents with a snapshot (stop the app and the jobs first)."""
    from dst.db.backup import BackupError, restore

    configure_logging()
    if not yes and not typer.confirm(f"Replace everything in the database with {path}?"):
        raise typer.Exit(1)
    try:
        snapshot = restore(get_settings().owner_database_url, path)
    except BackupError as problem:
        typer.echo(f"restore failed: {problem}", err=True)
        raise typer.Exit(1) from problem
    typer.echo(f"restored {path}: {snapshot.backend} database at revision {snapshot.revision}")


@demo_app.command("seed")
def demo_seed(as_json: bool = JSON_OPTION) -> None:
    """Load demo facilities, SEOCs, wait times and consult services from the configured partners."""
    from dst.demo.seed import seed_demo

    configure_logging()
    summary = anyio.run(seed_demo, get_settings())
    table = CliTable("Demo data loaded", ("what", "rows written"), ("what", "rowsWritten"))
    for name, count in summary.items():
        table.add(name, count)
    print_table(table, as_json=as_json)


@fakes_app.command("serve")
def fakes_serve(
    host: str = "127.0.0.1",
    port: int = 8100,
    latency_ms: int = 0,
    partner_latency: list[str] = typer.Option(  # noqa: B008 - typer declares options this way
        [], "--partner-latency", help="PARTNER=MS, e.g. ppms=500; repeat per partner; overrides --latency-ms"
    ),
) -> None:
    """Serve every partner fake on one port: /mvi, /ee, /facilities, /ppms, /seoc, /routing."""
    import uvicorn

    from dst.demo.fakes_server import create_fakes_app, parse_partner_latencies

    configure_logging()
    try:
        per_partner = parse_partner_latencies(partner_latency)
        fakes = create_fakes_app(get_settings(), latency_s=latency_ms / 1000, partner_latency_s=per_partner)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--partner-latency") from error
    uvicorn.run(fakes, host=host, port=port, access_log=False)


@reports_app.command("rebuild")
def reports_rebuild() -> None:
    """Recount the report tallies from the decision facts (after a restore or an upgrade)."""
    from dst.db.engine import one_transaction
    from dst.reports.rebuild import rebuild_tallies

    configure_logging()
    with one_transaction(get_settings().database_url) as session:
        rebuild_tallies(session)
    typer.echo("report tallies rebuilt from decision facts")


if __name__ == "__main__":
    app()
