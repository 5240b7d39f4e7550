"""SMART App Launch 2 EHR launch as a client: trusted issuers, discovery, PKCE authorization, tokens."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx2
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from fastapi import Request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from dst.config import Settings
from dst.dsv import errors

EMBEDDED_FHIR_PATH = "/dev/fake-ehr/fhir"
# v2 scopes: read the open patient's Patient resource; `openid fhirUser` name the user for the audit log.
SCOPE = "launch openid fhirUser patient/Patient.rs"
TIMEOUT = httpx2.Timeout(10.0, connect=5.0)


@dataclass(frozen=True)
class SmartConfiguration:
    """The parts of `.well-known/smart-configuration` the EHR launch needs."""

    iss: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str | None
    issuer: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalize_iss(iss: str) -> str:
    return iss.strip().rstrip("/")


def embedded_iss(request: Request) -> str:
    """The FHIR base of the development EHR served by this same app."""
    return str(request.base_url).rstrip("/") + EMBEDDED_FHIR_PATH


def is_trusted(request: Request, settings: Settings, iss: str) -> bool:
    wanted = normalize_iss(iss)
    listed = {normalize_iss(x) for x in settings.dsv_trusted_iss.split(",") if x.strip()}
    if wanted in listed:
        return True
    return settings.is_dev and wanted == embedded_iss(request)


def http_options(request: Request, iss: str) -> dict[str, Any]:
    """How to reach the EHR: over the network, or in process for the development EHR of this app."""
    options: dict[str, Any] = {"timeout": TIMEOUT}
    if request.app.state.settings.is_dev and normalize_iss(iss) == embedded_iss(request):
        options["transport"] = httpx2.ASGITransport(app=request.app)
    return options


async def discover(request: Request, iss: str) -> SmartConfiguration:
    url = f"{normalize_iss(iss)}/.well-known/smart-configuration"
    try:
        async with httpx2.AsyncClient(**http_options(request, iss)) as http:
            response = await http.get(url, headers={"Accept": "application/json"})
    except httpx2.HTTPError as exc:
        raise errors.ehr_unreachable(
            f"its SMART configuration could not be read ({type(exc).__name__})."
        ) from None
    if response.status_code != 200:
        raise errors.ehr_unreachable(f"its SMART configuration answered HTTP {response.status_code}.")
    try:
        data = response.json()
    except ValueError:
        raise errors.ehr_unreachable("its SMART configuration is not JSON.") from None
    return _configuration(iss, data)


def _configuration(iss: str, data: Any) -> SmartConfiguration:
    if not isinstance(data, dict):
        raise errors.ehr_unreachable("its SMART configuration is not a JSON object.")
    authorize, token = data.get("authorization_endpoint"), data.get("token_endpoint")
    if not (_is_url(authorize) and _is_url(token)):
        raise errors.ehr_unreachable("its SMART configuration lacks the authorization or token endpoint.")
    if "S256" not in (data.get("code_challenge_methods_supported") or []):
        raise errors.ehr_unreachable("it does not support PKCE with S256, which SMART App Launch 2 requires.")
    if "launch-ehr" not in (data.get("capabilities") or []):
        raise errors.ehr_unreachable("it does not offer the EHR launch (capability launch-ehr).")
    jwks = data.get("jwks_uri")
    return SmartConfiguration(
        iss=normalize_iss(iss),
        authorization_endpoint=str(authorize),
        token_endpoint=str(token),
        jwks_uri=jwks if _is_url(jwks) else None,
        issuer=data.get("issuer") if isinstance(data.get("issuer"), str) else None,
    )


def _is_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("https", "http") and bool(parts.netloc)


async def authorization_request(
    config: SmartConfiguration, *, client_id: str, redirect_uri: str, launch: str
) -> tuple[str, str, str]:
    """The EHR's authorization URL for this launch, with its `state` and PKCE code verifier."""
    verifier = generate_token(64)
    async with AsyncOAuth2Client(
        client_id=client_id, redirect_uri=redirect_uri, scope=SCOPE, code_challenge_method="S256"
    ) as oauth:
        url, state = oauth.create_authorization_url(
            config.authorization_endpoint, code_verifier=verifier, launch=launch, aud=config.iss
        )
    return url, state, verifier


async def exchange_code(
    request: Request,
    config: SmartConfiguration,
    *,
    client_id: str,
    redirect_uri: str,
    code: str,
    verifier: str,
) -> dict[str, Any]:
    """Trade the authorization code for the token response, proving the launch with the PKCE verifier."""
    async with AsyncOAuth2Client(
        client_id=client_id,
        redirect_uri=redirect_uri,
        token_endpoint_auth_method="none",  # noqa: S106 - a public client: PKCE, not a secret, binds the code
        **http_options(request, config.iss),
    ) as oauth:
        try:
            token = await oauth.fetch_token(config.token_endpoint, code=code, code_verifier=verifier)
        except OAuthError as exc:
            raise errors.ehr_unreachable(f"the token request was refused ({exc.error}).") from None
        except (httpx2.HTTPError, ValueError) as exc:
            raise errors.ehr_unreachable(f"the token endpoint failed ({type(exc).__name__}).") from None
    return dict(token)


async def read_patient(request: Request, iss: str, token: dict[str, Any], patient_id: str) -> Any:
    """GET `Patient/{id}` with the access token; the JSON body, or a problem naming what failed."""
    url = f"{normalize_iss(iss)}/Patient/{patient_id}"
    headers = {"Accept": "application/fhir+json", "Authorization": f"Bearer {token.get('access_token', '')}"}
    try:
        async with httpx2.AsyncClient(**http_options(request, iss)) as http:
            response = await http.get(url, headers=headers)
    except httpx2.HTTPError as exc:
        raise errors.ehr_unreachable(f"the patient could not be read ({type(exc).__name__}).") from None
    if response.status_code != 200:
        raise errors.ehr_unreachable(f"reading the patient answered HTTP {response.status_code}.")
    try:
        return response.json()
    except ValueError:
        raise errors.ehr_unreachable("the patient resource is not JSON.") from None


async def signed_in_user(request: Request, config: SmartConfiguration, client_id: str, id_token: Any) -> str:
    """The `fhirUser` of a verified OpenID Connect id_token, for the audit log's "who"."""
    if not isinstance(id_token, str) or config.jwks_uri is None:
        return "unidentified EHR user"
    try:
        async with httpx2.AsyncClient(**http_options(request, config.iss)) as http:
            keys = KeySet.import_key_set((await http.get(config.jwks_uri)).json())
        token = jwt.decode(id_token, keys)
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": config.issuer or config.iss},
            aud={"essential": True, "value": client_id},
            exp={"essential": True},
        ).validate(token.claims)
    except (httpx2.HTTPError, ValueError, JoseError) as exc:
        raise errors.ehr_unreachable(
            f"its identity token could not be verified ({type(exc).__name__})."
        ) from None
    user = token.claims.get("fhirUser") or token.claims.get("sub")
    return str(user) if user else "unidentified EHR user"
