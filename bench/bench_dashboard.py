"""Dashboard latency under load: 50 concurrent clinicians against DST and slow partner fakes.

Starts `dst fakes serve` (MVI 200 ms, E&E 300 ms, PPMS 500 ms, routing 100 ms) and `dst serve` as
separate processes on a freshly seeded database, then, in rounds, 50 simulated clinicians each open a
DST record and fetch every panel of its dashboard at once. Prints p50/p95 time until all panels are
served, the slowest dependency chain, and — in the same run, under the same load — the same partner
calls made one after another, with the speed-up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx2
import psutil

from dst.config import Settings
from dst.demo.model import DemoVeteran
from dst.demo.network import demo_network
from dst.partners.ee.client import EeClient
from dst.partners.mvi.client import MviClient
from dst.partners.ppms.client import PpmsClient
from dst.partners.routing.client import RoutingClient
from dst.partners.types import GeoPoint

LATENCY_MS = {"mvi": 200, "ee": 300, "ppms": 500, "routing": 100}
# Which partner answers each panel needs before it can be served (ICN known: MVI and E&E together).
CHAINS = {
    "patient": [["mvi"], ["ee"]],
    "facilities": [["ee", "routing"]],
    "community-providers": [["ee", "ppms"]],
    "eligibility": [["ee", "routing"]],
}
PANELS = ("patient", "facilities", "community-providers", "eligibility", "seocs")
SERVICE_TOKEN = "dev-service-token"
SPECIALTY = "207X00000X"  # ORTHOPEDICS in PPMS
FACILITIES_ROUTED = 25


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dst_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "dst.cli", *args]


@contextmanager
def process(
    args: list[str], env: dict[str, str], ready_url: str, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("w") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"{' '.join(args[2:])} exited; see {log}")
                try:
                    httpx2.get(ready_url, timeout=1)
                    break
                except httpx2.HTTPError:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{ready_url} did not answer; see {log}") from None
                    time.sleep(0.2)
            yield proc
        finally:
            proc.send_signal(signal.SIGINT)  # uvicorn stops gracefully; py-spy writes its profile
            proc.wait(timeout=60)


def cpu_seconds(processes: Iterable[psutil.Process]) -> float:
    """User and system CPU seconds of the processes; one that has exited meanwhile counts nothing."""
    total = 0.0
    for proc in processes:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


class ServerProcesses:
    """CPU seconds and resident memory of a server and its worker processes, read from the OS."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)

    def _all(self) -> list[psutil.Process]:
        """The DST processes: a profiler wrapped around them (--py-spy) is not counted."""
        every = [self.root, *self.root.children(recursive=True)]
        return [p for p in every if "py-spy" not in p.name()]

    def cpu_s(self) -> float:
        return cpu_seconds(self._all())

    def rss_mb(self) -> list[float]:
        """Each process's resident set in MB (the supervisor first when there are workers)."""
        sizes = []
        for proc in self._all():
            try:
                sizes.append(proc.memory_info().rss / 1e6)
            except psutil.NoSuchProcess:
                continue
        return sizes


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def consult_body(v: DemoVeteran, number: int) -> dict[str, Any]:
    return {
        "station": v.station,
        "dfn": v.dfn,
        "icn": v.icn,
        "consultService": "ORTHOPEDICS",
        "urgency": "routine",
        "fileEntryDate": date.today().isoformat(),
        "consultNumber": str(number),
        "signed": False,
    }


async def one_dashboard(http: httpx2.AsyncClient, v: DemoVeteran, number: int) -> tuple[float, float]:
    """Open a record, then fetch every panel at once; (seconds to open, seconds until all panels served)."""
    started = time.perf_counter()
    created = await http.post("/api/v1/dst", json=consult_body(v, number))
    created.raise_for_status()
    dst_id = created.json()["dstId"]
    opened = time.perf_counter()
    answers = await asyncio.gather(*(http.get(f"/api/v1/dst/{dst_id}/{p}") for p in PANELS))
    for answer in answers:
        answer.raise_for_status()
        body = answer.json()
        if body.get("errors"):
            raise SystemExit(f"partner error in a panel: {body['errors']}")
    return opened - started, time.perf_counter() - opened


