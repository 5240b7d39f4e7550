"""How `dst serve` runs uvicorn: the HTTP protocol with a deadline and a size limit for request headers.

Uvicorn's httptools protocol waits for a request's headers without end (a connection that opens and
sends nothing, or sends a header a byte at a time, holds its slot until the client goes) and accepts
a header block of any size. `GuardedHttpToolsProtocol` gives a new connection DST_HEADER_TIMEOUT_S to
start a request, and every request as long again from its first byte to its last header (408 and the
connection closed when they are late; between requests on a kept-alive connection uvicorn's own idle
timer runs), and DST_MAX_HEADER_BYTES for the request line and headers together (431
and closed when over). Bodies are bounded by the app's own limit (dst.web.guards), and idle kept-alive
connections by uvicorn's `timeout_keep_alive`.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from dst.config import Settings, get_settings

# Longer than the idle timeout of the proxies in front of DST (ingress-nginx keeps idle upstream
# connections 60 s): a proxy must never reuse a connection DST is closing.
KEEP_ALIVE_S = 75


class HeadersTooLarge(Exception):
    """Raised from the parser's callback to stop parsing a request already answered with 431."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.header_timeout_s = settings.header_timeout_s
        self.max_header_bytes = settings.max_header_bytes
        self.header_bytes = 0
        self.awaiting_headers = True
        self.header_deadline: asyncio.TimerHandle | None = None
        self.refused = False

    # A new connection, and each request on it, has until the deadline to send its headers.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.header_bytes = 0
        self.awaiting_headers = True
        self._arm()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.awaiting_headers = False
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        if self.refused:  # the parser stopped because this request was already answered
            return
        super().send_400_response(msg)

    def _count(self, size: int) -> None:
        self.header_bytes += size
        if self.header_bytes > self.max_header_bytes and not self.refused:
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Request headers are too large.")
            raise HeadersTooLarge

    def _arm(self) -> None:
        self._disarm()
        self.header_deadline = self.loop.call_later(self.header_timeout_s, self._headers_late)

    def _disarm(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _headers_late(self) -> None:
        self.header_deadline = None
        if self.awaiting_headers and not self.transport.is_closing():
            self._refuse(HTTPStatus.REQUEST_TIMEOUT, "The request headers did not arrive in time.")

    def _refuse(self, status: HTTPStatus, message: str) -> None:
        self.refused = True
        self._disarm()
        body = message.encode("ascii")
        head = [f"HTTP/1.1 {status.value} {status.phrase}\r\n".encode("ascii")]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"connection: close\r\n\r\n",
            body,
        ]
        self.transport.write(b"".join(head))
        self.transport.close()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What `dst serve` (and the tests that serve over real HTTP) give uvicorn besides the app."""
    return {
        "http": "dst.web.serving:GuardedHttpToolsProtocol",
        # X-Forwarded-For and -Proto are believed only from DST_TRUSTED_PROXIES (the app applies the
        # same list again, so it holds under any ASGI server).
        "proxy_headers": True,
        "forwarded_allow_ips": settings.trusted_proxy_list,
        "access_log": False,
        "timeout_keep_alive": KEEP_ALIVE_S,
        # The same header limit for uvicorn's other HTTP implementation, should it be chosen.
        "h11_max_incomplete_event_size": settings.max_header_bytes,
    }
