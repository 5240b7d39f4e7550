"""Test wiring: one database backend per run (SQLite, or PostgreSQL when DST_TEST_POSTGRES_URL is set).

A template database is migrated and seeded with the demo network once per run; each test gets its
own copy (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL), so tests never share rows.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dst.demo.model import DemoNetwork, DemoVeteran
from dst.demo.network import demo_network
from dst.partners.types import FacilityRecord

from harness import BACKEND, IN_CI, POSTGRES_URL, settings_for

DB_FIXTURES = {"database_url", "empty_database_url", "app", "client", "template_database_url"}
_counter = itertools.count()


TRACE_CONNECTIONS = os.environ.get("DST_TRACE_CONNECTIONS") == "1"
if TRACE_CONNECTIONS:
    import connection_origins

    connection_origins.install()


@pytest.fixture(autouse=True)
def _collect_after_each_test() -> Iterator[None]:
    """While tracing, collect garbage after every test, so an abandoned connection is found (and
    blamed) at the test that left it rather than whenever the collector next happens to run."""
    yield
    if TRACE_CONNECTIONS:
        import gc

        gc.collect()


def pytest_report_header() -> str:
    return f"DST test database backend: {BACKEND}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL run, only tests that touch a database run again."""
    if os.environ.get("DST_TEST_ONLY_DB") != "1":
        return
    if POSTGRES_URL is None and IN_CI:
        raise pytest.UsageError(
            "DST_TEST_ONLY_DB=1 is the PostgreSQL pass, but DST_TEST_POSTGRES_URL is not set: "
            "run it through scripts/with-postgres.sh (CI must test on PostgreSQL)"
        )
    keep, drop = [], []
    for item in items:
        (keep if DB_FIXTURES & set(getattr(item, "fixturenames", ())) else drop).append(item)
    items[:] = keep
    config.hook.pytest_deselected(items=drop)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _admin_engine():  # type: ignore[no-untyped-def]
    assert POSTGRES_URL
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    assert POSTGRES_URL
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _create_pg_database(name: str, template: str | None = None) -> str:
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        suffix = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    engine.dispose()
    return _pg_url(name)


def _drop_pg_database(name: str) -> None:
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def template_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from dst.db.migrate import upgrade
    from dst.demo.seed import seed_demo

    if BACKEND == "postgresql":
        url = _create_pg_database(f"dst_template_{os.getpid()}")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'dst.sqlite3'}"
    upgrade(url)
    anyio.run(seed_demo, settings_for(url))
    yield url
    if BACKEND == "postgresql":
        _drop_pg_database(make_url(url).database or "")


@pytest.fixture
def database_url(template_database_url: str, tmp_path: Path) -> Iterator[str]:
    """A private copy of the migrated, seeded template database."""
    if BACKEND == "postgresql":
        name = f"dst_test_{os.getpid()}_{next(_counter)}"
        yield _create_pg_database(name, template=make_url(template_database_url).database)
        _drop_pg_database(name)
        return
    source = Path(make_url(template_database_url).database or "")
    target = tmp_path / "dst.sqlite3"
    shutil.copyfile(source, target)
    yield f"sqlite:///{target}"


@pytest.fixture
def db_sessions(database_url: str):  # type: ignore[no-untyped-def]
    """Sessions on an engine of the test's own, built as DST builds it, on a private database."""
    from dst.db.engine import build_engine, build_session_factory

    engine = build_engine(database_url)
    try:
        yield build_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, for migration tests."""
    if BACKEND == "postgresql":
        name = f"dst_empty_{os.getpid()}_{next(_counter)}"
        yield _create_pg_database(name)
        _drop_pg_database(name)
        return
    yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"


@pytest.fixture
def app(database_url: str):  # type: ignore[no-untyped-def]
    from dst.main import create_app

    app = create_app(settings_for(database_url))
    yield app
    app.state.engine.dispose()  # also when no lifespan ran (route introspection, direct calls)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client


# Demo-network fixtures: one default network per run.


@pytest.fixture(scope="session")
def network() -> DemoNetwork:
    return demo_network()


@pytest.fixture(scope="session")
def facilities_by_id(network: DemoNetwork) -> dict[str, FacilityRecord]:
    return {f.facility_id: f for f in network.facilities}


@pytest.fixture(scope="session")
def scenario_veterans(network: DemoNetwork) -> list[DemoVeteran]:
    return [v for v in network.veterans if not v.scenario.startswith("Ordinary Veteran")]
