"""Production refuses to start on synthetic partners, placeholder or sample credentials and weak secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import ValidationError

from dst.config import weakness
from dst.main import create_app

from harness import PROD_REQUIRED, prod_settings_for, settings_for

CHART_CI = Path(__file__).parents[2] / "deploy" / "helm" / "dst" / "ci"


@pytest.mark.parametrize("partner", ["mvi", "ee", "facilities", "ppms", "seoc"])
def test_production_needs_every_partner_url(partner: str) -> None:
    with pytest.raises(ValidationError, match=f"DST_{partner.upper()}_URL must name the real partner"):
        prod_settings_for(accept_estimated_drive_times=True, **{f"{partner}_url": None})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ee_password", "dst-dev-password"),
        ("facilities_api_key", "dev-facilities-key"),
        ("secret_key", "k" * 40),
        ("service_token", "t" * 32),
        ("secret_key", "0123401234012340123401234"),
        ("ctb_token", "short-token"),
    ],
)
def test_production_refuses_placeholder_and_trivial_credentials(name: str, value: str) -> None:
    with pytest.raises(ValidationError, match=f"DST_{name.upper()} "):
        prod_settings_for(accept_estimated_drive_times=True, **{name: value})


def test_production_refuses_the_charts_ci_secrets() -> None:
    for values in CHART_CI.glob("*.yaml"):
        secrets = (yaml.safe_load(values.read_text()) or {}).get("secrets") or {}
        for key in ("serviceToken", "secretKey", "eePassword", "facilitiesApiKey"):
            if secrets.get(key):
                assert weakness(secrets[key]), f"{values.name}: {key} would be accepted in production"


def test_production_needs_an_https_public_base_url() -> None:
    with pytest.raises(ValidationError, match="DST_PUBLIC_BASE_URL must be"):
        prod_settings_for(accept_estimated_drive_times=True, public_base_url=None)
    with pytest.raises(ValidationError, match="must use https"):
        prod_settings_for(accept_estimated_drive_times=True, public_base_url="http://dst.test")
    assert prod_settings_for(accept_estimated_drive_times=True).public_base_url == "https://dst.test"


def test_the_complete_production_settings_start() -> None:
    settings = prod_settings_for(accept_estimated_drive_times=True)
    assert settings.synthetic_partners == []
    assert set(PROD_REQUIRED) >= {"mvi_url", "ee_url", "facilities_url", "ppms_url", "seoc_url"}


def test_readiness_never_says_up_on_synthetic_partners(database_url: str) -> None:
    with TestClient(create_app(settings_for(database_url))) as client:
        body = client.get("/health/ready").json()
    assert body["status"] == "DEMO"
    assert body["syntheticPartners"] == ["mvi", "ee", "facilities", "ppms", "seoc"]

    urls = {f"{p}_url": f"http://127.0.0.1:9/{p}" for p in ("mvi", "ee", "facilities", "ppms", "seoc")}
    with TestClient(create_app(settings_for(database_url, **urls))) as client:
        answer = client.get("/health/ready")
    assert answer.status_code == 200
    assert answer.json()["status"] == "UP" and answer.json()["syntheticPartners"] == []
