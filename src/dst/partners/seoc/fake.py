"""An in-process SEOC API v2 serving `/v2/seoc/active` and `/v2/seoc` in the published JSON shape."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp

from dst.partners.fakes import delayed
from dst.partners.seoc.wire import active_json, full_json
from dst.partners.types import Seoc


def create_app(seocs: Sequence[Seoc], latency_s: float = 0.0) -> ASGIApp:
    """`/v2/seoc/active` lists the SEOCs whose status is Active; `/v2/seoc` lists every version."""
    app = FastAPI(title="Fake SEOC API v2")

    @app.get("/v2/seoc/active")
    async def active() -> JSONResponse:
        chosen = [s for s in seocs if s.status == "Active"]
        return JSONResponse({"Seocs": [{"Seoc": active_json(s)} for s in chosen]})

    @app.get("/v2/seoc")
    async def every_state() -> JSONResponse:
        return JSONResponse({"Seocs": [{"Seoc": full_json(s, n)} for n, s in enumerate(seocs, start=1)]})

    return delayed(app, latency_s)
