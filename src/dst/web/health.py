"""Liveness, readiness, partner status (no partner I/O on a probe) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from dst.config import Settings
from dst.db.migrate import current_revision, head_revision
from dst.db.threads import run_db
from dst.partners.gateway import PartnerGateway
from dst.partners.steel_thread import CheckStatus, SteelThread

router = APIRouter(tags=["Health"])


@router.get("/health/live", summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "UP"}


@router.get("/health/ready", summary="Database reachable, schema current; DEMO on synthetic partners")
async def ready(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    try:
        # On a database thread: a database that is slow to answer, or a connection that waits out its
        # timeout, must not stop the event loop (and every request on it) for a probe.
        # Reading the schema revision is the reachability check (a query on alembic_version).
        revision = await run_db(current_revision, engine)
    except Exception:  # any database failure means not ready; the detail goes to the log, not the probe
        return JSONResponse({"status": "DOWN", "database": "unreachable"}, status_code=503)
    current = revision == head_revision()
    settings: Settings = request.app.state.settings
    synthetic = settings.synthetic_partners
    # Never UP on synthetic partners: a demo says DEMO (still ready, for `make run`); production, which
    # refuses to start that way, would be DOWN.
    status = "DOWN" if not current or (synthetic and not settings.is_dev) else "DEMO" if synthetic else "UP"
    body = {
        "status": status,
        "database": "UP",
        "schemaRevision": revision,
        "schemaCurrent": current,
        "syntheticPartners": synthetic,
    }
    return JSONResponse(body, status_code=503 if status == "DOWN" else 200)


@router.get(
    "/health/partners",
    summary="Each partner's circuit breaker, recent call figures and last steel-thread check",
)
async def partners(request: Request) -> dict[str, Any]:
    gateway: PartnerGateway = request.app.state.gateway
    report: dict[str, dict[str, Any]] = {}
    for partner, breaker in gateway.breakers.items():
        stats = gateway.stats[partner]
        p95 = stats.percentile_s(0.95)
        report[partner.value] = {
            "breaker": breaker.state.value,
            "successes": stats.successes,
            "failures": dict(stats.failures),
            "skipped": stats.skipped,
            "p95Ms": round(p95 * 1000, 1) if p95 is not None else None,
        }
    # The steel thread ran in the background; reading its results here calls no partner.
    thread: SteelThread = request.app.state.steel_thread
    checks = thread.report()
    for partner, check in checks["partners"].items():
        report[partner]["steelThread"] = check
    down = [
        name
        for name, r in report.items()
        if r["breaker"] != "closed" or r.get("steelThread", {}).get("status") == CheckStatus.DOWN.value
    ]
    return {
        "status": "DEGRADED" if down else "UP",
        "down": down,
        "steelThread": {"enabled": checks["enabled"], "runs": checks["runs"]},
        "partners": report,
    }


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
