"""JSON API for DST records (`/api/v1`), used by Consult Toolbox, scripts and the pages' panels."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.consults import serializers, service, workflow
from dst.consults.schemas import ConsultContext, DecisionIn
from dst.errors import DstProblem, Invalid
from dst.reference import service as reference
from dst.web.deps import AnyUser, ClinicalUser, RuntimeDep, in_transaction

router = APIRouter(prefix="/api/v1", tags=["DST records"])

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{8,255}$")
ETAG = re.compile(r'^(?:W/)?"?([0-9]+)"?\Z')


class MissingKey(DstProblem):
    status = 400
    title = "Idempotency-Key required"


def parse_if_match(value: str | None) -> int | None:
    if value is None or value.strip() == "*":
        return None
    match = ETAG.match(value.strip())
    if match is None:
        raise Invalid('If-Match must be the record version as an ETag, for example "3".', field="If-Match")
    return int(match.group(1))


REOPEN_CONFLICT = (
    "The station and consult number belong to a DST record for another Veteran (the ICN or DFN sent "
    "differs from the record's, or an identifier the record lacks cannot be confirmed by one it has); "
    "`fields` names them. Nothing was opened or changed. Also: DST is turned off at the station, so no "
    "record was created."
)


@router.post(
    "/dst",
    status_code=201,
    summary="Create or reopen the DST record for a consult",
    responses={
        200: {
            "description": "The existing record, reopened",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        409: {"description": REOPEN_CONFLICT},
    },
)
async def create_record(
    runtime: RuntimeDep, body: ConsultContext, principal: ClinicalUser, response: Response
) -> dict[str, Any]:
    """The same station and consult number reopen the existing record (200) with the user's entries.

    A record is about one Veteran for good: a reopen whose ICN or DFN differs from the record's is
    refused with 409 and audited. An identifier the record lacks is filled in when another one the
    request sends matches the record's.
    """
    record, created = await workflow.open_record_json(runtime, body, principal, via="api")
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/api/v1/dst/{record['dstId']}"
    response.headers["ETag"] = f'"{record["version"]}"'
    return record


@router.get("/dst/{dst_id}", summary="A DST record with the user's saved entries")
async def get_record(
    request: Request, dst_id: str, principal: ClinicalUser, response: Response
) -> dict[str, Any]:
    return await _record(request, dst_id, principal, response, action="read-record")


async def _record(
    request: Request, dst_id: str, principal: Any, response: Response, *, action: str
) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        record = service.get_record(session, dst_id)

        record_event(
            session, principal=principal, action=action, dst_id=dst_id, icn=record.icn, station=record.station
        )
        return serializers.record_json(record)

    body = await in_transaction(request, work)
    response.headers["ETag"] = f'"{body["version"]}"'
    return body


@router.get("/dst/{dst_id}/patient", summary="Identity (MVI), residential address and E&E codes")
async def patient(runtime: RuntimeDep, dst_id: str, principal: ClinicalUser) -> dict[str, Any]:
    ctx = await workflow.load_context(runtime, dst_id, principal, "read-patient", designations=False)
    return serializers.patient_json(await runtime.panels.patient(ctx))


@router.get("/dst/{dst_id}/facilities", summary="VA facilities offering the service, by drive time")
async def facilities(runtime: RuntimeDep, dst_id: str, principal: ClinicalUser) -> dict[str, Any]:
    ctx = await workflow.load_context(runtime, dst_id, principal, "read-facilities", designations=False)
    return serializers.facilities_json(ctx, await runtime.panels.facilities(ctx), runtime.today())


@router.get("/dst/{dst_id}/community-providers", summary="Community providers near the Veteran (PPMS)")
async def community_providers(runtime: RuntimeDep, dst_id: str, principal: ClinicalUser) -> dict[str, Any]:
    ctx = await workflow.load_context(runtime, dst_id, principal, "read-providers", designations=False)
    return serializers.providers_json(await runtime.panels.providers(ctx))


@router.get("/dst/{dst_id}/eligibility", summary="MISSION Act criteria with their evidence")
async def eligibility(runtime: RuntimeDep, dst_id: str, principal: ClinicalUser) -> dict[str, Any]:
    ctx = await workflow.load_context(runtime, dst_id, principal, "read-eligibility")
    return serializers.eligibility_json(await workflow.assess_record(runtime, ctx))


@router.get("/dst/{dst_id}/seocs", summary="Active SEOCs for the record's clinical service")
async def seocs(runtime: RuntimeDep, dst_id: str, principal: ClinicalUser) -> dict[str, Any]:
    ctx = await workflow.load_context(runtime, dst_id, principal, "read-seocs", designations=False)
    service_info = ctx.service
    if service_info is None:
        return {"clinicalService": None, "seocs": []}
    snapshots = runtime.snapshots

    def rows(session: Session) -> list[dict[str, Any]]:
        return snapshots.seocs(session, service_info, _seoc_rows)

    seocs = snapshots.cached_seocs(service_info)
    if seocs is None:
        seocs = await runtime.transaction(rows, read_only=True)
    return {"clinicalService": service_info.name, "seocs": seocs}


def _seoc_rows(session: Session, service: Any) -> list[dict[str, Any]]:
    return [serializers.seoc_json(s) for s in reference.seocs_for(session, service)]


@router.put("/dst/{dst_id}/decision", summary="Save the decision (idempotent with Idempotency-Key)")
async def put_decision(
    runtime: RuntimeDep,
    dst_id: str,
    body: DecisionIn,
    principal: ClinicalUser,
    idempotency_key: Annotated[str | None, Header()] = None,
    if_match: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Same key and body replay the stored answer; the same key with another body is refused (422)."""
    if not idempotency_key:
        raise MissingKey(
            "Send an Idempotency-Key header (a UUID is best) so a retried save is not applied twice."
        )
    if not KEY_PATTERN.match(idempotency_key):
        raise Invalid("Idempotency-Key must be 8 to 255 visible ASCII characters.", field="Idempotency-Key")
    expected = parse_if_match(if_match) or body.base_version
    outcome = await workflow.save_decision(
        runtime, dst_id, body, principal, key=idempotency_key, expected_version=expected
    )
    headers = {"ETag": f'"{outcome.body["version"]}"'}
    if outcome.replayed:
        headers["Idempotency-Replayed"] = "true"
    return JSONResponse(outcome.body, status_code=outcome.status, headers=headers)


@router.get(
    "/dst/{dst_id}/consult-text",
    summary="The DST ID snippet CTB puts in Reason for Request",
    response_class=PlainTextResponse,
)
async def consult_text(
    request: Request, runtime: RuntimeDep, dst_id: str, principal: ClinicalUser
) -> Response:
    ctx = await workflow.load_context(runtime, dst_id, principal, "read-consult-text", designations=False)
    found = ctx.dst_id
    snippet = f"DST ID:{found}#"
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"dstId": found, "consultText": snippet})
    return PlainTextResponse(snippet)


@router.get("/clinical-services", summary="Official clinical services, with a typeahead filter")
async def clinical_services(
    request: Request, principal: AnyUser, q: Annotated[str | None, Query(max_length=80)] = None
) -> list[dict[str, Any]]:
    def work(session: Session) -> list[dict[str, Any]]:
        rows = (
            reference.search_clinical_services(session, q) if q else reference.all_clinical_services(session)
        )
        return [
            {
                "name": s.name,
                "careCategory": s.care_category,
                "synonyms": sorted(x.synonym for x in s.synonyms),
                "primaryStopCode": s.primary_stop_code,
            }
            for s in rows
        ]

    return await in_transaction(request, work)
