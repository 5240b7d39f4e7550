"""Request dependencies: settings, database work off the event loop, and who is calling."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from dst.auth import CLIENT_TOKENS, CLINICAL_ROLES, DEMO_USERS, REQUIRED_STATE, Principal, Role, token_matches
from dst.config import Settings
from dst.consults.panels import Panels
from dst.consults.runtime import Runtime
from dst.db.threads import in_transaction as run_in_transaction
from dst.web.problems import BEARER_HINT

T = TypeVar("T")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_sessions(request: Request) -> sessionmaker[Session]:
    sessions: sessionmaker[Session] = request.app.state.sessions
    return sessions


def get_panels(request: Request) -> Panels:
    panels: Panels = request.app.state.panels
    return panels


async def in_transaction(request: Request, work: Callable[[Session], T], *, read_only: bool = False) -> T:
    """Run `work` in one database transaction on a worker thread, so the event loop never blocks."""
    return await run_in_transaction(get_sessions(request), work, read_only=read_only)


def public_url(request: Request, route_name: str) -> str:
    """An absolute URL of one of DST's routes: from DST_PUBLIC_BASE_URL when set (always in
    production), so a forged Host header cannot choose where the identity provider sends the user."""
    base = get_settings(request).public_base_url
    if base:
        return base + str(request.app.url_path_for(route_name))
    return str(request.url_for(route_name))


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def machine_principal(settings: Settings, presented: str, source_ip: str | None) -> Principal | None:
    """The machine client whose token this is: each client's own token and role, or DST_SERVICE_TOKEN
    (the service role, as before) unless production retired it. Every token is compared."""
    found: Principal | None = None
    if not settings.service_token_retired and token_matches(
        presented, settings.service_token.get_secret_value()
    ):
        found = Principal("service", "DST service client", Role.SERVICE, source_ip)
    for name, (role, user_id) in CLIENT_TOKENS.items():
        secret = getattr(settings, name)
        if secret is not None and token_matches(presented, secret.get_secret_value()) and found is None:
            found = Principal(user_id, f"DST {user_id} client", role, source_ip)
    return found


def current_principal(request: Request) -> Principal | None:
    """A machine client's bearer token, or the signed-in person's session."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        principal = machine_principal(get_settings(request), header[7:].strip(), client_ip(request))
        if principal is not None:
            return principal
        raise HTTPException(401, "The bearer token is not valid.", headers={"WWW-Authenticate": "Bearer"})
    user = request.session.get("user") if "session" in request.scope else None
    if not user:
        return None
    return Principal(user["id"], user["name"], Role(user["role"]), client_ip(request))


# The dependencies below are `async def` although they do not wait: FastAPI runs a plain `def`
# dependency on a worker thread, a thread hand-off per dependency per request.


async def require_principal(request: Request) -> Principal:
    admitted = (request.scope.get("state") or {}).get(REQUIRED_STATE)
    if isinstance(admitted, Principal):  # authenticated a moment ago by the authenticate-first gate
        return admitted
    principal = current_principal(request)
    if principal is None:
        raise HTTPException(
            401,
            BEARER_HINT,
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def check_clinical(principal: Principal) -> Principal:
    if principal.role not in CLINICAL_ROLES:
        raise HTTPException(403, f"The {principal.role.value} role cannot open Veterans' DST records.")
    return principal


async def require_clinical(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
    return check_clinical(principal)


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting only the given roles; every route states who may use it."""

    async def check(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
        if principal.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise HTTPException(
                403, f"This page is for the {allowed} role; you are signed in as {principal.role.value}."
            )
        return principal

    return check


ClinicalUser = Annotated[Principal, Depends(require_clinical)]
AdminUser = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
ReportingUser = Annotated[Principal, Depends(require_roles(Role.REPORTING, Role.ADMIN))]
AuditorUser = Annotated[Principal, Depends(require_roles(Role.AUDITOR))]
AnyUser = Annotated[Principal, Depends(require_principal)]


async def _settings(request: Request) -> Settings:
    return get_settings(request)


async def _panels(request: Request) -> Panels:
    return get_panels(request)


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _runtime(request: Request) -> Runtime:
    return get_runtime(request)


SettingsDep = Annotated[Settings, Depends(_settings)]
PanelsDep = Annotated[Panels, Depends(_panels)]
# What the workflows (dst.consults.workflow, dst.dsv.service) need from the running app.
RuntimeDep = Annotated[Runtime, Depends(_runtime)]


def sign_in(request: Request, role: Role) -> None:
    user_id, name = DEMO_USERS[role]
    request.session.clear()
    request.session["user"] = {"id": user_id, "name": name, "role": role.value}
    request.session["csrf"] = secrets.token_urlsafe(24)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, presented: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not presented or not token_matches(presented, str(expected)):
        raise HTTPException(
            403, "This form has expired or did not come from DST. Reload the page and try again."
        )
