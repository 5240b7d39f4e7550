"""Request guards in front of the routes: body-size limit and CSRF for cookie-authenticated API writes."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dst.auth import token_matches
from dst.web import routes
from dst.web.problems import BEARER_HINT, SIGN_IN_AGAIN, problem
from dst.web.security import scope_headers

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "x-csrf-token"


def refusal(
    scope: Scope, status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> Response:
    """The same three shapes as the app's error handlers: plain text, problem+json, or a page."""
    path = scope.get("path", "")
    response: Response
    if path.startswith(routes.PLAIN):
        response = PlainTextResponse(f"{title}: {detail}", status_code=status)
    elif path.startswith(routes.JSON):
        response = problem(status, title, detail)
    else:
        from dst.web.templating import render_error

        # A person reads this page: the API's bearer-token hint is for machine clients.
        page_detail = SIGN_IN_AGAIN if detail == BEARER_HINT else detail
        response = render_error(Request(scope), status, title, page_detail)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    for raw_name, raw_value in scope_headers(scope):  # refusals leave before the security headers are added
        response.headers.setdefault(raw_name.decode(), raw_value.decode())
    return response


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class BodySizeLimitMiddleware:
    """Refuse bodies over the limit with 413, whether announced by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"The request body is larger than {self.max_bytes // 1024} KiB. Nothing was saved."
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await refusal(scope, 413, "Request too large", detail)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, detail)
            return message

        await self.app(scope, counted, send)


def is_bearer(header: str | None) -> bool:
    """A bearer token is checked by the route (and refused with 401 when wrong); any other
    Authorization header (Basic, empty) proves nothing and leaves the CSRF check in force."""
    return header is not None and header[:7].lower() == "bearer " and bool(header[7:].strip())


class ApiCsrfMiddleware:
    """A browser's session cookie rides along on cross-site requests; API writes made with it must also
    carry the session's CSRF token in X-CSRF-Token. Machine clients send a bearer token instead."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in WRITE_METHODS
            or not scope["path"].startswith(routes.APIS)
            or is_bearer(_header(scope, b"authorization"))
        ):
            await self.app(scope, receive, send)
            return
        session = scope.get("session") or {}
        expected = session.get("csrf")
        if session.get("user"):
            presented = _header(scope, CSRF_HEADER.encode())
            if not expected or not presented or not token_matches(presented, str(expected)):
                detail = "Writes made with a browser session must send the page's CSRF token in X-CSRF-Token."
                await refusal(scope, 403, "Forbidden", detail)(scope, receive, send)
                return
        await self.app(scope, receive, send)
