"""Security headers on every answer: a strict Content-Security-Policy and the usual hardening."""

from __future__ import annotations

from functools import lru_cache

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dst.web import routes

CSP_TEMPLATE = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors {ancestors}; form-action 'self'"
)
CSP = CSP_TEMPLATE.format(ancestors="'none'")
COMMON = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"permissions-policy": b"geolocation=(), camera=(), microphone=()",
}
HEADERS = {b"content-security-policy": CSP.encode(), **COMMON, b"x-frame-options": b"DENY"}
# Outside dev every answer tells browsers to use HTTPS only, for two years, subdomains included.
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
# Answers carry PHI (records, panels, the viewer, consult factors): no browser or proxy keeps a copy.
NO_STORE = (b"cache-control", b"no-store")


def safe_next(target: str) -> str:
    """Only same-site paths: an open redirect would let a link sign someone in and send them away."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@lru_cache(maxsize=8)
def headers_for(frame_ancestors: str, dev: bool) -> tuple[tuple[bytes, bytes], ...]:
    """The headers for this configuration. Allowed frame ancestors (DST_FRAME_ANCESTORS) replace
    `'none'`; X-Frame-Options, which cannot name several origins, is then left out."""
    ancestors = " ".join(frame_ancestors.split())
    if ancestors:
        chosen = {b"content-security-policy": CSP_TEMPLATE.format(ancestors=ancestors).encode(), **COMMON}
    else:
        chosen = dict(HEADERS)
    if not dev:
        chosen[HSTS[0]] = HSTS[1]
    return tuple(chosen.items())


def scope_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    """Every security header this answer should carry, Cache-Control included."""
    app = scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None)
    chosen = list(
        headers_for(str(getattr(settings, "frame_ancestors", "")), bool(getattr(settings, "is_dev", True)))
    )
    if not str(scope.get("path", "")).startswith(routes.CACHEABLE):
        chosen.append(NO_STORE)
    return chosen


class SecurityHeadersMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware) so streaming and background tasks behave."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in scope_headers(scope) if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
