"""Development-only routes: the demo Veterans list and demo sign-in (404 when DST_ENV=prod)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from dst.auth import MACHINE_ROLES, Role
from dst.web.deps import sign_in
from dst.web.security import safe_next

router = APIRouter()


def _dev_only(request: Request) -> None:
    if not request.app.state.settings.is_dev:
        raise HTTPException(404, "Not found")


@router.get("/api/v1/demo/patients", tags=["Demo"], summary="Demo Veterans (synthetic; dev mode only)")
async def demo_patients(request: Request) -> list[dict[str, Any]]:
    _dev_only(request)
    from dst.demo.network import demo_patients as listing

    return listing()


@router.get("/dev/sign-in", include_in_schema=False)
async def dev_sign_in(
    request: Request,
    role: Annotated[str, Query()],
    next: Annotated[str, Query()] = "/",
) -> Response:
    _dev_only(request)
    try:
        chosen = Role(role)
    except ValueError:
        raise HTTPException(
            400, f"Unknown role {role!r}; use provider, scheduler, reporting, admin or auditor."
        ) from None
    if chosen in MACHINE_ROLES:
        raise HTTPException(400, "The service role is for machine clients, which use the bearer token.")
    sign_in(request, chosen)
    return RedirectResponse(safe_next(next), status_code=303)
