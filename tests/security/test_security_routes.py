"""Every route states who may use it: a role dependency, or a place on the public list with a reason.

A route added later without either fails `test_every_route_has_an_access_decision`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from dst.auth import CLINICAL_ROLES, PERSON_ROLES, Role
from dst.web import deps

from factories import consult, ordinary, veteran
from harness import SERVICE, sign_in

PEOPLE = frozenset(PERSON_ROLES)
ANY_PRINCIPAL = frozenset(Role)

# Routes anyone may call, each with the reason. Paths as declared (with {parameters}).
PUBLIC: dict[str, str] = {
    "/": "start page: explains DST and links to sign-in; shows no Veteran data",
    "/static": "CSS and JavaScript, no data",
    "/help": "Help: how to read DST (drive time, wait time, SEOC, best medical interest), no data",
    "/whats-new": "a dated note of the changes people will notice, no data",
    "/openapi.json": "the API description, no data",
    "/health/live": "liveness probe for the orchestrator",
    "/health/ready": "readiness probe: database reachable and schema current, no data",
    "/health/partners": "partner breaker states and call counts for operators, no data",
    "/metrics": "Prometheus scrape inside the cluster, no PHI in any label",
    "/vs/v2/consultFactor/{dst_id}": "VistA HWSC has no login; the unguessable DST ID is the capability",
    "/vs/v1/consultFactor/{dst_id}": "the same for sites on the first VistA context root",
    "/ctb/v1/requires-dst": "Consult Toolbox asks before sign-in; TRUE/FALSE about a service name",
    "/launch": "Consult Toolbox launch: without a session it redirects to sign-in, then checks the role; "
    "the GET only shows a confirmation, the POST (ClinicalUser, CSRF) opens the record",
    "/sign-in": "starts single sign-on",
    "/auth/callback": "completes single sign-on; state, nonce and the ID token are checked",
    "/sign-out": "ends the session; protected by the CSRF token",
    "/dev/sign-in": "demo sign-in, synthetic data only; 404 when DST_ENV=prod",
    "/api/v1/demo/patients": "demo Veterans list, synthetic data only; 404 when DST_ENV=prod",
    "/dsv/launch": "SMART EHR launch: only trusted `iss` values are contacted; opens no data by itself",
    "/dsv/callback": "SMART callback: state, PKCE and the ID token are checked before a viewer session",
}

# Development-only routes (404 when DST_ENV=prod): the embedded EHR and the CPRS simulator.
DEV_ONLY_PREFIXES = ("/dev/",)

# The Decision Support Viewer is authorized by its SMART viewer session, bound to one patient,
# not by a DST role: each of these handlers must call dsv.session.require_page, require_api or
# current (refusing when there is no viewer session).
VIEWER_PREFIXES = ("/dsv", "/ehrm-api/v1")

# Who each area is for; every route under a prefix must admit exactly these roles.
AREAS: dict[str, frozenset[Role]] = {
    "/api/v1/dst": CLINICAL_ROLES,
    "/dst/": CLINICAL_ROLES,
    "/audit": frozenset({Role.AUDITOR}),
    "/api/v1/audit": frozenset({Role.AUDITOR}),
    "/admin": frozenset({Role.ADMIN}),
    "/api/v1/admin": frozenset({Role.ADMIN, Role.ADMIN_API, Role.SERVICE}),  # automation: its own token
    "/reports": frozenset({Role.REPORTING, Role.ADMIN}),
    "/api/v1/reports": frozenset({Role.REPORTING, Role.ADMIN}),
}


def _calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def admitted_roles(dependant: Any) -> frozenset[Role] | None:
    """The roles a route's dependencies admit (the narrowest check wins); None without any check."""
    found: list[frozenset[Role]] = []
    for call in _calls(dependant):
        if call is deps.require_clinical:
            found.append(CLINICAL_ROLES)
        elif call is deps.require_principal:
            found.append(ANY_PRINCIPAL)
        elif getattr(call, "__qualname__", "") == "require_roles.<locals>.check":
            cells = [c.cell_contents for c in call.__closure__ or ()]
            found.extend(frozenset(c) for c in cells if isinstance(c, tuple))
    if not found:
        return None
    return frozenset.intersection(*found)


def routes(app: Any) -> list[tuple[str, str, frozenset[Role] | None]]:
    table = []
    for context in iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        methods = ",".join(sorted(context.methods or {"MOUNT"}))
        table.append((methods, context.path, admitted_roles(dependant) if dependant else None))
    return table


