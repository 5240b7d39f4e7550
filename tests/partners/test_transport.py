"""The aiohttp transport under the partner clients: what goes out, what comes back, and each failure
as the httpx2 error the clients name (timeout or unavailable), against raw sockets on loopback."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable

import httpx2
import pytest

from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.resilience import send
from dst.partners.transport import AiohttpTransport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def _client(timeout: float = 5.0) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(
        transport=AiohttpTransport(max_connections=10, keepalive_expiry=2.0), timeout=timeout
    )


async def _request_of(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head, await reader.readexactly(length) if length else b""


def _answer(body: bytes, *extra: bytes, status: bytes = b"200 OK") -> bytes:
    lines = [b"HTTP/1.1 " + status, b"Content-Length: " + str(len(body)).encode(), *extra]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _run(handler: Handler, scenario: Callable[[str], Awaitable[object]]) -> object:
    async def closing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        finally:
            writer.close()

    async def main() -> object:
        server = await asyncio.start_server(closing, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await scenario(f"http://127.0.0.1:{port}")

    return asyncio.run(main())


def test_the_request_goes_out_as_httpx2_built_it_and_the_answer_comes_back_whole() -> None:
    seen: list[tuple[bytes, bytes]] = []
    body = gzip.compress(b'{"code": "Ok"}')

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await _request_of(reader))
        writer.write(
            _answer(
                body,
                b"Content-Type: application/json",
                b"Content-Encoding: gzip",
                b"X-Partner: one",
                b"X-Partner: two",
                status=b"207 Multi-Status",
            )
        )
        await writer.drain()

    async def scenario(base: str) -> httpx2.Response:
        async with _client() as http:
            return await http.post(
                f"{base}/table/v1/driving/-71.1,42.3;-71.0,42.4?$filter=name%20eq%20'A%27s'",
                content=b"<Envelope/>",
                headers={"SOAPAction": "urn:find", "Content-Type": "text/xml; charset=utf-8"},
            )

    response = _run(handler, scenario)
    assert isinstance(response, httpx2.Response)
    head, sent = seen[0]
    request_line = head.split(b"\r\n")[0]
    assert request_line == (
        b"POST /table/v1/driving/-71.1,42.3;-71.0,42.4?$filter=name%20eq%20'A%27s' HTTP/1.1"
    )
    assert b"SOAPAction: urn:find" in head
    assert b"Content-Type: text/xml; charset=utf-8" in head
    assert head.lower().count(b"content-type:") == 1
    assert sent == b"<Envelope/>"
    assert response.status_code == 207
    assert response.reason_phrase == "Multi-Status"
    assert response.json() == {"code": "Ok"}  # gzip decoded by httpx2, from the partner's header
    assert response.headers.get_list("X-Partner") == ["one", "two"]


def test_a_kept_alive_connection_carries_the_next_request() -> None:
    connections = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while True:
            try:
                await _request_of(reader)
            except asyncio.IncompleteReadError:
                return
            writer.write(_answer(b"{}", b"Content-Type: application/json"))
            await writer.drain()

    async def scenario(base: str) -> list[int]:
        async with _client() as http:
            return [(await http.get(f"{base}/x")).status_code for _ in range(3)]

    assert _run(handler, scenario) == [200, 200, 200]
    assert connections == 1


def test_no_one_listening_is_a_connect_error() -> None:
    async def scenario() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        async with _client() as http:
            await http.get(f"http://127.0.0.1:{port}/x")

    with pytest.raises(httpx2.ConnectError):
        asyncio.run(scenario())


def test_a_partner_that_never_answers_is_a_read_timeout() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request_of(reader)
        await asyncio.sleep(5)

    async def scenario(base: str) -> None:
        async with _client(timeout=0.2) as http:
            await http.get(f"{base}/x")

    with pytest.raises(httpx2.ReadTimeout):
        _run(handler, scenario)


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(b"", id="closed-before-answering"),
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", id="closed-mid-body"),
        pytest.param(b"SSH-2.0-OpenSSH_9.2\r\n", id="not-http"),
    ],
)
def test_a_broken_answer_is_a_transport_error_that_names_no_timeout(reply: bytes) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request_of(reader)
        writer.write(reply)
        await writer.drain()
        writer.close()

    async def scenario(base: str) -> None:
        async with _client() as http:
            await http.get(f"{base}/x")

    with pytest.raises(httpx2.TransportError) as raised:
        _run(handler, scenario)
    assert not isinstance(raised.value, httpx2.TimeoutException)


def test_the_partner_clients_name_the_failures_as_before() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request_of(reader)
        writer.close()

    async def scenario(base: str) -> None:
        async with _client() as http:
            await send(Partner.PPMS, http, f"{base}/x")

    with pytest.raises(PartnerError) as raised:
        _run(handler, scenario)
    assert raised.value.kind is FailureKind.UNAVAILABLE
