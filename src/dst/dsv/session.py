"""The viewer session: what a SMART launch established, bound to exactly one patient."""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict
from typing import Any

from fastapi import HTTPException, Request

from dst.dsv import errors
from dst.dsv.viewer import Viewer

SESSION_KEY = "dsv"
PENDING_KEY = "dsv_pending"
LIFETIME_S = 8 * 3600  # one clinic day; the EHR launches again after that
PENDING_LIFETIME_S = 600
MAX_PENDING = 3


def bind(request: Request, **fields: Any) -> Viewer:
    """Start a viewer session; any earlier one in this browser is replaced, never merged."""
    viewer = Viewer(sid=secrets.token_urlsafe(12), expires_at=time.time() + LIFETIME_S, **fields)
    request.session[SESSION_KEY] = asdict(viewer)
    return viewer


def current(request: Request) -> Viewer | None:
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    try:
        viewer = Viewer(**data)
    except TypeError:
        return None
    return viewer if viewer.expires_at > time.time() else None


def require_page(request: Request) -> Viewer:
    viewer = current(request)
    if viewer is None:
        raise errors.no_viewer_session()
    return viewer


def require_api(request: Request, icn: str | None = None) -> Viewer:
    """The API answers only inside a viewer session, and only about its own patient."""
    viewer = current(request)
    if viewer is None:
        raise HTTPException(
            401, "Open the Decision Support Viewer from the patient's chart in the EHR first."
        )
    if icn is not None and icn != viewer.icn:
        raise HTTPException(
            403, "This viewer session is for another patient; open the viewer from this chart."
        )
    return viewer


async def api_viewer(request: Request) -> Viewer:
    """The viewer session as a route dependency of the JSON API (401 without one)."""
    return require_api(request)


async def page_viewer(request: Request) -> Viewer:
    """The viewer session as a route dependency of the viewer's pages (a readable 401 page without one)."""
    return require_page(request)


def remember_launch(request: Request, state: str, pending: dict[str, Any]) -> None:
    """Keep the PKCE verifier and discovered endpoints until the EHR sends the user back."""
    now = time.time()
    kept = {
        k: v
        for k, v in (request.session.get(PENDING_KEY) or {}).items()
        if isinstance(v, dict) and v.get("created", 0) > now - PENDING_LIFETIME_S
    }
    kept[state] = {**pending, "created": now}
    newest = sorted(kept.items(), key=lambda kv: kv[1]["created"])[-MAX_PENDING:]
    request.session[PENDING_KEY] = dict(newest)


def take_launch(request: Request, state: str | None) -> dict[str, Any]:
    """The pending launch for `state`, removed so a replayed answer is refused."""
    pending = dict(request.session.get(PENDING_KEY) or {})
    found = pending.pop(state or "", None)
    request.session[PENDING_KEY] = pending
    if not isinstance(found, dict) or found.get("created", 0) < time.time() - PENDING_LIFETIME_S:
        raise errors.stale_launch()
    return found