class SerialPartners:
    """The dashboard's partner calls made one after another, as the original tool did."""

    def __init__(self, fakes: str, http: httpx2.AsyncClient, settings: Settings, facilities: list[Any]):
        self.mvi = MviClient(f"{fakes}/mvi", http)
        self.ee = EeClient(f"{fakes}/ee", http, settings.ee_username, settings.ee_password.get_secret_value())
        self.ppms = PpmsClient(f"{fakes}/ppms", http)
        self.routing = RoutingClient(f"{fakes}/routing", http)
        self.facilities = facilities

    def nearest(self, point: GeoPoint) -> list[tuple[str, GeoPoint]]:
        def miles(f: Any) -> float:
            return (f.location.lat - point.lat) ** 2 + (f.location.lng - point.lng) ** 2

        return [(f.facility_id, f.location) for f in sorted(self.facilities, key=miles)[:FACILITIES_ROUTED]]

    async def dashboard(self, v: DemoVeteran) -> tuple[float, float]:
        """(seconds for all calls one after another, seconds for the E&E → PPMS chain alone)."""
        started = time.perf_counter()
        await self.mvi.find_by_icn(v.icn)
        chain_started = time.perf_counter()
        summary = await self.ee.get_ee_summary(v.icn)
        assert summary.geocode is not None
        ee_done = time.perf_counter()
        await self.routing.drive_minutes(summary.geocode, self.nearest(summary.geocode))
        ppms_started = time.perf_counter()
        await self.ppms.provider_locator(summary.geocode, 100.0, [SPECIALTY])
        done = time.perf_counter()
        return done - started, (ee_done - chain_started) + (done - ppms_started)


async def concurrently(count: int, work: Callable[[int], Awaitable[Any]]) -> list[Any]:
    """Start `count` clinicians at the same moment."""
    gate = asyncio.Event()

    async def clinician(i: int) -> Any:
        await gate.wait()
        return await work(i)

    tasks = [asyncio.create_task(clinician(i)) for i in range(count)]
    await asyncio.sleep(0)
    gate.set()
    return await asyncio.gather(*tasks)


@contextmanager
def profiled(pid: int, output: str | None) -> Iterator[None]:
    """py-spy records the DST processes while the measured rounds run (not start-up, not warm-up)."""
    if output is None:
        yield
        return
    spy = str(Path(sys.executable).with_name("py-spy"))
    command = [spy, "record", "--pid", str(pid), "--subprocesses", "--gil", "--nonblocking"]
    command += ["--rate", "250", "--format", "raw"]
    recorder = subprocess.Popen([*command, "--output", output], stdout=subprocess.DEVNULL)
    time.sleep(1.0)  # py-spy attaches
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=60)


async def measure(
    dst: str, fakes: str, clinicians: int, rounds: int, server: ServerProcesses, profile: str | None = None
) -> dict[str, list[float]]:
    network = demo_network()
    veterans = [
        v
        for v in network.veterans
        if v.scenario.startswith("Ordinary Veteran")
        and v.mvi_behaviour == v.ee_behaviour == "ok"
        and v.geocode
    ]
    limits = httpx2.Limits(
        max_connections=clinicians * len(PANELS) + 10,
        max_keepalive_connections=clinicians * 2,
        keepalive_expiry=2.0,  # below the servers' keep-alive timeout, so no closing connection is reused
    )
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    out: dict[str, list[float]] = {
        "open": [],
        "panels": [],
        "view": [],
        "serial": [],
        "chain": [],
        "cpu": [],
        "rss": [],
    }
    numbers = iter(range(500_000, 999_999))
    async with (
        httpx2.AsyncClient(base_url=dst, headers=headers, limits=limits, timeout=60) as http,
        httpx2.AsyncClient(limits=limits, timeout=60) as partner_http,
    ):
        serial = SerialPartners(fakes, partner_http, Settings(_env_file=None), list(network.facilities))  # type: ignore[call-arg]
        await one_dashboard(http, veterans[0], next(numbers))  # warm-up: first connections, lazy imports
        await serial.dashboard(veterans[0])
        with profiled(server.root.pid, profile):
            await measure_rounds(http, serial, veterans, numbers, clinicians, rounds, server, out)
    return out


async def measure_rounds(
    http: httpx2.AsyncClient,
    serial: SerialPartners,
    veterans: list[DemoVeteran],
    numbers: Iterator[int],
    clinicians: int,
    rounds: int,
    server: ServerProcesses,
    out: dict[str, list[float]],
) -> None:
    for r in range(rounds):
        batch = veterans[(r * clinicians) % len(veterans) :][:clinicians]
        if len(batch) < clinicians:
            batch = (batch + veterans)[:clinicians]
        cpu_before = server.cpu_s()
        results = await concurrently(
            clinicians, lambda i, batch=batch: one_dashboard(http, batch[i], next(numbers))
        )
        out["cpu"].append((server.cpu_s() - cpu_before) / clinicians)
        out["rss"] += server.rss_mb()
        out["open"] += [o for o, _ in results]
        out["panels"] += [p for _, p in results]
        out["view"] += [o + p for o, p in results]
        serial_results = await concurrently(clinicians, lambda i, batch=batch: serial.dashboard(batch[i]))
        out["serial"] += [s for s, _ in serial_results]
        out["chain"] += [c for _, c in serial_results]


