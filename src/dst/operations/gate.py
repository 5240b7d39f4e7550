"""Per-request operations: banners on every page, and whole-DST maintenance in front of clinical pages.

VistA's consultFactor, health probes, static files, sign-in and the console itself stay open in a
whole-DST window; Consult Toolbox is told FALSE so consults can be ordered without DST meanwhile.
"""

from __future__ import annotations

import logging
from datetime import datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from dst.operations.monitor import OperationsMonitor, WholeDstMaintenance
from dst.web import routes

log = logging.getLogger(__name__)
REQUIRES_DST = "/ctb/v1/requires-dst"


class OperationsMiddleware:
    """Pure ASGI, so streaming responses and background tasks pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope.get("app")
        monitor: OperationsMonitor | None = getattr(app.state, "operations", None) if app else None
        if scope["type"] != "http" or monitor is None or scope["path"].startswith(routes.QUIET):
            await self.app(scope, receive, send)
            return
        try:
            board = await monitor.refresh_if_due()
        except Exception as error:  # a failed refresh must not fail the page: show the last known notices
            log.warning("operations notices not refreshed: %s", type(error).__name__)
            board = monitor.board
        scope.setdefault("state", {})["dst_notices"] = board.notices
        if board.dst_maintenance is not None:
            request = Request(scope, receive)
            blocked = maintenance_response(request, board.dst_maintenance, monitor.clock())
            if blocked is not None:
                await blocked(scope, receive, send)
                return
        await self.app(scope, receive, send)


def maintenance_response(request: Request, window: WholeDstMaintenance, now: datetime) -> Response | None:
    path = request.url.path
    if path == REQUIRES_DST:
        return PlainTextResponse("FALSE", headers={"Cache-Control": "no-store"})
    if not path.startswith(routes.CLINICAL):
        return None
    retry = {"Retry-After": str(max(60, int((window.ends_at - now).total_seconds())))}
    detail = (
        f"DST is down for scheduled maintenance until {window.ends_at:%a %d %b %Y %H:%M} UTC. "
        f"{window.message}"
    )
    if path.startswith(routes.APIS):
        from dst.web.problems import problem

        response: Response = problem(503, "Scheduled maintenance", detail)
    else:
        from dst.operations.views import maintenance_page

        response = maintenance_page(request, window)
    response.headers.update(retry)
    return response
