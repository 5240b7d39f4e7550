"""Jinja2 templates (autoescaped) and the readable error page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from dst.eligibility import CRITERION_LABELS
from dst.partners.advice import advice_for
from dst.web.dates import long_date
from dst.web.deps import csrf_token, current_principal

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.globals |= {"partner_advice": advice_for, "criterion_labels": CRITERION_LABELS}
TEMPLATES.env.filters["long_date"] = long_date


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    try:
        principal = current_principal(request)
    except Exception:  # an invalid bearer token on a page: show the page signed out
        principal = None
    base = {
        "principal": principal,
        "csrf": csrf_token(request) if "session" in request.scope else "",
        "settings": request.app.state.settings,
    }
    response = TEMPLATES.TemplateResponse(request, name, {**base, **context}, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def render_error(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return render(
        request, "error.html", {"status": status, "title": title, "detail": detail}, status_code=status
    )
