"""Typed settings read from DST_* environment variables (DESIGN §4)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - the placeholder that prod refuses
DEV_SERVICE_TOKEN = "dev-service-token"  # noqa: S105 - the placeholder that prod refuses
PLACEHOLDERS = {DEV_SECRET, DEV_SERVICE_TOKEN, "changeme", "change-me", ""}


def default_database_url() -> str:
    return f"sqlite:///{Path('var').resolve() / 'dst.sqlite3'}"


class Settings(BaseSettings):
    """Every setting has a safe development default; `prod` refuses the placeholders."""

    model_config = SettingsConfigDict(env_prefix="DST_", extra="ignore")

    env: Literal["dev", "prod"] = "dev"
    database_url: str = Field(default_factory=default_database_url)

    mvi_url: str | None = None
    ee_url: str | None = None
    ee_username: str = "dst"
    ee_password: SecretStr = SecretStr("dst-dev-password")
    facilities_url: str | None = None
    facilities_api_key: SecretStr = SecretStr("dev-facilities-key")
    ppms_url: str | None = None
    seoc_url: str | None = None
    cdw_url: str | None = None
    routing_url: str | None = None
    partner_timeout_s: float = Field(default=10.0, gt=0, le=120)
    # Synthetic test patient for the background steel-thread check: unset means the first ordinary
    # demo Veteran in dev and no check in prod; "skip" turns the check off.
    steel_thread_icn: str | None = None
    steel_thread_interval_s: float = Field(default=300.0, gt=0)

    service_token: SecretStr = SecretStr(DEV_SERVICE_TOKEN)
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None

    scheduler_enabled: bool = False
    purge_after_days: int = Field(default=30, ge=1)

    @model_validator(mode="after")
    def _refuse_placeholders_outside_dev(self) -> Settings:
        if self.env == "prod":
            for name in ("secret_key", "service_token"):
                value = getattr(self, name).get_secret_value()
                if value in PLACEHOLDERS or len(value) < 16:
                    raise ValueError(
                        f"DST_{name.upper()} must be set to a real secret of at least 16 characters "
                        "when DST_ENV=prod"
                    )
        return self

    @property
    def is_dev(self) -> bool:
        return self.env == "dev"


@lru_cache
def get_settings() -> Settings:
    return Settings()
