"""Domain errors a person can act on; the web layer turns them into problem+json or a readable page."""

from __future__ import annotations


class DstProblem(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field

    def extra(self) -> dict[str, object]:
        """Further problem+json members a caller can act on; none by default."""
        return {}


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


class IdentityConflict(Conflict):
    """A reopen named another Veteran than the record's: refused, and the record stays as it was.

    `fields` names what differs (`icn`, `dfn`); the record's own values are kept for the audit trail
    only and never go back to the caller.
    """

    def __init__(
        self,
        detail: str,
        *,
        fields: list[str],
        dst_id: str,
        station: str,
        record_identity: dict[str, str | None],
        sent_identity: dict[str, str | None],
    ) -> None:
        super().__init__(detail, field=fields[0] if fields else None)
        self.fields = fields
        self.dst_id = dst_id
        self.station = station
        self.record_identity = record_identity
        self.sent_identity = sent_identity

    def extra(self) -> dict[str, object]:
        return {"fields": list(self.fields)}
