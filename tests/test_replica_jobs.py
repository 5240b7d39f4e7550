"""Two replicas start the same job at the same moment on one PostgreSQL: it runs once, the other stands down.

Like the CronJobs of two releases overlapping, or a CronJob and a hand-started run: each process calls
the runner `dst jobs run` uses. The SEOC partner answers slowly (a stand-alone fake with latency), so
the two runs are certain to overlap.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import select

from dst.db.engine import build_engine, build_session_factory

from live_server import free_port

pytest.importorskip("dst.jobs.runner", reason="the jobs runner is not in this tree")
pytestmark = pytest.mark.skipif(
    not os.environ.get("DST_TEST_POSTGRES_URL"),
    reason="replicas share a database only on PostgreSQL (make test runs this on its PostgreSQL pass)",
)

# Imports first (the slow part), then waits for the starting signal, so both claims race.
DRIVER = """
import sys, time, pathlib, anyio
from dst.config import get_settings
from dst.jobs.runner import run_job
go = pathlib.Path(sys.argv[2])
pathlib.Path(sys.argv[3]).touch()
while not go.exists():
    time.sleep(0.002)
summary = anyio.run(lambda: run_job(sys.argv[1], get_settings(), trigger="command"))
print(summary.outcome)
"""


@pytest.fixture
def slow_seoc(database_url: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "DST_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "dst.cli", "fakes", "serve", "--port", str(port), "--latency-ms", "400"]
    with (tmp_path / "fakes.log").open("ab") as log:
        fakes = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx2.get(f"{url}/seoc/", timeout=5)
                break
            except httpx2.TransportError:
                assert time.monotonic() < deadline and fakes.poll() is None, "fakes did not start"
                time.sleep(0.1)
        yield f"{url}/seoc"
    finally:
        fakes.terminate()
        fakes.wait(timeout=15)


def test_the_same_job_started_on_two_replicas_runs_once(
    database_url: str, slow_seoc: str, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    earlier = {r.id for r in _runs(database_url)}  # the demo seed ran the loads once already
    env = {**os.environ, "DST_DATABASE_URL": database_url, "DST_SEOC_URL": slow_seoc}
    replicas = []
    for n in (1, 2):
        ready = tmp_path / f"ready-{n}"
        replicas.append(
            (
                ready,
                subprocess.Popen(
                    [sys.executable, "-c", DRIVER, "load-seoc", str(go), str(ready)],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    deadline = time.monotonic() + 60
    while not all(ready.exists() for ready, _ in replicas):
        assert time.monotonic() < deadline, "the replicas did not start"
        time.sleep(0.01)
    go.touch()
    outcomes = []
    for _, process in replicas:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outcomes.append(out.strip().splitlines()[-1])

    assert sorted(outcomes) == ["already-running", "ok"], outcomes
    runs = [r for r in _runs(database_url) if r.id not in earlier]
    assert sorted(r.outcome for r in runs) == ["already-running", "ok"]
    assert len({r.holder for r in runs}) == 2


def _runs(database_url: str) -> list[Any]:
    from dst.jobs.models import JobRun

    engine = build_engine(database_url)
    try:
        with build_session_factory(engine)() as session:
            return list(session.scalars(select(JobRun).where(JobRun.job == "load-seoc")))
    finally:
        engine.dispose()
