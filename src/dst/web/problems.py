"""Errors as problem+json for machines and as readable pages for people — never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from dst.errors import DstProblem
from dst.web import routes

log = logging.getLogger("dst.web")

PROBLEM_JSON = "application/problem+json"
# What a machine client is told when it sent no credentials; a person reading a page is told SIGN_IN_AGAIN.
BEARER_HINT = "Sign in, or send Authorization: Bearer <service token>."
SIGN_IN_AGAIN = (
    "You are not signed in to DST, or your session has ended. Sign in again from the start page, then "
    "reopen DST from the consult in CPRS."
)


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def describe_validation(exc: RequestValidationError) -> tuple[str, list[dict[str, str]]]:
    """Turn pydantic's errors into sentences naming the field, in the API's camelCase."""
    items = []
    for error in exc.errors():
        location = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "header", "path")]
        field = ".".join(location) or "request"
        message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
        items.append({"field": field, "message": message})
    detail = "; ".join(f"{i['field']}: {i['message']}" for i in items) or "The request is not valid."
    return detail, items


def _wants_page(request: Request) -> bool:
    path = request.url.path
    return routes.is_page(path)


def _respond(request: Request, status: int, title: str, detail: str, **extra: Any) -> Response:
    path = request.url.path
    if path.startswith(routes.PLAIN):
        return PlainTextResponse(f"{title}: {detail}", status_code=status)
    if _wants_page(request):
        from dst.web.templating import render_error

        return render_error(request, status, title, detail)
    return problem(status, title, detail, **extra)


def install(app: FastAPI) -> None:
    @app.exception_handler(DstProblem)
    async def _domain(request: Request, exc: DstProblem) -> Response:
        return _respond(request, exc.status, exc.title, exc.detail, field=exc.field, **exc.extra())

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        detail, items = describe_validation(exc)
        return _respond(request, 422, "Invalid input", detail, errors=items)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        title = {
            401: "Sign-in required",
            403: "Forbidden",
            404: "Not found",
            405: "Method not allowed",
            413: "Request too large",
            429: "Too many requests",
        }.get(exc.status_code, "Error")
        detail = str(exc.detail)
        if detail == BEARER_HINT and _wants_page(request):
            detail = SIGN_IN_AGAIN  # the API's bearer-token hint means nothing to a clinician
        response = _respond(request, exc.status_code, title, detail)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> Response:
        # A number too large for the database column (SQLite raises OverflowError, PostgreSQL a DataError).
        return _respond(request, 422, "Invalid input", "A number in the request is out of range.")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error(
            "unexpected error on %s %s: %s",
            request.method,
            getattr(request.scope.get("route"), "path", "?"),
            type(exc).__name__,
        )
        response = _respond(
            request,
            500,
            "Internal error",
            "DST could not complete this request. Nothing was saved. Try again; if it keeps "
            "happening, contact the Enterprise Service Desk.",
        )
        # This answer comes from the outermost error handler, outside the security headers middleware.
        from dst.web.security import scope_headers

        for name, value in scope_headers(request.scope):
            response.headers.setdefault(name.decode(), value.decode())
        return response
