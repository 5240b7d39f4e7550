"""`dst fakes serve --partner-latency`: per-partner delays for benchmarks, and clear errors for bad values."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dst.cli import app as cli
from dst.config import Settings
from dst.demo.fakes_server import create_fakes_app, parse_partner_latencies


def test_latencies_are_read_in_milliseconds_per_partner() -> None:
    assert parse_partner_latencies(["mvi=200", " PPMS = 500 "]) == {"mvi": 0.2, "ppms": 0.5}
    for bad in ("mvi", "mvi=", "mvi=-5", "mvi=fast"):
        with pytest.raises(ValueError, match="PARTNER=MILLISECONDS"):
            parse_partner_latencies([bad])


def test_only_the_named_partner_is_slowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fakes wait with asyncio.sleep; record the waits instead of timing them."""
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(seconds: float) -> None:
        waits.append(seconds)
        await real_sleep(0)

    fakes = create_fakes_app(Settings(_env_file=None), partner_latency_s={"seoc": 0.3})  # type: ignore[call-arg]
    monkeypatch.setattr(asyncio, "sleep", recording_sleep)
    with TestClient(fakes) as client:
        assert client.get("/seoc/v2/seoc/active").status_code == 200
        assert waits == [0.3]
        assert client.get("/routing/table/v1/driving/-77.0,38.9;-77.1,38.8?sources=0").status_code == 200
        assert waits == [0.3], "routing has no delay of its own"


def test_an_unknown_partner_is_refused() -> None:
    with pytest.raises(ValueError, match="no partner fake named cdx"):
        create_fakes_app(Settings(_env_file=None), partner_latency_s={"cdx": 0.1})  # type: ignore[call-arg]
    result = CliRunner().invoke(cli, ["fakes", "serve", "--partner-latency", "mvi"])
    assert result.exit_code != 0 and "PARTNER=MILLISECONDS" in result.output
