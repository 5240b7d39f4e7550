"""The OpenAPI document states every error answer: problem+json for the JSON API, text for VistA and CTB."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from dst.web import routes
from dst.web.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; `detail` says what to do about it.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "fields": {
            "type": "array",
            "items": {"type": "string"},
            "description": "On an identity conflict (409): the identifiers that differ, e.g. `icn`",
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
ERRORS = {
    "400": "The request is malformed (for example a missing Idempotency-Key)",
    "401": "Sign in, or send Authorization: Bearer <service token>",
    "403": "The caller's role may not do this, or a browser write lacks its CSRF token",
    "404": "No such DST record (it may have been purged after 30 days)",
    "409": "The record changed since the caller read it",
    "413": "The request body is over the size limit",
    "422": "Invalid input; `errors` names each field",
    "429": "Too many requests from this address; see Retry-After",
}
MARK = "x-dst-errors-documented"


def _error_content(path: str) -> dict[str, Any]:
    """The same three shapes as the error handlers: text for VistA and CTB, problem+json, or a page."""
    if path.startswith(routes.PLAIN):
        return {"text/plain": {"schema": {"type": "string"}}}
    if path.startswith(routes.JSON):
        return {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return HTML


HTML: dict[str, Any] = {"text/html": {"schema": {"type": "string"}}}


def document_errors(schema: dict[str, Any]) -> None:
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, operations in schema.get("paths", {}).items():
        content = _error_content(path)
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if content is HTML:  # a page route in the document (the CTB launch): pages and redirects
                responses["200"] = {"description": "A page for people", "content": HTML}
                responses["303"] = {"description": "Redirect to sign-in, or to the record once confirmed"}
            for status, description in ERRORS.items():
                # A route that says what one of its errors means (FastAPI `responses=`) keeps its words.
                stated = responses.get(status, {}).get("description")
                responses[status] = {"description": stated or description, "content": content}


def install(app: FastAPI) -> None:
    """Wrap FastAPI's generator; it rebuilds the document when routes change, and so do we."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        if not schema.get(MARK):
            document_errors(schema)
            schema[MARK] = True
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