def report(figures: dict[str, list[float]], clinicians: int, rounds: int) -> None:
    def ms(values: list[float], fraction: float) -> float:
        return percentile(values, fraction) * 1000

    configured_chain = max(
        sum(LATENCY_MS[p] for p in chain) for chains in CHAINS.values() for chain in chains
    )
    configured_serial = sum(LATENCY_MS.values())
    panels_p50, panels_p95 = ms(figures["panels"], 0.5), ms(figures["panels"], 0.95)
    serial_p50, serial_p95 = ms(figures["serial"], 0.5), ms(figures["serial"], 0.95)
    chain_p50 = ms(figures["chain"], 0.5)
    print(f"partner latencies (ms): {LATENCY_MS}")
    print(f"{clinicians} concurrent clinicians x {rounds} rounds = {len(figures['panels'])} dashboards")
    opened = figures["open"]
    print(f"open record (POST /api/v1/dst): p50 {ms(opened, 0.5):.0f} ms, p95 {ms(opened, 0.95):.0f} ms")
    print(
        f"all {len(PANELS)} panels served after the POST answered (concurrent): p50 {panels_p50:.0f} ms, "
        f"p95 {panels_p95:.0f} ms"
    )
    view_p50, view_p95 = ms(figures["view"], 0.5), ms(figures["view"], 0.95)
    print(
        f"whole view, POST sent to last panel served (partner calls start at the POST): "
        f"p50 {view_p50:.0f} ms, p95 {view_p95:.0f} ms"
    )
    print(
        f"slowest dependency chain (E&E -> PPMS): configured {configured_chain} ms, "
        f"measured at the fakes p50 {chain_p50:.0f} ms"
    )
    print(f"p95 minus slowest chain: {panels_p95 - configured_chain:+.0f} ms")
    cpu = sorted(figures["cpu"])
    print(
        "server CPU per dashboard view (POST + 5 panels, all DST processes): "
        f"median of rounds {cpu[len(cpu) // 2] * 1000:.1f} ms, max {cpu[-1] * 1000:.1f} ms"
    )
    print(f"largest resident set of a DST process under load: {max(figures['rss']):.0f} MB")
    print(
        f"same partner calls one after another (serial, same run): p50 {serial_p50:.0f} ms, "
        f"p95 {serial_p95:.0f} ms (sum of latencies {configured_serial} ms)"
    )
    print(
        f"speed-up serial/panels: p50 {serial_p50 / panels_p50:.2f}x, p95 {serial_p95 / panels_p95:.2f}x; "
        f"serial/whole view: p50 {serial_p50 / view_p50:.2f}x, p95 {serial_p95 / view_p95:.2f}x "
        f"(ceiling for these latencies {configured_serial / configured_chain:.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clinicians", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", help="an empty database to seed (default: a fresh SQLite file)")
    parser.add_argument("--workers", type=int, default=None, help="dst serve --workers (default: its own)")
    parser.add_argument(
        "--py-spy", metavar="FILE", help="record the DST server with py-spy into FILE (collapsed stacks)"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="dst-bench-"))
    # The clinicians stand for 50 people at 50 addresses; from the one address of this benchmark the
    # per-address machine limit would refuse them, so it is off here.
    env = {**os.environ, "DST_ENV": "dev", "DST_STEEL_THREAD_ICN": "skip", "DST_RATE_MACHINE_PER_SECOND": "0"}
    env["DST_DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'dst.sqlite3'}"
    print("seeding the demo database ...", flush=True)
    for step in (("db", "upgrade"), ("demo", "seed")):
        subprocess.run(dst_command(*step), env=env, check=True, capture_output=True)
    fakes_port, dst_port = free_port(), free_port()
    fakes = f"http://127.0.0.1:{fakes_port}"
    dst = f"http://127.0.0.1:{dst_port}"
    latency_args = [a for p, ms in LATENCY_MS.items() for a in ("--partner-latency", f"{p}={ms}")]
    fakes_cmd = dst_command("fakes", "serve", "--port", str(fakes_port), *latency_args)
    dst_env = {**env} | {
        f"DST_{p.upper()}_URL": f"{fakes}/{p}" for p in ("mvi", "ee", "facilities", "ppms", "seoc", "routing")
    }
    serve = dst_command("serve", "--port", str(dst_port))
    if args.workers is not None:
        serve += ["--workers", str(args.workers)]
    with (
        process(fakes_cmd, env, f"{fakes}/seoc/", workdir / "fakes.log") as fakes_server,
        process(serve, dst_env, f"{dst}/health/live", workdir / "dst.log") as server,
    ):
        print(f"load average before the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        processes = ServerProcesses(server.pid)
        fakes_cpu = ServerProcesses(fakes_server.pid)
        fakes_before = fakes_cpu.cpu_s()
        figures = asyncio.run(measure(dst, fakes, args.clinicians, args.rounds, processes, args.py_spy))
        dashboards = args.clinicians * args.rounds
        print(
            "partner fakes' CPU per dashboard (its calls and the serial comparison's): "
            f"{(fakes_cpu.cpu_s() - fakes_before) * 1000 / dashboards:.1f} ms"
        )
        print(f"load average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    shutil.rmtree(workdir, ignore_errors=True)  # kept, with the servers' logs, only when a run fails
    report(figures, args.clinicians, args.rounds)


if __name__ == "__main__":
    main()
