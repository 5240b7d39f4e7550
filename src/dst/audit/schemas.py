"""API shapes for the audit search (camelCase, as the rest of `/api/v1`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class AuditEventOut(_Camel):
    id: int
    at: datetime
    actor: str
    role: str
    action: str
    dst_id: str | None
    icn: str | None
    station: str | None
    source_ip: str | None
    outcome: str
    detail: dict[str, Any]


class AuditPage(_Camel):
    items: list[AuditEventOut]
    page: int
    page_size: int
    total: int
