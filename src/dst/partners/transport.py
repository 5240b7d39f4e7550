"""The network transport under the partner clients' httpx2 client: aiohttp's connection pool and parser.

The partner clients speak httpx2 (requests, responses, errors, the ASGI transport that runs them
against the embedded fakes). For a partner at a real URL, the bytes go through this transport,
which hands each request to an aiohttp session. With 50 concurrent callers
(`bench/bench_partner_http.py`), a call cost about 430 µs of the caller's CPU through httpx2's own
transport (httpcore2's pool, h11's pure-Python parser, anyio's streams with a cancel scope around
every read and write) and about 170 µs through this one.

What the partner clients rely on stays as it was:

- every failure is an httpx2 error of the same kind: `ConnectTimeout`/`ReadTimeout`/`WriteTimeout`
  (a `TimeoutException`), `ConnectError`, `ReadError`, `RemoteProtocolError`, so the named partner
  failures (timeout, unavailable) do not change;
- httpx2's timeouts per request (connect, read) become aiohttp's socket timeouts; the partner
  timeout itself is still `guarded_call`'s;
- the request goes out as httpx2 built it: its headers, its body, its URL unencoded again;
- the body comes back undecoded and httpx2 decodes it (gzip, deflate) from its Content-Encoding;
- no redirects followed, no cookies kept, no proxy or netrc read from the environment, no
  retries beyond aiohttp's one retry of an idempotent request on a kept-alive connection the
  partner had closed;
- TLS verifies the partner's certificate with httpx2's default context (the system trust store).
"""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp
import httpx2
from yarl import URL

# aiohttp adds these when the caller does not send them; httpx2 already has or decides them.
_SKIP_AUTO_HEADERS = frozenset({"User-Agent", "Accept", "Accept-Encoding", "Content-Type"})
_HTTP_11 = {"http_version": b"HTTP/1.1"}


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """An httpx2 transport that sends each request through one pooled aiohttp session."""

    def __init__(
        self,
        *,
        max_connections: int,
        keepalive_expiry: float,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._ssl = ssl_context if ssl_context is not None else httpx2.create_ssl_context()
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running event loop that every later request uses too.
        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
            limit_per_host=0,
            keepalive_timeout=self._keepalive_expiry,
            ssl=self._ssl,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=_SKIP_AUTO_HEADERS,
            timeout=aiohttp.ClientTimeout(total=None),
            trust_env=False,
        )
        return self._session

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        session = self._session or self._open()
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=timeouts.get("pool"),
            sock_connect=timeouts.get("connect"),
            sock_read=timeouts.get("read"),
        )
        body = await request.aread()
        headers = [(key.decode("latin-1"), value.decode("latin-1")) for key, value in request.headers.raw]
        try:
            async with session.request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=headers,
                data=body or None,
                allow_redirects=False,
                timeout=timeout,
            ) as answer:
                content = await answer.read()
                status = answer.status
                raw_headers = answer.raw_headers
                reason = (answer.reason or "").encode("latin-1", "replace")
        except (aiohttp.ClientError, OSError) as error:  # TimeoutError is an OSError
            raise _httpx_error(error, request) from error
        return httpx2.Response(
            status,
            headers=list(raw_headers),
            stream=httpx2.ByteStream(content),
            extensions={**_HTTP_11, "reason_phrase": reason},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


# Closed before or during the answer, or an answer that is not HTTP/1.1.
_BROKEN_ANSWER = (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError)


def _httpx_error(error: Exception, request: httpx2.Request) -> httpx2.TransportError:
    """The httpx2 error a partner client expects for what aiohttp or the socket raised."""
    message = f"{type(error).__name__}: {error}"
    kind: type[httpx2.TransportError]
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        kind = httpx2.ConnectTimeout
    elif isinstance(error, TimeoutError):  # aiohttp's socket read timeout, or any other wait
        kind = httpx2.ReadTimeout
    elif isinstance(error, aiohttp.ClientConnectorError):  # refused, no route, DNS, TLS handshake
        kind = httpx2.ConnectError
    elif isinstance(error, _BROKEN_ANSWER):
        kind = httpx2.RemoteProtocolError
    elif isinstance(error, aiohttp.ClientOSError | ConnectionError):
        kind = httpx2.ReadError
    elif isinstance(error, aiohttp.InvalidURL):
        kind = httpx2.UnsupportedProtocol
    else:
        kind = httpx2.TransportError
    return kind(message, request=request)
