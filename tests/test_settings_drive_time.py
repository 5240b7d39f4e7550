"""Production refuses to estimate drive times unless an operator accepts estimates (38 CFR 17.4040(b))."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dst.config import Settings

from harness import PROD_REQUIRED

SECRETS = {k: v for k, v in PROD_REQUIRED.items() if k != "routing_url"}


def test_prod_without_a_routing_service_refuses_to_start() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(env="prod", _env_file=None, **SECRETS)  # type: ignore[call-arg]
    message = str(caught.value)
    assert "DST_ROUTING_URL" in message and "17.4040(b)" in message
    assert "DST_ACCEPT_ESTIMATED_DRIVE_TIMES=true" in message


def test_prod_starts_with_a_routing_service_or_with_estimates_accepted() -> None:
    routed = Settings(env="prod", routing_url="http://osrm:5000", _env_file=None, **SECRETS)  # type: ignore[call-arg]
    assert routed.routing_url == "http://osrm:5000"
    accepted = Settings(env="prod", accept_estimated_drive_times=True, _env_file=None, **SECRETS)  # type: ignore[call-arg]
    assert accepted.routing_url is None


def test_the_operator_accepts_estimates_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DST_ACCEPT_ESTIMATED_DRIVE_TIMES", "true")
    assert Settings(env="prod", _env_file=None, **SECRETS).accept_estimated_drive_times  # type: ignore[call-arg]


def test_dev_may_estimate_without_saying_so() -> None:
    assert Settings(env="dev", _env_file=None).routing_url is None  # type: ignore[call-arg]
