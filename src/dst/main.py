"""Application factory: settings, database, partners, routers, middleware."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine, make_url
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from dst import __version__
from dst.audit import views as audit_views
from dst.audit.batch import AuditBatcher
from dst.audit.middleware import DeniedAccessAuditMiddleware
from dst.config import Settings, get_settings
from dst.consults import api as consult_api
from dst.consults import ctb, vista
from dst.consults.cache import PanelCache
from dst.consults.context import ReferenceSnapshots
from dst.consults.panels import Panels
from dst.consults.runtime import Runtime
from dst.consults.shared import SharedCalls
from dst.db.engine import build_engine, build_session_factory, normalize_url
from dst.db.group_commit import GroupCommit
from dst.db.roles import audit_guard_risk
from dst.db.threads import run_db
from dst.demo import cprs as cprs_simulator
from dst.demo import views as demo_views
from dst.demo.fakes_server import embedded_fakes
from dst.demo.network import steel_thread_patient
from dst.dsv import api as dsv_api
from dst.dsv import fake_ehr as dsv_fake_ehr
from dst.dsv import views as dsv_views
from dst.dsv.errors import ViewerProblem
from dst.jobs import views as jobs_views
from dst.jobs.scheduler import start_scheduler, stop_scheduler
from dst.logs import keep_urls_out
from dst.operations import api as operations_api
from dst.operations import views as operations_views
from dst.operations.gate import OperationsMiddleware
from dst.operations.monitor import OperationsMonitor, outage_reporter
from dst.partners import steel_thread
from dst.partners.registry import build_gateway
from dst.reports import views as report_views
from dst.web import catalogue as page_catalogue
from dst.web import collector, health, oidc, pages, problems
from dst.web import dashboard as dashboard_panels
from dst.web import help as help_pages
from dst.web import openapi as openapi_errors
from dst.web import scheduling as scheduling_pages
from dst.web.authfirst import AuthenticateFirstMiddleware
from dst.web.guards import ApiCsrfMiddleware, BodySizeLimitMiddleware
from dst.web.ratelimit import RateLimitMiddleware, SignedInRateLimitMiddleware
from dst.web.security import SecurityHeadersMiddleware
from dst.web.sessions import ServerSessionMiddleware, SessionStore

STATIC_DIR = Path(__file__).parent / "web" / "static"

log = logging.getLogger("dst")


def shares_partner_calls(settings: Settings) -> bool:
    if settings.share_partner_calls is not None:
        return settings.share_partner_calls
    return make_url(normalize_url(settings.database_url)).get_backend_name() == "postgresql"


async def warn_of_owner_role(settings: Settings, engine: Engine) -> None:
    if settings.is_dev:
        return
    risk = await run_db(audit_guard_risk, engine)
    if risk:
        log.error(
            "%s: it could switch the audit trail's append-only guard off; connect as "
            "DST_DATABASE_APP_ROLE instead (docs/security.md, 'Database roles')",
            risk,
        )


def add_middleware(app: FastAPI, settings: Settings) -> None:
    """The middleware stack, innermost first (each `add_middleware` wraps the ones before it)."""
    app.add_middleware(OperationsMiddleware)
    # Before the routes validate anything: refuse anonymous and forged callers first.
    app.add_middleware(AuthenticateFirstMiddleware, renderers={ViewerProblem: dsv_views.problem_response})
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ApiCsrfMiddleware)  # inside the session middleware: it reads the session
    app.add_middleware(DeniedAccessAuditMiddleware)  # also inside: it names who was refused
    # Inside the session middleware too: it limits each signed-in person, wherever they connect from.
    app.add_middleware(
        SignedInRateLimitMiddleware,
        per_second=settings.rate_session_per_second,
        processes=settings.rate_processes,
    )
    app.state.session_store = SessionStore(
        app.state.sessions,
        key=settings.secret_key.get_secret_value(),
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_lifetime_hours),
    )
    app.add_middleware(
        ServerSessionMiddleware,
        store=app.state.session_store,
        https_only=not settings.is_dev,
        keep_csrf_alone=settings.is_dev,
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimitMiddleware,
        sign_in_per_minute=settings.rate_sign_in_per_minute,
        machine_per_second=settings.rate_machine_per_second,
        processes=settings.rate_processes,
    )
    # Outermost: from here on the client is the real one when a trusted proxy forwarded the request,
    # for the rate limits, the audit trail's source address and the scheme of generated URLs.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Also in each uvicorn worker, which builds its app without the `dst` command's logging set-up.
    keep_urls_out()
    # Partners without a configured URL are the demo's fakes, built from its network on first use.
    fakes = embedded_fakes(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            await warn_of_owner_role(settings, app.state.engine)
            async with build_gateway(settings, fakes) as gateway:
                app.state.gateway = gateway
                shared = SharedCalls(
                    app.state.sessions,
                    settings.database_url,
                    enabled=shares_partner_calls(settings),
                    claim_ttl_s=2 * settings.partner_timeout_s + 5,
                    commits=app.state.commits,
                )
                await shared.start()
                app.state.panels = Panels(gateway, app.state.sessions, PanelCache(), shared)
                app.state.runtime = Runtime(
                    app.state.sessions, app.state.panels, app.state.snapshots, app.state.audit
                )
                app.state.operations = OperationsMonitor.start(app.state.sessions, gateway)
                app.state.steel_thread, check = steel_thread.start(
                    gateway,
                    settings,
                    on_result=outage_reporter(app.state.operations),
                    dev_patient=steel_thread_patient,
                )
                app.state.scheduler = start_scheduler(settings, fakes) if settings.scheduler_enabled else None
                if app.state.settle_collector:
                    collector.settle()  # start-up is over: its objects leave the collector's walks
                try:
                    yield
                finally:
                    stop_scheduler(app.state.scheduler)
                    await steel_thread.stop(check)
                    await app.state.operations.stop()
                    # Prefetches started by the last requests still hold, or are about to take, a
                    # connection: they end before the engine goes; so do queued group commits.
                    await app.state.panels.aclose(timeout_s=2 * settings.partner_timeout_s)
                    await shared.stop()
                    await app.state.commits.drain()
        finally:
            # Also when start-up or shutdown failed: every pooled connection is closed, none is left
            # for the garbage collector (on PostgreSQL a server connection held until the process ends).
            app.state.engine.dispose()

    app = FastAPI(
        title="DST — Community Care Decision Support Tool",
        version=__version__,
        description="MISSION Act community care eligibility, VA facilities and community providers.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.settle_collector = False  # served_app: the worker process is a long-running server
    app.state.engine = build_engine(settings.database_url)
    app.state.sessions = build_session_factory(app.state.engine)
    app.state.commits = GroupCommit(app.state.sessions)
    app.state.snapshots = ReferenceSnapshots()
    app.state.audit = AuditBatcher(app.state.sessions, app.state.commits)
    add_middleware(app, settings)
    problems.install(app)
    dsv_views.install(app)
    openapi_errors.install(app)
    for router in (
        consult_api.router,
        vista.router,
        ctb.router,
        demo_views.router,
        oidc.router,
        audit_views.pages,
        audit_views.api,
        health.router,
        pages.router,
        operations_api.router,
        operations_views.router,
        dsv_views.router,
        dsv_api.router,
        dsv_fake_ehr.router,
        dashboard_panels.router,
        cprs_simulator.router,
        report_views.api,
        report_views.pages,
        jobs_views.router,
        page_catalogue.router,
        help_pages.router,
        scheduling_pages.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def served_app(settings: Settings | None = None) -> FastAPI:
    """The app as `dst serve` runs it in each worker process: `create_app`, with the garbage
    collector tuned for a long-running server once start-up is over (dst.web.collector)."""
    app = create_app(settings)
    app.state.settle_collector = True
    return app
