"""Several app processes on one PostgreSQL, and a server killed mid-stream: no lost update, no lost save.

Each test runs `dst serve` as real subprocesses (as Kubernetes runs replicas) against a private copy of
the seeded PostgreSQL database. SQLite serves one process on one machine, so these run on PostgreSQL only.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import func, select

from dst.consults.models import Decision, DstRecord, IdempotencyKey
from dst.db.engine import build_engine, build_session_factory

from factories import consult, ordinary, veteran
from harness import SERVICE
from live_server import free_port

pytestmark = pytest.mark.skipif(
    not os.environ.get("DST_TEST_POSTGRES_URL"),
    reason="replicas share a database only on PostgreSQL (make test runs this on its PostgreSQL pass)",
)

CALLERS = 16  # concurrent requests per race, spread over the processes


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def dst_server(database_url: str, log: Path) -> Iterator[Server]:
    """`dst serve` as its own process, returned once /health/ready answers 200."""
    port = free_port()
    env = {**os.environ, "DST_DATABASE_URL": database_url, "DST_ENV": "dev"}
    command = [sys.executable, "-m", "dst.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("ab") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        _wait_ready(server, log)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(server: Server, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"dst serve exited early:\n{log.read_text()[-2000:]}")
        try:
            if httpx2.get(f"{server.url}/health/ready", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"dst serve was not ready within 60 s:\n{log.read_text()[-2000:]}")


def race(calls: list[Callable[[], httpx2.Response]]) -> list[httpx2.Response]:
    """Start every call at the same moment (a barrier), each on its own thread."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:  # kept and reported by the assertion below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    failures = [r for r in results if not isinstance(r, httpx2.Response)]
    assert not failures, failures
    return results


@contextmanager
def sessions(database_url: str) -> Iterator[Any]:
    engine = build_engine(database_url)
    try:
        with build_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


@pytest.fixture
def two_servers(database_url: str, tmp_path: Path) -> Iterator[list[Server]]:
    with ExitStack() as stack:
        yield [stack.enter_context(dst_server(database_url, tmp_path / f"replica-{n}.log")) for n in (1, 2)]


def test_two_replicas_open_the_same_consult_at_once_and_make_one_record(
    two_servers: list[Server], database_url: str
) -> None:
    body = consult(veteran(ordinary))

    def open_on(server: Server) -> Callable[[], httpx2.Response]:
        return lambda: httpx2.post(f"{server.url}/api/v1/dst", json=body, headers=SERVICE, timeout=60)

    responses = race([open_on(two_servers[i % 2]) for i in range(CALLERS)])

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (CALLERS - 1) + [201], [r.text for r in responses if r.status_code >= 300]
    assert len({r.json()["dstId"] for r in responses}) == 1
    with sessions(database_url) as session:
        count = session.scalar(
            select(func.count())
            .select_from(DstRecord)
            .where(DstRecord.station == body["station"], DstRecord.consult_number == body["consultNumber"])
        )
    assert count == 1


def test_two_replicas_saving_one_record_at_once_never_lose_an_update(
    two_servers: list[Server], database_url: str
) -> None:
    first = two_servers[0]
    created = httpx2.post(
        f"{first.url}/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE, timeout=60
    )
    assert created.status_code == 201, created.text
    dst_id = created.json()["dstId"]
    seoc = httpx2.get(f"{first.url}/api/v1/dst/{dst_id}/seocs", headers=SERVICE, timeout=60).json()["seocs"][
        0
    ]
    bodies = [
        {"veteranOption": "opt-out", "forward": False},
        {"veteranOption": "tbd", "seocId": seoc["seocId"], "forward": False},
        {"veteranOption": "opt-in", "seocId": seoc["seocId"], "forward": False},
    ]
    version = created.json()["version"]
    winners = []
    for round_number in range(3):

        def save(index: int, base: int = version, tag: int = round_number) -> Callable[[], httpx2.Response]:
            server = two_servers[index % 2]
            headers = {**SERVICE, "Idempotency-Key": f"race-{tag}-{index}", "If-Match": f'"{base}"'}
            body = bodies[index % len(bodies)]
            return lambda: httpx2.put(
                f"{server.url}/api/v1/dst/{dst_id}/decision", json=body, headers=headers, timeout=60
            )

        responses = race([save(i) for i in range(CALLERS)])
        ok = [r for r in responses if r.status_code == 200]
        refused = [r for r in responses if r.status_code == 409]
        assert len(ok) == 1 and len(refused) == CALLERS - 1, sorted(r.status_code for r in responses)
        assert ok[0].json()["version"] == version + 1
        assert all("changed after you opened it" in r.json()["detail"] for r in refused)
        winners.append((ok[0].json()["revision"], ok[0].json()["veteranOption"]))
        version += 1

    with sessions(database_url) as session:
        record = session.scalar(select(DstRecord).where(DstRecord.dst_id == dst_id))
        assert record is not None
        decisions = session.scalars(
            select(Decision).where(Decision.dst_record_id == record.id).order_by(Decision.revision)
        ).all()
        assert record.version == version
    assert [(d.revision, d.veteran_option) for d in decisions] == winners


