"""Two saves racing on the same record version: exactly one wins, the other gets 409, nothing half-saved."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import httpx2
import pytest

from factories import consult, ordinary, veteran
from harness import SERVICE
from live_server import serve


@pytest.fixture
def dst_url(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve(app) as url:
        yield url


def test_racing_saves_on_one_version(dst_url: str) -> None:
    record = httpx2.post(
        f"{dst_url}/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE, timeout=30
    ).json()
    dst_id, version = record["dstId"], record["version"]
    seoc = httpx2.get(f"{dst_url}/api/v1/dst/{dst_id}/seocs", headers=SERVICE, timeout=30).json()["seocs"][0]
    bodies = [
        {"veteranOption": "opt-out", "forward": False},
        {"veteranOption": "tbd", "seocId": seoc["seocId"], "forward": False},
    ] * 3
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []

    def save(body: dict[str, object]) -> None:
        headers = {**SERVICE, "Idempotency-Key": str(uuid.uuid4()), "If-Match": f'"{version}"'}
        barrier.wait()
        response = httpx2.put(
            f"{dst_url}/api/v1/dst/{dst_id}/decision", json=body, headers=headers, timeout=60
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=save, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * (len(bodies) - 1)
    final = httpx2.get(f"{dst_url}/api/v1/dst/{dst_id}", headers=SERVICE, timeout=30).json()
    assert final["version"] == version + 1
    assert final["decision"]["revision"] == 1
