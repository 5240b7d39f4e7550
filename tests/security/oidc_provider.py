"""A small OpenID Connect provider for tests: discovery, JWKS, authorize (auto-approves) and token.

It checks what a real provider checks (client secret, redirect URI, PKCE S256, one-time codes) and
signs RS256 ID tokens with joserfc. `tamper` lets a test make the next ID token wrong in one way.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Header, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "dst-test-client"
CLIENT_SECRET = "dst-test-client-secret"


@dataclass
class ProviderState:
    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "good"}))
    user: dict[str, Any] = field(default_factory=dict)
    tamper: dict[str, Any] = field(default_factory=dict)  # claim overrides for the next ID token
    sign_with: RSAKey | None = None  # sign the next ID token with another key (a forgery)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: int = 0


def create_provider(state: ProviderState) -> FastAPI:
    app = FastAPI()

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        return {
            "issuer": state.issuer,
            "authorization_endpoint": f"{state.issuer}/authorize",
            "token_endpoint": f"{state.issuer}/token",
            "jwks_uri": f"{state.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    @app.get("/jwks")
    async def jwks() -> dict[str, Any]:
        return {"keys": [state.key.as_dict(private=False)]}

    @app.get("/authorize")
    async def authorize(request: Request) -> RedirectResponse:
        q = request.query_params
        if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code":
            raise HTTPException(400, "bad client or response type")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            raise HTTPException(400, "PKCE S256 required")
        code = secrets.token_urlsafe(16)
        state.codes[code] = {
            "redirect_uri": q["redirect_uri"],
            "challenge": q["code_challenge"],
            "nonce": q.get("nonce"),
            "user": dict(state.user),
        }
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}")

    @app.post("/token")
    async def token(
        grant_type: str = Form(),
        code: str = Form(),
        redirect_uri: str = Form(),
        code_verifier: str = Form(),
        authorization: str = Header(),
    ) -> JSONResponse:
        state.token_requests += 1
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != expected:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = state.codes.pop(code, None)  # one use only
        if grant_type != "authorization_code" or grant is None or grant["redirect_uri"] != redirect_uri:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        digest = hashlib.sha256(code_verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        now = int(time.time())
        claims = {
            "iss": state.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **grant["user"],
            **state.tamper,
        }
        key = state.sign_with or state.key
        id_token = jwt.encode({"alg": "RS256", "kid": "good"}, claims, key)
        return JSONResponse(
            {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "id_token": id_token}
        )

    return app
