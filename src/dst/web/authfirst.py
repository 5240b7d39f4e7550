"""Authentication before validation, on every route that needs a caller.

FastAPI reads and parses a request's body before it runs a route's dependencies, and checks path
and query values before a handler runs, so an anonymous or forged caller would learn from a 422
what a request must look like. This middleware looks up the route a request is for and, before any
of that, runs the route's own authentication dependencies: who is calling (`require_principal`, and
the role checks built on it) or the viewer session (`api_viewer`, `page_viewer`). A refusal here is
the same 401 or 403 the dependency would have raised later; a caller who passes meets the route's
validation as before.

Which routes need a caller is read from their declared dependencies, so a new route is covered the
moment it states who may use it (tests/security/test_security_auth_first.py walks them all).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from dst.auth import CALLER_STATE, REQUIRED_STATE, Principal
from dst.dsv import session as viewer_session
from dst.web import deps, routes
from dst.web.guards import refusal

TITLES = {401: "Sign-in required", 403: "Forbidden"}
# Dependencies that decide from the request alone whether there is a caller at all.
AUTHENTICATORS: tuple[Callable[..., Any], ...] = (
    deps.require_principal,
    viewer_session.api_viewer,
    viewer_session.page_viewer,
)
Renderer = Callable[[Request, Exception], Response]


@dataclass(frozen=True)
class _Gate:
    path: str
    regex: re.Pattern[str]
    methods: frozenset[str]
    authenticators: tuple[Callable[..., Any], ...]
    role_checks: tuple[tuple[Callable[..., Any], str], ...]  # (check, name of its principal parameter)

    async def check(self, request: Request) -> Principal | None:
        """Refuses, or answers who the caller is (for the audit of what the route goes on to refuse)."""
        principal = None
        for authenticate in self.authenticators:
            found = await _call(authenticate, request)
            if authenticate is deps.require_principal:
                principal = found
                request.scope.setdefault("state", {})[REQUIRED_STATE] = found
            elif principal is None and isinstance(found, viewer_session.Viewer):
                principal = found.principal(deps.client_ip(request))
        for role_check, parameter in self.role_checks:
            await _call(role_check, **{parameter: principal})
        return principal


async def _call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    result = function(*args, **kwargs)
    return await result if inspect.isawaitable(result) else result


def _walk(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub
        yield from _walk(sub)


def _is_role_check(sub: Any) -> bool:
    """A dependency whose only input is the principal: it admits or refuses by role, nothing else."""
    own_params = (sub.path_params, sub.query_params, sub.header_params, sub.cookie_params, sub.body_params)
    return (
        len(sub.dependencies) == 1
        and sub.dependencies[0].call is deps.require_principal
        and not any(own_params)
        and sub.request_param_name is None
    )


def _gate_for(path: str, methods: frozenset[str], dependant: Any) -> _Gate | None:
    subs = list(_walk(dependant))
    authenticators: list[Callable[..., Any]] = []
    for sub in subs:
        if sub.call in AUTHENTICATORS and sub.call not in authenticators:
            authenticators.append(sub.call)
    if not authenticators:
        return None
    role_checks = tuple(
        (sub.call, sub.dependencies[0].name)
        for sub in subs
        if sub.call is not None and _is_role_check(sub) and deps.require_principal in authenticators
    )
    regex, _, _ = compile_path(path)
    return _Gate(path, regex, methods, tuple(authenticators), role_checks)


def _first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


class _Table:
    """Gates by the path's first segment, so a request is matched against a handful of routes."""

    def __init__(self, app: FastAPI) -> None:
        self.by_segment: dict[str, list[_Gate]] = {}
        self.anywhere: list[_Gate] = []
        for context in iter_route_contexts(app.routes):
            dependant = getattr(context, "dependant", None)
            if dependant is None:
                continue
            path = str(context.path)
            gate = _gate_for(path, frozenset(context.methods or ()), dependant)
            if gate is None:
                continue
            segment = _first_segment(path)
            if "{" in segment:
                self.anywhere.append(gate)
            else:
                self.by_segment.setdefault(segment, []).append(gate)

    def find(self, method: str, path: str) -> tuple[_Gate, dict[str, str]] | None:
        for gate in (*self.by_segment.get(_first_segment(path), ()), *self.anywhere):
            match = gate.regex.match(path)
            if match and (not gate.methods or method in gate.methods):
                return gate, match.groupdict()
        return None


class AuthenticateFirstMiddleware:
    """Pure ASGI; inside the session middleware (it reads the session) and the denied-access audit."""

    def __init__(self, app: ASGIApp, renderers: Mapping[type[Exception], Renderer] | None = None) -> None:
        self.app = app
        self.renderers = dict(renderers or {})
        self._table: _Table | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(routes.DEV) and not _is_dev(scope):
            # Development-only routes are not there in production: their own 404 answers, not a 401.
            await self.app(scope, receive, send)
            return
        if self._table is None:
            self._table = _Table(scope["app"])
        found = self._table.find(scope["method"], scope["path"])
        if found is None:
            await self.app(scope, receive, send)
            return
        gate, path_params = found
        request = Request(scope)
        try:
            caller = await gate.check(request)
        except HTTPException as refused:
            # As the router would have set them: the audit of refused access reads the DST ID.
            scope["path_params"] = path_params
            scope.setdefault("route", _RouteName(gate.path))
            title = TITLES.get(refused.status_code, "Error")
            headers = dict(refused.headers or {})
            response = refusal(scope, refused.status_code, title, str(refused.detail), headers)
            await response(scope, receive, send)
            return
        except Exception as problem:
            render = next((r for kind, r in self.renderers.items() if isinstance(problem, kind)), None)
            if render is None:
                raise
            scope["path_params"] = path_params
            await render(request, problem)(scope, receive, send)
            return
        if caller is not None:
            scope.setdefault("state", {})[CALLER_STATE] = caller
        await self.app(scope, receive, send)


def _is_dev(scope: Scope) -> bool:
    settings = getattr(getattr(scope.get("app"), "state", None), "settings", None)
    return bool(getattr(settings, "is_dev", False))


@dataclass(frozen=True)
class _RouteName:
    """What the audit reads of a route (`.path`) when the request never reached the router."""

    path: str
