"""Typed settings read from DST_* environment variables (DESIGN §4)."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - the placeholder that prod refuses
DEV_SERVICE_TOKEN = "dev-service-token"  # noqa: S105 - the placeholder that prod refuses
DEV_EE_PASSWORD = "dst-dev-password"  # noqa: S105 - the embedded E&E fake's password; prod refuses it
DEV_FACILITIES_KEY = "dev-facilities-key"  # the embedded Facilities fake's key; prod refuses it
PLACEHOLDERS = {
    DEV_SECRET,
    DEV_SERVICE_TOKEN,
    DEV_EE_PASSWORD,
    DEV_FACILITIES_KEY,
    "changeme",
    "change-me",
    "",
}
# Words found in sample and CI values (the chart's ci/*.yaml among them): never a real secret.
SAMPLE_MARKERS = ("not-for-use", "not-a-real", "changeme", "change-me", "placeholder", "example")
MIN_SECRET_LENGTH = 16
MIN_DISTINCT_CHARACTERS = 8
# Partners that have an embedded synthetic fake: production must name the real service for each.
PARTNER_URLS = ("mvi_url", "ee_url", "facilities_url", "ppms_url", "seoc_url")
# Machine clients, each with its own optional bearer token (docs/security.md, "Machine clients").
CLIENT_TOKENS = ("vista_token", "ctb_token", "scripts_token", "admin_api_token")
_ORIGIN = r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|'self'"


def weakness(value: str) -> str | None:
    """Why a secret is unfit for production, or None: a placeholder, sample value or trivial string."""
    lowered = value.lower()
    if value in PLACEHOLDERS:
        return "is a development placeholder"
    if len(value) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    if any(marker in lowered for marker in SAMPLE_MARKERS):
        return "is a sample value"
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return f"has fewer than {MIN_DISTINCT_CHARACTERS} different characters"
    return None


def default_database_url() -> str:
    return f"sqlite:///{Path('var').resolve() / 'dst.sqlite3'}"


class Settings(BaseSettings):
    """Every setting has a safe development default; `prod` refuses the placeholders."""

    model_config = SettingsConfigDict(env_prefix="DST_", extra="ignore")

    env: Literal["dev", "prod"] = "dev"
    database_url: str = Field(default_factory=default_database_url)
    # PostgreSQL in production: the migrations' role (owner of the tables) for `dst db upgrade`,
    # `downgrade`, `backup` and `restore`; the app and the jobs connect as DST_DATABASE_URL's role, which
    # `dst db upgrade` grants DST_DATABASE_APP_ROLE's rights (src/dst/db/roles.py). Unset: one role.
    migration_database_url: str | None = None
    database_app_role: str | None = None

    mvi_url: str | None = None
    ee_url: str | None = None
    ee_username: str = "dst"
    ee_password: SecretStr = SecretStr(DEV_EE_PASSWORD)
    facilities_url: str | None = None
    facilities_api_key: SecretStr = SecretStr(DEV_FACILITIES_KEY)
    ppms_url: str | None = None
    seoc_url: str | None = None
    cdw_url: str | None = None
    routing_url: str | None = None
    # Without DST_ROUTING_URL drive times are estimated from straight-line distance; 38 CFR 17.4040(b)
    # calls for GIS software, so prod refuses to start that way unless an operator accepts estimates.
    accept_estimated_drive_times: bool = False
    # A base-map tile URL template such as https://tiles.example/{z}/{x}/{y}.png; without one the
    # dashboard draws a schematic of the Veteran, facilities and providers instead.
    map_tile_url: str | None = None
    partner_timeout_s: float = Field(default=10.0, gt=0, le=120)
    # Share each record's partner answers between DST processes through the database, so a page
    # view calls each partner once whichever worker or replica serves each panel. Unset: on with
    # PostgreSQL (replicas) and with `dst serve --workers` above 1; off for one SQLite process.
    share_partner_calls: bool | None = None
    # Synthetic test patient for the background steel-thread check: unset means the first ordinary
    # demo Veteran in dev and no check in prod; "skip" turns the check off.
    steel_thread_icn: str | None = None
    steel_thread_interval_s: float = Field(default=300.0, gt=0)

    service_token: SecretStr = SecretStr(DEV_SERVICE_TOKEN)
    # One token per machine client, each with its own role; unset means that client has none.
    vista_token: SecretStr | None = None
    ctb_token: SecretStr | None = None
    scripts_token: SecretStr | None = None
    admin_api_token: SecretStr | None = None
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    # Sessions end after this many minutes without a request, and in any case after the lifetime.
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_lifetime_hours: int = Field(default=12, ge=1, le=24)
    # DST's own address as browsers reach it (https://dst.example.va.gov); builds the sign-in and
    # SMART redirect URIs, so the request's Host header never decides them. Required when DST_ENV=prod.
    public_base_url: str | None = None
    # Origins allowed to show DST pages in a frame (space-separated, e.g. "https://ctb.example.va.gov");
    # empty means none ("frame-ancestors 'none'").
    frame_ancestors: str = ""
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_redirect_uri: str | None = None  # unset: derived from the request (behind a proxy, set it)
    oidc_scope: str = "openid profile email"
    oidc_role_claim: str = "dst_roles"
    oidc_user_claim: str = "preferred_username"
    # Identity-provider role values -> DST roles; empty means the claim carries DST role names themselves.
    oidc_role_map: dict[str, str] = Field(default_factory=dict)

    # Limits per client (the real client, as a trusted proxy reports it); 0 turns a limit off. The
    # machine default is twice DST's national machine-call peak (docs/security.md, "Rate limits").
    rate_sign_in_per_minute: int = Field(default=30, ge=0)
    rate_machine_per_second: float = Field(default=100.0, ge=0)
    # Per signed-in person (a clinician's or a viewer's session), for every route but static assets.
    rate_session_per_second: float = Field(default=10.0, ge=0)
    # How many processes one client's traffic is spread over: replicas (set by the Helm chart) times
    # workers (set by `dst serve --workers`). Each process enforces its share of each limit.
    replicas: int = Field(default=1, ge=1, le=1000)
    workers: int = Field(default=1, ge=1, le=256)
    # Comma-separated addresses or networks (CIDR) of the proxies in front of DST whose
    # X-Forwarded-For and X-Forwarded-Proto are believed; the default trusts only a local proxy.
    trusted_proxies: str = "127.0.0.1,::1"
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # `dst serve`: how long a request's line and headers may take to arrive, and how large they may be.
    header_timeout_s: float = Field(default=10.0, gt=0, le=300)
    max_header_bytes: int = Field(default=16_384, ge=4_096, le=1_048_576)

    scheduler_enabled: bool = False
    # Decision Support Viewer (SMART on FHIR EHR launch): comma-separated trusted FHIR base URLs (`iss`).
    dsv_trusted_iss: str = ""
    dsv_client_id: str = "dst-dsv"
    # The FHIR identifier system of the EDIPI on the EHR's Patient (DoD EDIPI assigning authority OID).
    dsv_edipi_system: str = "urn:oid:2.16.840.1.113883.3.42.10001.100001.12"
    purge_after_days: int = Field(default=30, ge=1)

    @model_validator(mode="after")
    def _refuse_placeholders_outside_dev(self) -> Settings:
        if self.env != "prod":
            return self
        secrets: dict[str, SecretStr | None] = {
            "secret_key": self.secret_key,
            "ee_password": self.ee_password,
            "facilities_api_key": self.facilities_api_key,
            **{name: getattr(self, name) for name in CLIENT_TOKENS},
        }
        if not self.service_token_retired:
            secrets["service_token"] = self.service_token
        for name, secret in secrets.items():
            problem = weakness(secret.get_secret_value()) if secret is not None else None
            if problem:
                raise ValueError(
                    f"DST_{name.upper()} {problem}; set a real secret (at least {MIN_SECRET_LENGTH} random "
                    "characters) when DST_ENV=prod"
                )
        return self

    @model_validator(mode="after")
    def _refuse_embedded_partners_in_prod(self) -> Settings:
        if self.env != "prod":
            return self
        missing = [f"DST_{name.upper()}" for name in PARTNER_URLS if not getattr(self, name)]
        if missing:
            raise ValueError(
                f"{', '.join(missing)} must name the real partner service when DST_ENV=prod; unset, DST "
                "would answer from its embedded synthetic fakes"
            )
        if not self.public_base_url:
            raise ValueError(
                "DST_PUBLIC_BASE_URL must be DST's address as browsers reach it (https://…) when "
                "DST_ENV=prod; the sign-in redirect is built from it, never from the Host header"
            )
        return self

    @model_validator(mode="after")
    def _check_addresses(self) -> Settings:
        if self.public_base_url is not None:
            base = self.public_base_url.rstrip("/")
            if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?", base):
                raise ValueError(
                    "DST_PUBLIC_BASE_URL must be an http(s) URL such as https://dst.example.va.gov"
                )
            if self.env == "prod" and not base.startswith("https://"):
                raise ValueError("DST_PUBLIC_BASE_URL must use https when DST_ENV=prod")
            self.public_base_url = base
        wrong = [o for o in self.frame_ancestors.split() if not re.fullmatch(_ORIGIN, o)]
        if wrong:
            raise ValueError(
                f"DST_FRAME_ANCESTORS takes origins such as https://ctb.example.va.gov or 'self'; not {wrong}"
            )
        return self

    @model_validator(mode="after")
    def _refuse_estimated_drive_times_in_prod(self) -> Settings:
        if self.env == "prod" and not self.routing_url and not self.accept_estimated_drive_times:
            raise ValueError(
                "DST_ROUTING_URL must name a routing service when DST_ENV=prod: 38 CFR 17.4040(b) calls "
                "for GIS software to calculate drive time. To run on straight-line estimates anyway, set "
                "DST_ACCEPT_ESTIMATED_DRIVE_TIMES=true (estimates near the standard then leave drive time "
                "unknown; see docs/eligibility.md)."
            )
        return self

    @model_validator(mode="after")
    def _role_map_names_person_roles(self) -> Settings:
        people = {"provider", "scheduler", "reporting", "admin", "auditor"}
        wrong = sorted(v for v in self.oidc_role_map.values() if v not in people)
        if wrong:
            raise ValueError(f"DST_OIDC_ROLE_MAP maps to unknown role(s) {wrong}; use {sorted(people)}")
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses_or_networks(cls, value: str) -> str:
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"DST_TRUSTED_PROXIES: {item!r} is not an IP address or network such as 10.42.0.0/16"
                ) from None
        return value

    @property
    def owner_database_url(self) -> str:
        return self.migration_database_url or self.database_url

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @property
    def rate_processes(self) -> int:
        """How many processes share one client's traffic: each enforces 1/N of every limit."""
        return self.replicas * self.workers

    @property
    def is_dev(self) -> bool:
        return self.env == "dev"

    @property
    def synthetic_partners(self) -> list[str]:
        """Partners answered by the embedded fakes (no URL set): allowed in dev only."""
        return [name.removesuffix("_url") for name in PARTNER_URLS if not getattr(self, name)]

    @property
    def service_token_retired(self) -> bool:
        """In production, a deployment that gives every client its own token may leave DST_SERVICE_TOKEN
        unset: the placeholder is then not a token at all, rather than a refused configuration."""
        per_client = any(getattr(self, name) is not None for name in CLIENT_TOKENS)
        unset = self.service_token.get_secret_value() == DEV_SERVICE_TOKEN
        return self.env == "prod" and per_client and unset


@lru_cache
def get_settings() -> Settings:
    return Settings()
