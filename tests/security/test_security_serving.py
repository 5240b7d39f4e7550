"""`dst serve`'s HTTP protocol: request headers have a deadline and a size limit (slow or huge headers)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx2
import pytest

from dst.config import get_settings
from dst.main import create_app
from dst.web.serving import uvicorn_options

from harness import settings_for
from live_server import serve


@pytest.fixture
def served(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, int]]:
    monkeypatch.setenv("DST_HEADER_TIMEOUT_S", "1")
    monkeypatch.setenv("DST_MAX_HEADER_BYTES", "8192")
    get_settings.cache_clear()
    settings = settings_for(database_url)
    try:
        with serve(create_app(settings), **uvicorn_options(get_settings())) as url:
            parts = urlsplit(url)
            yield url, int(parts.port or 0)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (the guard: 20 s, far past 1 s)."""
    sock.settimeout(20)
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_headers_sent_too_slowly_are_answered_408_and_the_connection_closed(served) -> None:
    _, port = served
    with socket.create_connection(("127.0.0.1", port)) as slow:
        slow.sendall(b"GET /health/live HTTP/1.1\r\nHost: dst\r\nX-Slow: a")
        received = answer(slow)
    assert received.startswith(b"HTTP/1.1 408 Request Timeout")
    assert b"connection: close" in received


def test_a_connection_that_never_starts_a_request_is_closed(served) -> None:
    _, port = served
    with socket.create_connection(("127.0.0.1", port)) as idle:
        received = answer(idle)
    assert received.startswith(b"HTTP/1.1 408")


def test_headers_over_the_limit_are_answered_431(served) -> None:
    _, port = served
    for size in (9_000, 100_000):
        with socket.create_connection(("127.0.0.1", port)) as big:
            big.sendall(b"GET /health/live HTTP/1.1\r\nHost: dst\r\nX-Big: " + b"a" * size + b"\r\n\r\n")
            received = answer(big)
        assert received.startswith(b"HTTP/1.1 431 Request Header Fields Too Large"), size


def test_ordinary_requests_bodies_and_kept_alive_connections_still_work(served) -> None:
    url, _ = served
    with httpx2.Client(base_url=url) as client:
        for _ in range(3):  # one connection, kept alive between requests
            assert client.get("/health/live", headers={"X-Pad": "p" * 6_000}).status_code == 200
        # A body larger than the header limit is the app's to judge (here: a 401, not a 431).
        posted = client.post("/api/v1/dst", content=b"{" + b" " * 50_000 + b"}")
        assert posted.status_code == 401
