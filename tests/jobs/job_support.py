"""Test wiring for jobs: a settings/sessions pair on the test database and scripted partners."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from dst.config import Settings
from dst.db.engine import build_engine, build_session_factory, normalize_url
from dst.partners.facilities.client import FacilitiesClient
from dst.partners.facilities.wire import facility_json
from dst.partners.gateway import PartnerGateway
from dst.partners.registry import build_gateway
from dst.partners.seoc.client import SeocClient
from dst.partners.seoc.wire import active_json
from dst.partners.types import FacilityRecord, Seoc

BASE = "http://scripted.partner.invalid"


def sessions_for(url: str) -> sessionmaker[Session]:
    """On PostgreSQL without a pool: every connection closes with its session, so none outlives the test."""
    if make_url(normalize_url(url)).get_backend_name() == "postgresql":
        return build_session_factory(create_engine(normalize_url(url), poolclass=NullPool))
    return build_session_factory(build_engine(url))


def count(sessions: sessionmaker[Session], model: Any) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def facilities_app(
    records: list[FacilityRecord],
    *,
    per_page: int = 10,
    fail_on_page: int | None = None,
    malform: Callable[[dict[str, Any]], None] | None = None,
) -> FastAPI:
    """Lighthouse-shaped pages of `records`; page `fail_on_page` answers 503; `malform` edits record 0."""
    app = FastAPI()
    pages = max(1, -(-len(records) // per_page))

    @app.get("/facilities")
    async def listing(request: Request) -> JSONResponse:
        page = int(request.query_params.get("page", "1"))
        if page == fail_on_page:
            return JSONResponse({"errors": [{"title": "Service unavailable"}]}, status_code=503)
        window = records[(page - 1) * per_page : page * per_page]
        data = [facility_json(r, BASE, inline_wait_times=True) for r in window]
        if page == 1 and malform is not None:
            malform(data[0])
        links = {"self": f"{BASE}/facilities?page={page}&per_page={per_page}"}
        if page < pages:
            links["next"] = f"{BASE}/facilities?page={page + 1}&per_page={per_page}"
        meta = {"pagination": {"currentPage": page, "perPage": per_page, "totalPages": pages}}
        return JSONResponse({"data": data, "links": links, "meta": meta})

    return app


def seoc_app(
    seocs: list[Seoc], *, status: int = 200, malform: Callable[[dict[str, Any]], None] | None = None
) -> FastAPI:
    app = FastAPI()

    @app.get("/v2/seoc/active")
    async def active() -> JSONResponse:
        if status != 200:
            return JSONResponse({"message": "down"}, status_code=status)
        items = [{"Seoc": active_json(s)} for s in seocs]
        if malform is not None:
            malform(items[0]["Seoc"])
        return JSONResponse({"Seocs": items})

    return app


def gateway_with(
    settings: Settings, *, facilities: FastAPI | None = None, seoc: FastAPI | None = None
) -> Callable[[], Any]:
    """A gateway opener whose facilities and/or SEOC partner is a scripted app."""

    @asynccontextmanager
    async def opener() -> AsyncIterator[PartnerGateway]:
        async with build_gateway(settings) as gateway:
            clients = []
            if facilities is not None:
                http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=facilities))
                clients.append(http)
                gateway.facilities = FacilitiesClient(BASE, http, "key")
            if seoc is not None:
                http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=seoc))
                clients.append(http)
                gateway.seoc = SeocClient(BASE, http)
            try:
                yield gateway
            finally:
                for client in clients:
                    await client.aclose()

    return opener
