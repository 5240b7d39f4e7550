"""`dst serve`'s workers tune the garbage collector once started; apps built elsewhere keep the defaults."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from dst.main import create_app, served_app
from dst.web import collector

from harness import settings_for

DEFAULTS = (700, 10, 10)  # the interpreter's thresholds


@pytest.fixture
def default_collector() -> Iterator[None]:
    """The interpreter's collector settings for the test, the process's own again after it."""
    before = gc.get_threshold()
    gc.unfreeze()
    gc.set_threshold(*DEFAULTS)
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_a_served_worker_freezes_its_start_up_objects_and_collects_less_often(
    database_url: str, default_collector: None
) -> None:
    with TestClient(served_app(settings_for(database_url))) as client:
        assert client.get("/health/live").status_code == 200
        assert gc.get_freeze_count() > 10_000  # the modules, statements and schemas of start-up
        assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, collector.OLDER_EVERY, collector.OLDER_EVERY)
        made_while_serving: list[object] = []
        made_while_serving.append(made_while_serving)  # a cycle, collected as before
        del made_while_serving
        assert gc.collect() >= 1


def test_an_app_built_outside_dst_serve_leaves_the_collector_alone(
    database_url: str, default_collector: None
) -> None:
    with TestClient(create_app(settings_for(database_url))) as client:
        assert client.get("/health/live").status_code == 200
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == DEFAULTS
