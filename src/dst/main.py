"""Application factory: settings, database, partners, routers, middleware."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from dst import __version__
from dst.config import Settings, get_settings
from dst.consults import api as consult_api
from dst.consults import ctb, vista
from dst.consults.cache import PanelCache
from dst.consults.panels import Panels
from dst.db.engine import build_engine, build_session_factory
from dst.demo import views as demo_views
from dst.jobs import views as jobs_views
from dst.jobs.scheduler import start_scheduler, stop_scheduler
from dst.partners.registry import build_gateway
from dst.web import health, pages, problems
from dst.web.security import SecurityHeadersMiddleware

STATIC_DIR = Path(__file__).parent / "web" / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with build_gateway(settings) as gateway:
            app.state.gateway = gateway
            app.state.panels = Panels(gateway, app.state.sessions, PanelCache())
            app.state.scheduler = start_scheduler(settings) if settings.scheduler_enabled else None
            yield
            stop_scheduler(app.state.scheduler)
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
    app.state.engine = build_engine(settings.database_url)
    app.state.sessions = build_session_factory(app.state.engine)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="dst_session",
        max_age=12 * 3600,
        same_site="lax",
        https_only=not settings.is_dev,
    )
    problems.install(app)
    for router in (
        consult_api.router,
        vista.router,
        ctb.router,
        demo_views.router,
        health.router,
        pages.router,
        jobs_views.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
