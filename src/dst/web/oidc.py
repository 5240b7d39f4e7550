"""OpenID Connect sign-in: authorization code with PKCE against the configured identity provider."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Annotated, Any

import httpx2
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from joserfc.errors import JoseError
from sqlalchemy.orm import Session

from dst.audit.service import record_event, record_unidentified
from dst.auth import PERSON_ROLES, Principal, Role
from dst.config import Settings
from dst.web.deps import client_ip, current_principal, in_transaction, public_url
from dst.web.security import safe_next

log = logging.getLogger("dst.sign_in")
router = APIRouter(include_in_schema=False)

PROVIDER = "sso"
NEXT_KEY = "sign_in_next"


def build_client(settings: Settings) -> StarletteOAuth2App | None:
    """None when single sign-on is not configured; Authlib handles state, nonce, PKCE and the JWKS."""
    if not settings.oidc_issuer or not settings.oidc_client_id:
        return None
    oauth = OAuth()
    secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
    client: StarletteOAuth2App = oauth.register(
        PROVIDER,
        client_id=settings.oidc_client_id,
        client_secret=secret,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": settings.oidc_scope,
            "code_challenge_method": "S256",
            "timeout": settings.partner_timeout_s,
        },
    )
    return client


def _client(request: Request) -> StarletteOAuth2App | None:
    state = request.app.state
    if not hasattr(state, "oidc_client"):
        state.oidc_client = build_client(state.settings)
    client: StarletteOAuth2App | None = state.oidc_client
    return client


def role_from_claims(claims: Mapping[str, Any], settings: Settings) -> Role | None:
    """The first value of the role claim that maps to a DST person role; machine roles never come from SSO."""
    raw = claims.get(settings.oidc_role_claim)
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    mapping = settings.oidc_role_map or {r.value: r.value for r in PERSON_ROLES}
    for value in values:
        target = mapping.get(str(value))
        if target in {r.value for r in PERSON_ROLES}:
            return Role(target)
    return None


def identity_from_claims(claims: Mapping[str, Any], settings: Settings) -> tuple[str, str]:
    """The user id the audit trail shows (the configured claim, else `sub`) and a display name."""
    user_id = str(claims.get(settings.oidc_user_claim) or claims.get("sub") or "")
    return user_id[:80], str(claims.get("name") or user_id)[:120]


@router.get("/sign-in")
async def sign_in(request: Request, next: Annotated[str, Query(max_length=2048)] = "/") -> Response:
    target = safe_next(next)
    if current_principal(request) is not None:
        return RedirectResponse(target, status_code=303)  # a CTB launch never asks twice
    client = _client(request)
    settings: Settings = request.app.state.settings
    if client is None:
        if settings.is_dev:
            return RedirectResponse("/", status_code=303)  # the start page offers the demo users
        raise HTTPException(503, "Single sign-on is not configured (DST_OIDC_ISSUER, DST_OIDC_CLIENT_ID).")
    request.session[NEXT_KEY] = target
    redirect_uri = settings.oidc_redirect_uri or public_url(request, "oidc_callback")
    try:
        response: Response = await client.authorize_redirect(request, redirect_uri)
    except (httpx2.HTTPError, OAuthError, ValueError) as exc:
        log.warning("identity provider unreachable at sign-in: %s", type(exc).__name__)
        raise HTTPException(503, "The VA single sign-on service did not answer. Try again shortly.") from exc
    return response


@router.get("/auth/callback", name="oidc_callback")
async def callback(request: Request) -> Response:
    client = _client(request)
    if client is None:
        raise HTTPException(404, "Single sign-on is not configured.")
    settings: Settings = request.app.state.settings
    try:
        token = await client.authorize_access_token(request)
    except (OAuthError, JoseError, httpx2.HTTPError, ValueError) as exc:
        await _audit_refusal(request, type(exc).__name__)
        raise HTTPException(401, "Sign-in did not complete. Start again from the DST sign-in link.") from exc
    claims = token.get("userinfo")
    if not claims:
        await _audit_refusal(request, "no-id-token")
        raise HTTPException(401, "The identity provider did not send an ID token. Sign-in did not complete.")
    role = role_from_claims(claims, settings)
    user_id, name = identity_from_claims(claims, settings)
    if role is None or not user_id:
        await _audit_refusal(request, "no-dst-role", actor=user_id)
        raise HTTPException(403, "Your VA account has no DST role. Ask your DST administrator for access.")
    target = safe_next(str(request.session.get(NEXT_KEY) or "/"))
    request.session.clear()  # a fresh session on every sign-in: nothing from before carries over
    request.session["user"] = {"id": user_id, "name": name, "role": role.value}
    request.session["csrf"] = secrets.token_urlsafe(24)
    signed = Principal(user_id, name, role, client_ip(request))
    await in_transaction(request, lambda s: record_event(s, principal=signed, action="sign-in"))
    return RedirectResponse(target, status_code=303)


async def _audit_refusal(request: Request, reason: str, actor: str = "unknown") -> None:
    log.warning("sign-in refused: %s", reason)
    source = client_ip(request)

    def work(session: Session) -> None:
        record_unidentified(
            session,
            action="sign-in",
            source_ip=source,
            outcome="refused",
            actor=actor,
            detail={"reason": reason},
        )

    await in_transaction(request, work)
