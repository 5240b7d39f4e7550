"""Authentication comes before validation: a stranger learns nothing about a request's shape.

Every operation of the OpenAPI document and every page route is called anonymously, with a forged
bearer token and with a forged session cookie, each time with a path value that is not an
identifier, no query parameters and a body that is not JSON. Whatever is not public must answer 401
or 403 (problem+json on the JSON APIs), never 422 or 404. A route added later is walked too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from test_security_routes import PUBLIC, admitted_roles

from dst.web import routes

FORGED: dict[str, dict[str, str]] = {
    "anonymous": {},
    "forged-token": {"Authorization": "Bearer not-the-service-token"},
    "forged-cookie": {"Cookie": "dst_session=eyJ1c2VyIjp7InJvbGUiOiJhZG1pbiJ9fQ==.forged.signature"},
}
HOSTILE_PATH_VALUE = "not%20an%20id%7B%7D"
NOT_JSON = b'{"unterminated'
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", HOSTILE_PATH_VALUE, path)


def _is_public(path: str, dependant: Any) -> bool:
    # Development-only routes without a role (the embedded EHR, demo sign-in) are public in dev mode
    # and answer 404 when DST_ENV=prod.
    return path in PUBLIC or (path.startswith("/dev/") and admitted_roles(dependant) is None)


def protected_operations(app: Any, client: Any) -> list[tuple[str, str]]:
    """(method, path) of every OpenAPI operation, then every route kept out of the document."""
    dependants = {c.path: getattr(c, "dependant", None) for c in iter_route_contexts(app.routes)}
    documented = client.get("/openapi.json").json()["paths"]
    operations = [(m.upper(), p) for p, ops in documented.items() for m in ops]
    for context in iter_route_contexts(app.routes):
        for method in sorted(context.methods or ()):
            if method != "HEAD" and (method, context.path) not in operations:
                operations.append((method, context.path))
    assert ("POST", "/ehrm-api/v1/getFacilities") in operations
    assert ("GET", "/dsv/sections/{section}") in operations
    return [(m, p) for m, p in operations if p in dependants and not _is_public(p, dependants[p])]


@pytest.mark.parametrize("caller", FORGED)
def test_no_route_validates_before_it_authenticates(app, client, caller: str) -> None:
    wrong = []
    for method, path in protected_operations(app, client):
        headers = {**FORGED[caller], "Content-Type": "application/json"}
        body = NOT_JSON if method in BODY_METHODS else None
        client.cookies.clear()
        answer = client.request(
            method, _concrete(path), headers=headers, content=body, follow_redirects=False
        )
        expected_type = "application/problem+json" if path.startswith(routes.JSON) else "text/html"
        if answer.status_code not in (401, 403) or not answer.headers.get("content-type", "").startswith(
            expected_type
        ):
            wrong.append(f"{method} {path}: {answer.status_code} {answer.headers.get('content-type')}")
        elif "Field required" in answer.text or "JSON decode" in answer.text:
            wrong.append(f"{method} {path}: the refusal describes the request's shape")
    assert wrong == []


def test_the_viewer_api_refuses_before_it_reads_the_body(client) -> None:
    # The examples the hardening review found: an empty body, and a path value that is not an ICN.
    for method, path in (
        ("POST", "/ehrm-api/v1/patientQueryByEDIPI"),
        ("POST", "/ehrm-api/v1/getFacilities"),
        ("GET", "/ehrm-api/v1/patients/not-an-icn/eligibility"),
        ("GET", "/ehrm-api/v1/patients/not-an-icn/eligibility/fhir"),
    ):
        answer = client.request(method, path, content=b"", headers={"Content-Type": "application/json"})
        assert answer.status_code == 401, (path, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["title"] == "Sign-in required"


def test_a_signed_in_caller_still_meets_validation(client) -> None:
    from harness import SERVICE

    answer = client.post(
        "/api/v1/dst", content=NOT_JSON, headers={**SERVICE, "Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_a_role_that_may_not_use_a_route_is_refused_before_validation(client) -> None:
    from harness import csrf_header, sign_in

    sign_in(client, "provider")
    answer = client.post(
        "/api/v1/admin/enablement",
        content=NOT_JSON,
        headers={**csrf_header(client), "Content-Type": "application/json"},
    )
    assert answer.status_code == 403, answer.text
    assert "admin" in answer.json()["detail"]
