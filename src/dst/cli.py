"""The `dst` command: serve, database, demo data, jobs and partner fakes."""

from __future__ import annotations

import logging
import sys

import anyio
import typer

from dst.config import get_settings
from dst.jobs.commands import jobs_app

app = typer.Typer(help="DST — Community Care Decision Support Tool", no_args_is_help=True)
db_app = typer.Typer(help="Database schema and reference data", no_args_is_help=True)
demo_app = typer.Typer(help="Synthetic demo data", no_args_is_help=True)
fakes_app = typer.Typer(help="Partner fakes speaking the real wire protocols", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(fakes_app, name="fakes")
app.add_typer(jobs_app, name="jobs")


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    # Request lines carry partner query strings; DST logs outcomes itself, without them.
    logging.getLogger("httpx").setLevel(logging.WARNING)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the web app and API."""
    import uvicorn

    _configure_logging()
    uvicorn.run(
        "dst.main:create_app", factory=True, host=host, port=port, proxy_headers=True, access_log=False
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations, then put the national reference data in place."""
    from dst.db import migrate
    from dst.reference.loading import load_national_reference

    _configure_logging()
    url = get_settings().database_url
    migrate.upgrade(url, revision)
    if revision == "head":
        load_national_reference(url)
    typer.echo(f"database at revision {revision}")


@db_app.command("downgrade")
def db_downgrade(
    revision: str = typer.Argument("-1", help="Target revision, or -1 for one step back"),
) -> None:
    """Undo migrations down to REVISION (data in kept tables is preserved)."""
    from dst.db import migrate

    _configure_logging()
    migrate.downgrade(get_settings().database_url, revision)
    typer.echo(f"database downgraded to {revision}")


@demo_app.command("seed")
def demo_seed() -> None:
    """Load demo facilities, SEOCs, wait times and consult services from the configured partners."""
    from dst.demo.seed import seed_demo

    _configure_logging()
    summary = anyio.run(seed_demo, get_settings())
    for name, count in summary.items():
        typer.echo(f"{name}: {count}")


@fakes_app.command("serve")
def fakes_serve(host: str = "127.0.0.1", port: int = 8100, latency_ms: int = 0) -> None:
    """Serve every partner fake on one port: /mvi, /ee, /facilities, /ppms, /seoc, /routing."""
    import uvicorn

    from dst.demo.fakes_server import create_fakes_app

    _configure_logging()
    uvicorn.run(
        create_fakes_app(get_settings(), latency_s=latency_ms / 1000), host=host, port=port, access_log=False
    )


if __name__ == "__main__":
    app()
