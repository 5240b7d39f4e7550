"""The steps shared by the JSON API and the pages: open a record, read its panels, save a decision."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import Principal
from dst.consults import serializers, service
from dst.consults.context import Entries, RecordContext, read_context, read_context_audited
from dst.consults.evidence import Assessment, assess
from dst.consults.models import DstRecord, IdempotencyKey
from dst.consults.panels import FacilitiesPanel, Panels, PatientPanel
from dst.consults.runtime import Runtime
from dst.consults.schemas import ConsultContext, DecisionIn
from dst.db.base import utcnow
from dst.errors import IdentityConflict, Invalid
from dst.operations import enablement
from dst.reference import service as reference
from dst.reports.facts import write_decision_fact


def _turned_on(session: Session, station: str) -> bool:
    return enablement.is_enabled(session, station=station, at=utcnow())


async def open_record(
    runtime: Runtime, ctx: ConsultContext, principal: Principal, via: str
) -> tuple[str, bool]:
    dst_id, created, _ = await _open(runtime, ctx, principal, via, None)
    return dst_id, created


async def open_record_json(
    runtime: Runtime, ctx: ConsultContext, principal: Principal, via: str
) -> tuple[dict[str, Any], bool]:
    """Open or reopen the record and read it back in the same transaction (both audited)."""

    def read(session: Session, record: DstRecord) -> dict[str, Any]:
        record_event(
            session,
            principal=principal,
            action="read-record",
            dst_id=record.dst_id,
            icn=record.icn,
            station=record.station,
        )
        return serializers.record_json(record)

    _, created, body = await _open(runtime, ctx, principal, via, read)
    assert body is not None
    return body, created


async def _open(
    runtime: Runtime,
    ctx: ConsultContext,
    principal: Principal,
    via: str,
    read: Callable[[Session, DstRecord], dict[str, Any]] | None,
) -> tuple[str, bool, dict[str, Any] | None]:
    def work(session: Session) -> tuple[RecordContext, bool, dict[str, Any] | None]:
        record, created, filled = service.open_record(
            session, ctx, principal, runtime.today(), turned_on=_turned_on, snapshots=runtime.snapshots
        )
        session.flush()
        detail: dict[str, Any] = {"via": via}
        if filled:
            detail["filledIdentifiers"] = filled
        record_event(
            session,
            principal=principal,
            action="create-record" if created else "reopen-record",
            dst_id=record.dst_id,
            icn=record.icn,
            station=record.station,
            detail=detail,
        )
        opened = RecordContext.of(record, designations=False)  # for the partner calls only
        shared = runtime.panels.shared
        if shared is not None:
            if not created:
                # Reopens of one record take turns (a row lock, PostgreSQL): two transactions deleting
                # and claiming the same partner-call rows in different orders deadlock.
                service.lock_record(session, record.dst_id)
                shared.forget(session, record.dst_id)  # a reopened record asks its partners again
            shared.claim_ahead(session, record.dst_id, Panels.call_keys(opened))
        return opened, created, read(session, record) if read else None

    try:
        opened, created, body = await runtime.transaction(work)
    except service.UnmappedService:
        await runtime.transaction(
            lambda s: reference.note_unmapped(s, station=ctx.station, name=ctx.consult_service)
        )
        raise
    except IdentityConflict as refused:
        audit = partial(audit_identity_conflict, conflict=refused, principal=principal, via=via)
        await runtime.transaction(audit)
        raise
    panels = runtime.panels
    if not created:
        panels.cache.forget(opened.dst_id)  # a reopened record re-queries partners live
    panels.prefetch(opened)  # the page's panels will ask; their partner calls start now
    return opened.dst_id, created, body


def audit_identity_conflict(
    session: Session, *, conflict: IdentityConflict, principal: Principal, via: str
) -> None:
    """The refused reopen, in its own transaction: who the record is about and who the caller named."""
    record_event(
        session,
        principal=principal,
        action="reopen-refused",
        dst_id=conflict.dst_id,
        icn=conflict.record_identity.get("icn"),
        station=conflict.station,
        outcome="conflict",
        detail={
            "via": via,
            "mismatched": list(conflict.fields),
            "record": dict(conflict.record_identity),
            "sent": dict(conflict.sent_identity),
        },
    )


async def load_context(
    runtime: Runtime, dst_id: str, principal: Principal, action: str, *, designations: bool = True
) -> RecordContext:
    """The record's context, read with its audit row in one shared transaction (group commit, see
    dst.audit.batch): the row is committed before this returns, so before any answer is worked out.

    Reads that apply no eligibility rule pass `designations=False` to skip one query."""
    snapshots = runtime.snapshots
    audit = runtime.audit
    if audit.commits.postgres:  # the read and its row in one statement: alone, one round trip
        ctx = await audit.read_with_row(
            lambda s, row: read_context_audited(s, dst_id, snapshots, row, designations=designations),
            principal=principal,
            action=action,
        )
    else:
        ctx = await audit.read(
            lambda s: read_context(s, dst_id, snapshots, designations=designations),
            lambda found: (found.dst_id, found.icn, found.station),
            principal=principal,
            action=action,
        )
    if ctx is None:
        raise service.not_found(dst_id)
    return ctx


async def gather_for_eligibility(
    runtime: Runtime, ctx: RecordContext
) -> tuple[PatientPanel, FacilitiesPanel]:
    panels = runtime.panels
    patient = await panels.patient(ctx)
    facilities = await panels.facilities(ctx)
    return patient, facilities


async def assess_record(runtime: Runtime, ctx: RecordContext, entries: Entries | None = None) -> Assessment:
    patient, facilities = await gather_for_eligibility(runtime, ctx)
    return assess(ctx, patient, facilities, entries=entries or ctx.entries, as_of=runtime.today())


@dataclass(frozen=True)
class SaveOutcome:
    status: int
    body: dict[str, Any]
    replayed: bool = False


def fingerprint(body: DecisionIn, expected_version: int | None) -> str:
    canonical = json.dumps([body.model_dump(mode="json"), expected_version], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored(session: Session, scope: str, key: str, digest: str) -> SaveOutcome | None:
    stored = session.get(IdempotencyKey, (scope, key))
    if stored is None:
        return None
    if stored.request_hash != digest:
        raise Invalid(
            "This Idempotency-Key was already used with a different request body. Use a new key for a "
            "new decision.",
            field="Idempotency-Key",
        )
    return SaveOutcome(stored.status_code, json.loads(stored.response_body), replayed=True)


async def save_decision(
    runtime: Runtime,
    dst_id: str,
    body: DecisionIn,
    principal: Principal,
    *,
    key: str,
    expected_version: int | None,
) -> SaveOutcome:
    scope = f"{principal.user_id}:{dst_id}"
    digest = fingerprint(body, expected_version)
    replay = await runtime.transaction(lambda s: _stored(s, scope, key, digest))
    if replay is not None:
        return replay
    ctx = await load_context(runtime, dst_id, principal, "read-record")
    if body.clinical_service:
        ctx = await _with_clinical_service(runtime, ctx, body.clinical_service, expected_version, principal)
        expected_version = ctx.version
    entries = Entries(
        body.next_available_date,
        body.veteran_agreed_later_date,
        body.bmi.factor if body.bmi else None,
        body.bmi.explanation if body.bmi else None,
    )
    assessment = await assess_record(runtime, ctx, entries)

    def work(session: Session) -> SaveOutcome:
        earlier = _stored(session, scope, key, digest)
        if earlier is not None:
            return earlier
        record = service.get_record(session, dst_id)
        decision = service.save_decision(
            session,
            record,
            body,
            principal,
            assessment,
            today=runtime.today(),
            expected_version=expected_version,
        )
        write_decision_fact(session, record, decision, assessment.result)
        out = serializers.decision_json(record, decision, assessment.result.warnings)
        session.add(
            IdempotencyKey(
                scope=scope, key=key, request_hash=digest, status_code=200, response_body=json.dumps(out)
            )
        )
        record_event(
            session,
            principal=principal,
            action="save-decision",
            dst_id=dst_id,
            icn=record.icn,
            station=record.station,
            detail={"revision": decision.revision},
        )
        return SaveOutcome(200, out)

    try:
        return await runtime.transaction(work)
    except IntegrityError:
        # The same key raced in from a retry: the winner's answer is the answer.
        replay = await runtime.transaction(lambda s: _stored(s, scope, key, digest))
        if replay is None:
            raise
        return replay


async def _with_clinical_service(
    runtime: Runtime, ctx: RecordContext, name: str, expected_version: int | None, principal: Principal
) -> RecordContext:
    if ctx.service is not None and ctx.service.name == " ".join(name.upper().split()):
        return ctx

    def work(session: Session) -> RecordContext:
        record = service.get_record(session, ctx.dst_id)
        service.set_clinical_service(session, record, name, expected_version)
        record_event(
            session,
            principal=principal,
            action="set-clinical-service",
            dst_id=ctx.dst_id,
            icn=record.icn,
            station=record.station,
        )
        return RecordContext.of(record)

    updated = await runtime.transaction(work)
    return replace(updated)