def guarded_by_viewer_session(app: Any, path: str) -> bool:
    import inspect

    for context in iter_route_contexts(app.routes):
        if context.path == path and getattr(context, "endpoint", None) is not None:
            source = inspect.getsource(context.endpoint)
            guards = ("require_page(", "require_api(", "viewer_session.current(")
            return any(guard in source for guard in guards)
    return False


def decided(app: Any, path: str, roles: frozenset[Role] | None) -> bool:
    if roles is not None or path in PUBLIC or path.startswith(DEV_ONLY_PREFIXES):
        return True
    return path.startswith(VIEWER_PREFIXES) and guarded_by_viewer_session(app, path)


def test_every_route_has_an_access_decision(app) -> None:
    undecided = [f"{methods} {path}" for methods, path, roles in routes(app) if not decided(app, path, roles)]
    assert undecided == [], (
        "These routes have no role dependency and are not on the public list: add ClinicalUser, "
        "AdminUser, ReportingUser, AuditorUser or require_roles(...), or add them to PUBLIC with a reason."
    )


def test_each_area_admits_exactly_its_roles(app) -> None:
    wrong = []
    for methods, path, roles in routes(app):
        for prefix, expected in AREAS.items():
            if path.startswith(prefix) and roles != expected:
                wrong.append(f"{methods} {path}: admits {sorted(roles or [])}, expected {sorted(expected)}")
    assert wrong == []


def test_the_known_routes_admit_the_roles_this_table_says(app) -> None:
    table = {(m, p): r for m, p, r in routes(app)}
    assert table[("GET", "/api/v1/dst/{dst_id}")] == CLINICAL_ROLES
    assert table[("POST", "/launch")] == CLINICAL_ROLES
    assert table[("PUT", "/api/v1/dst/{dst_id}/decision")] == CLINICAL_ROLES
    assert table[("POST", "/dst/{dst_id}/decision")] == CLINICAL_ROLES
    assert table[("GET", "/audit")] == {Role.AUDITOR}
    assert table[("GET", "/api/v1/clinical-services")] == ANY_PRINCIPAL
    assert table[("GET", "/vs/v2/consultFactor/{dst_id}")] is None
    stale = set(PUBLIC) - {p for _, p, _ in routes(app)}
    assert stale == set(), "public entries for routes that no longer exist"


@pytest.fixture
def record(client) -> str:
    created = client.post("/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE)
    assert created.status_code == 201
    return str(created.json()["dstId"])


@pytest.mark.parametrize("role", ["reporting", "admin", "auditor"])
def test_roles_outside_clinical_care_cannot_read_a_veterans_record(client, record, role) -> None:
    sign_in(client, role)
    for path in (
        f"/api/v1/dst/{record}",
        f"/api/v1/dst/{record}/patient",
        f"/api/v1/dst/{record}/eligibility",
    ):
        assert client.get(path).status_code == 403, path
    page = client.get(f"/dst/{record}")
    assert page.status_code == 403
    assert "cannot open" in page.text
    assert client.post("/api/v1/dst", json=consult(veteran(ordinary))).status_code == 403


@pytest.mark.parametrize("role", ["provider", "scheduler", "reporting", "admin"])
def test_only_auditors_reach_the_audit_trail(client, role) -> None:
    sign_in(client, role)
    assert client.get("/audit").status_code == 403
    assert client.get("/api/v1/audit").status_code == 403
    assert client.get("/api/v1/audit", headers=SERVICE).status_code == 403


def test_admin_pages_refuse_providers(client, app) -> None:
    admin_paths = [p for _, p, _ in routes(app) if p.startswith(("/admin", "/api/v1/admin")) and "{" not in p]
    sign_in(client, "provider")
    for path in admin_paths:
        assert client.get(path).status_code in (403, 405), path
    # However many admin pages exist, the role check they use refuses a provider.
    import asyncio

    from fastapi import HTTPException

    from dst.auth import Principal

    check = deps.require_roles(Role.ADMIN)
    with pytest.raises(HTTPException) as refused:
        asyncio.run(check(Principal("p", "P", Role.PROVIDER)))
    assert refused.value.status_code == 403


def test_a_route_added_without_a_decision_is_caught(app) -> None:
    @app.get("/reports/unguarded")
    async def unguarded() -> dict[str, str]:
        return {}

    assert ("GET", "/reports/unguarded", None) in routes(app)
    with pytest.raises(AssertionError, match="no role dependency"):
        test_every_route_has_an_access_decision(app)
