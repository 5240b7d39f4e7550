"""Benchmark: client CPU per partner call, httpx2's own transport against DST's aiohttp transport.

A partner fake that answers every request at once (a small JSON body, as PPMS and OSRM answer) runs
as a separate uvicorn process on loopback; this process then makes the same SOAP-sized POSTs from 50
concurrent callers through each transport in turn, on uvloop as `dst serve` runs, and prints the
CPU time this process spent per call (the fake's CPU is not counted). Both go through the same
httpx2.AsyncClient API the partner clients use.

    .venv/bin/python bench/bench_partner_http.py [--calls-per-caller 40] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import uvloop

from dst.partners.registry import KEEPALIVE_EXPIRY_S, MAX_CONNECTIONS
from dst.partners.transport import AiohttpTransport

CALLERS = 50
BODY = json.dumps({"value": [{"ProviderName": f"Provider {i}", "Miles": i / 3} for i in range(20)]})


async def app(scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def]
    """The fake partner: reads the request, answers 200 with BODY."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY.encode()})


def _clients() -> dict[str, httpx2.AsyncClient]:
    limits = httpx2.Limits(max_connections=MAX_CONNECTIONS, keepalive_expiry=KEEPALIVE_EXPIRY_S)
    transport = AiohttpTransport(max_connections=MAX_CONNECTIONS, keepalive_expiry=KEEPALIVE_EXPIRY_S)
    return {
        "httpx2's own transport (httpcore2, h11, anyio)": httpx2.AsyncClient(limits=limits),
        "DST's transport (dst.partners.transport, aiohttp)": httpx2.AsyncClient(transport=transport),
    }


async def _cpu_per_call(http: httpx2.AsyncClient, url: str, per_caller: int) -> float:
    envelope = b"<soap:Envelope>" + b"x" * 900 + b"</soap:Envelope>"
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "urn:bench"}

    async def caller(calls: int) -> None:
        for _ in range(calls):
            response = await http.post(url, content=envelope, headers=headers)
            response.json()

    await asyncio.gather(*(caller(2) for _ in range(CALLERS)))  # connections open, code warm
    started = time.process_time()
    await asyncio.gather(*(caller(per_caller) for _ in range(CALLERS)))
    return (time.process_time() - started) / (CALLERS * per_caller)


async def measure(url: str, per_caller: int, runs: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {}
    for _ in range(runs):  # the transports alternate, so a busy moment of the machine hits both
        for name, http in _clients().items():
            async with http:
                figures.setdefault(name, []).append(await _cpu_per_call(http, url, per_caller))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls-per-caller", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "uvicorn", "bench_partner_http:app", "--port", str(port)]
    command += ["--log-level", "warning", "--no-access-log", "--app-dir", str(Path(__file__).parent)]
    fake = subprocess.Popen(command)
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                httpx2.get(url, timeout=1.0)
                break
            except httpx2.TransportError:
                time.sleep(0.1)
        figures = uvloop.run(measure(url, args.calls_per_caller, args.runs))
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    calls = CALLERS * args.calls_per_caller
    print(f"{CALLERS} concurrent callers x {args.calls_per_caller} POSTs, {args.runs} runs; CPU per call:")
    for name, values in figures.items():
        each = ", ".join(f"{v * 1e6:.0f}" for v in values)
        median = statistics.median(values) * 1e6
        print(f"  {name:52s} median {median:6.0f} µs  (runs: {each}; {calls} calls each)")


if __name__ == "__main__":
    main()
