"""Domain errors a person can act on; the web layer turns them into problem+json or a readable page."""

from __future__ import annotations


class DstProblem(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DstProblem):
    status = 404
    title = "Not found"


class Invalid(DstProblem):
    status = 422
    title = "Invalid input"


class Conflict(DstProblem):
    status = 409
    title = "Conflict"


class Forbidden(DstProblem):
    status = 403
    title = "Forbidden"
