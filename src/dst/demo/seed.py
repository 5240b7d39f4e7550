"""`dst demo seed`: load the demo network into DST the way production jobs would load real data."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from dst.cdw.demo import build_demo_cdw
from dst.cdw.source import cdw_engine
from dst.config import Settings
from dst.db.base import utcnow
from dst.db.engine import build_engine, build_session_factory, transaction
from dst.demo.fakes_server import embedded_fakes
from dst.demo.network import demo_network
from dst.jobs.registry import job_spec
from dst.jobs.runner import run_spec
from dst.partners.registry import build_gateway
from dst.reference.seed import sync_national_reference

SEEDING_JOBS = {
    "facilities": "load-facilities",
    "seocs": "load-seoc",
    "consult services": "cdw-mappings",
    "wait times": "cdw-wait-times",
}


class SeedError(RuntimeError):
    """A seeding job failed; the message is the job's own error."""


async def seed_demo(settings: Settings) -> dict[str, int]:
    engine = build_engine(settings.database_url)
    sessions = build_session_factory(engine)
    try:
        with transaction(sessions) as session:
            sync_national_reference(session)
        if not settings.cdw_url:  # never write into a site's real CDW
            seed_demo_cdw(settings)
        summary = {what: await _run(name, settings, sessions) for what, name in SEEDING_JOBS.items()}
        # Fresh planner statistics: without them SQLite walks every facility offering the service
        # instead of the nearby latitude band on the dashboard's facility query.
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
        return summary
    finally:
        engine.dispose()


def seed_demo_cdw(settings: Settings) -> dict[str, int]:
    """Create and fill the demo CDW source (a SQLite file) from the demo network."""
    engine = cdw_engine(settings)
    try:
        return build_demo_cdw(engine, demo_network(), utcnow().date())
    finally:
        engine.dispose()


async def _run(name: str, settings: Settings, sessions: sessionmaker[Session]) -> int:
    fakes = embedded_fakes(settings)
    summary = await run_spec(
        job_spec(name),
        settings=settings,
        sessions=sessions,
        trigger="demo-seed",
        open_gateway=lambda: build_gateway(settings, fakes),
    )
    if summary.outcome not in ("ok", "warnings"):
        raise SeedError(f"{name}: {summary.error or summary.outcome}")
    return summary.written