def test_every_acknowledged_save_survives_a_sigkill(database_url: str, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    acknowledged: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = []  # dst_id, body, key, answer
    unanswered: list[tuple[str, dict[str, Any], str]] = []
    lock = threading.Lock()
    with dst_server(database_url, log) as server:
        records = [_open_record(server.url) for _ in range(4)]
        stop = threading.Event()

        def stream(worker: int, dst_id: str) -> None:
            with httpx2.Client(base_url=server.url, headers=SERVICE, timeout=30) as client:
                sent = 0
                while not stop.is_set():
                    body = {"veteranOption": "opt-out", "forward": False}
                    key = f"crash-{worker}-{sent}"
                    sent += 1
                    try:
                        answer = client.put(
                            f"/api/v1/dst/{dst_id}/decision", json=body, headers={"Idempotency-Key": key}
                        )
                    except httpx2.TransportError:
                        with lock:
                            unanswered.append((dst_id, body, key))
                        return
                    assert answer.status_code == 200, answer.text
                    with lock:
                        acknowledged.append((dst_id, body, key, answer.json()))

        workers = [threading.Thread(target=stream, args=(n, r)) for n, r in enumerate(records)]
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 24 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(server.process.pid, signal.SIGKILL)  # no shutdown hook, no flush: as an OOM kill would
        server.process.wait()
        stop.set()
        for worker in workers:
            worker.join(timeout=60)

    assert len(acknowledged) >= 24, "the stream was too slow to kill mid-way"
    _assert_all_stored(database_url, acknowledged)
    with (
        dst_server(database_url, log) as restarted,
        httpx2.Client(base_url=restarted.url, headers=SERVICE, timeout=30) as client,
    ):
        for dst_id, body, key, answer in acknowledged:
            replay = client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={"Idempotency-Key": key})
            assert replay.status_code == 200 and replay.headers.get("Idempotency-Replayed") == "true"
            assert replay.json() == answer
        # A save cut off by the kill is either stored or not at all: its retry applies it exactly once.
        for dst_id, body, key in unanswered:
            retry = client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={"Idempotency-Key": key})
            assert retry.status_code == 200, retry.text
    _assert_one_decision_per_key(database_url, len(acknowledged) + len(unanswered))


PANEL_ACTIONS = {
    "patient": "read-patient",
    "facilities": "read-facilities",
    "community-providers": "read-providers",
    "eligibility": "read-eligibility",
    "seocs": "read-seocs",
}


def test_every_answered_panel_read_keeps_its_audit_row_after_a_sigkill(
    database_url: str, tmp_path: Path
) -> None:
    """Panel reads share group commits with their audit rows: a read the caller got an answer to
    has its row committed, even when the server is killed with reads and commits in flight."""
    from dst.audit.models import AuditEvent

    answered: dict[tuple[str, str], int] = {}
    lock = threading.Lock()
    with dst_server(database_url, tmp_path / "server.log") as server:
        records = [_open_record(server.url) for _ in range(4)]
        stop = threading.Event()

        def stream(dst_id: str) -> None:
            with httpx2.Client(base_url=server.url, headers=SERVICE, timeout=30) as client:
                while not stop.is_set():
                    for panel, action in PANEL_ACTIONS.items():
                        try:
                            answer = client.get(f"/api/v1/dst/{dst_id}/{panel}")
                        except httpx2.TransportError:
                            return
                        assert answer.status_code == 200, answer.text
                        with lock:
                            answered[(dst_id, action)] = answered.get((dst_id, action), 0) + 1

        readers = [threading.Thread(target=stream, args=(r,)) for r in records for _ in range(3)]
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + 60
        while sum(answered.values()) < 150 and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(server.process.pid, signal.SIGKILL)  # mid-stream, with commits in flight
        server.process.wait()
        stop.set()
        for reader in readers:
            reader.join(timeout=60)

    assert sum(answered.values()) >= 150, "the stream was too slow to kill mid-way"
    with sessions(database_url) as session:
        rows = session.execute(
            select(AuditEvent.dst_id, AuditEvent.action, func.count())
            .where(AuditEvent.dst_id.in_(records), AuditEvent.action.in_(PANEL_ACTIONS.values()))
            .group_by(AuditEvent.dst_id, AuditEvent.action)
        ).all()
    stored = {(dst_id, action): count for dst_id, action, count in rows}
    short = {k: (count, stored.get(k, 0)) for k, count in answered.items() if stored.get(k, 0) < count}
    assert not short, f"answered reads without their audit rows (answered, stored): {short}"


def _open_record(url: str) -> str:
    created = httpx2.post(f"{url}/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE, timeout=60)
    assert created.status_code == 201, created.text
    return str(created.json()["dstId"])


def _assert_all_stored(database_url: str, acknowledged: list[tuple[str, Any, str, dict[str, Any]]]) -> None:
    """Read the database directly, before any restart could repair anything."""
    with sessions(database_url) as session:
        stored_keys = set(session.scalars(select(IdempotencyKey.key)))
        for dst_id, _body, key, answer in acknowledged:
            assert key in stored_keys, f"acknowledged save {key} is missing"
            record = session.scalar(select(DstRecord).where(DstRecord.dst_id == dst_id))
            assert record is not None and record.version >= answer["version"]


def _assert_one_decision_per_key(database_url: str, saves: int) -> None:
    with sessions(database_url) as session:
        crash_keys = session.scalar(
            select(func.count()).select_from(IdempotencyKey).where(IdempotencyKey.key.like("crash-%"))
        )
        decisions = session.scalar(select(func.count()).select_from(Decision))
    assert crash_keys == saves
    assert decisions == saves
