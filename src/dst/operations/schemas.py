"""JSON bodies of the console's API (camelCase), and the JSON shape of each operations row."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from dst.operations.enablement import Standing
from dst.operations.models import (
    EnablementRule,
    MaintenanceWindow,
    MappingOverride,
    PartnerOutage,
    ServiceDesignation,
)
from dst.operations.notices import Notice


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class EnablementIn(CamelModel):
    scope: Literal["national", "visn", "station"]
    key: str = Field(default="", max_length=3, description="Station number or VISN; empty for national")
    enabled: bool
    effective_from: AwareDatetime | None = Field(default=None, description="Default: now")
    note: str = Field(default="", max_length=200)


class WindowIn(CamelModel):
    target: str = Field(description="A partner (mvi, ee, facilities, ppms, seoc, routing, cdw) or dst")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    message: str = Field(min_length=1, max_length=300)


class CheckIn(CamelModel):
    partner: str
    ok: bool
    detail: str = Field(default="", max_length=400)
    check: str = Field(default="steel-thread", max_length=80)


class OverrideIn(CamelModel):
    station: str = Field(pattern=r"^[0-9]{3}$")
    consult_service: str = Field(min_length=1, max_length=80)
    clinical_service: str = Field(min_length=1, max_length=80)


class DesignationIn(CamelModel):
    station: str = Field(pattern=r"^\d{3}$")
    clinical_service: str = Field(min_length=1, max_length=80)
    kind: Literal["service-not-offered", "quality-standards-not-met"] = Field(
        description="service-not-offered: 38 CFR 17.4010(a)(1); quality-standards-not-met: 17.4010(a)(6)"
    )
    effective_from: date = Field(description="First day in force")
    effective_to: date | None = Field(default=None, description="Last day in force; empty until ended")
    reason: str = Field(min_length=1, max_length=300, description="Why, and the designating source")


def designation_json(row: ServiceDesignation) -> dict[str, Any]:
    return {
        "id": row.id,
        "station": row.station,
        "clinicalService": row.clinical_service_name,
        "kind": row.kind,
        "effectiveFrom": row.effective_from.isoformat(),
        "effectiveTo": row.effective_to.isoformat() if row.effective_to else None,
        "reason": row.reason,
        "setBy": row.set_by,
        "setAt": row.set_at.isoformat(),
        "endedBy": row.ended_by,
        "endedAt": row.ended_at.isoformat() if row.ended_at else None,
    }


def rule_json(rule: EnablementRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "scope": rule.scope,
        "key": rule.scope_key,
        "enabled": rule.enabled,
        "effectiveFrom": rule.effective_from.isoformat(),
        "note": rule.note,
        "createdBy": rule.created_by,
        "createdAt": rule.created_at.isoformat(),
    }


def standing_json(standing: Standing) -> dict[str, Any]:
    return {
        "station": standing.station,
        "enabled": standing.enabled,
        "because": standing.because,
        "rule": rule_json(standing.rule) if standing.rule else None,
    }


def window_json(window: MaintenanceWindow) -> dict[str, Any]:
    return {
        "id": window.id,
        "target": window.target,
        "startsAt": window.starts_at.isoformat(),
        "endsAt": window.ends_at.isoformat(),
        "message": window.message,
        "createdBy": window.created_by,
        "cancelledAt": window.cancelled_at.isoformat() if window.cancelled_at else None,
        "cancelledBy": window.cancelled_by,
    }


def outage_json(outage: PartnerOutage) -> dict[str, Any]:
    return {
        "id": outage.id,
        "partner": outage.partner,
        "source": outage.source,
        "reporter": outage.reporter,
        "cause": outage.cause,
        "startedAt": outage.started_at.isoformat(),
        "endedAt": outage.ended_at.isoformat() if outage.ended_at else None,
        "endReason": outage.end_reason,
    }


def override_json(override: MappingOverride) -> dict[str, Any]:
    return {
        "id": override.id,
        "station": override.station,
        "consultService": override.consult_service,
        "clinicalService": override.clinical_service_name,
        "setBy": override.set_by,
        "setAt": override.set_at.isoformat(),
        "removedBy": override.removed_by,
        "removedAt": override.removed_at.isoformat() if override.removed_at else None,
    }


def notice_json(notice: Notice) -> dict[str, str]:
    return {"kind": notice.kind, "target": notice.target, "title": notice.title, "text": notice.text}
