"""The viewer's reads: the same panels, eligibility engine and evidence as the DST dashboard, read-only."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import Principal, Role
from dst.consults import serializers
from dst.consults.context import Entries, RecordContext, ServiceInfo
from dst.consults.evidence import Assessment, assess
from dst.consults.runtime import Runtime
from dst.dsv import errors
from dst.dsv.viewer import Viewer
from dst.partners.errors import FailureKind, PartnerError
from dst.partners.types import Person
from dst.reference import service as reference


def viewer_context(viewer: Viewer, service: ServiceInfo | None, today: date) -> RecordContext:
    """A RecordContext with no consult behind it: the patient and the service the clinician chose.

    The viewer reviews eligibility outside a consult, so the file entry date is today, the urgency is
    routine, and there are no user entries; the panel cache key carries the viewer session id.
    """
    return RecordContext(
        dst_id=f"dsv:{viewer.sid}",
        station=viewer.station or "",
        icn=viewer.icn,
        dfn=None,
        consult_service=service.name if service else "",
        urgency="routine",
        file_entry_date=today,
        clinically_indicated_date=None,
        signed=False,
        released_to_hsrm=False,
        version=0,
        service=service,
        entries=Entries(),
    )


async def resolve_person(runtime: Runtime, edipi: str) -> Person:
    """The Veteran for an EDIPI from MVI; ambiguity or absence is a problem, never a guess."""
    try:
        return await runtime.panels.gateway.person_by_edipi(edipi)
    except PartnerError as exc:
        if exc.kind is FailureKind.MULTIPLE_MATCHES:
            raise errors.several_matches() from None
        if exc.kind is FailureKind.NOT_FOUND:
            raise errors.not_in_mvi() from None
        raise errors.mvi_unavailable(exc.code) from None


def launch_principal(source_ip: str | None) -> Principal:
    """Who is acting before the launch finished: only the EHR launch itself is known."""
    return Principal("ehr-launch", "EHR launch (not yet identified)", Role.PROVIDER, source_ip)


async def audit(
    runtime: Runtime,
    principal: Principal,
    action: str,
    *,
    icn: str | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> None:
    await runtime.transaction(
        lambda s: record_event(
            s, principal=principal, action=action, icn=icn, outcome=outcome, detail=detail
        ),
    )


async def audit_view(
    runtime: Runtime, viewer: Viewer, section: str, service: ServiceInfo | None, source_ip: str | None
) -> None:
    detail = {"viewerSession": viewer.sid, "clinicalService": service.name if service else None}
    principal = viewer.principal(source_ip)
    await audit(runtime, principal, f"dsv-view-{section}", icn=viewer.icn, detail=detail)


async def find_service(runtime: Runtime, name: str | None) -> ServiceInfo | None:
    if not name or not name.strip():
        return None

    def work(session: Session) -> ServiceInfo | None:
        found = reference.clinical_service_by_name(session, name)
        return ServiceInfo.of(found) if found else None

    return await runtime.transaction(work)


async def clinical_services(runtime: Runtime) -> list[dict[str, Any]]:
    def work(session: Session) -> list[dict[str, Any]]:
        return [
            {
                "name": s.name,
                "careCategory": s.care_category,
                "primaryStopCode": s.primary_stop_code,
                "synonyms": sorted(x.synonym for x in s.synonyms),
            }
            for s in reference.all_clinical_services(session)
        ]

    return await runtime.transaction(work)


async def demographics(runtime: Runtime, viewer: Viewer) -> dict[str, Any]:
    """Identity, residential address and E&E codes; the SSN stays out because the viewer never needs it."""
    panel = await runtime.panels.patient(viewer_context(viewer, None, runtime.today()))
    body = serializers.patient_json(panel)
    body.pop("ssnLast4", None)
    body.pop("location", None)
    return body


async def assessment(runtime: Runtime, viewer: Viewer, service: ServiceInfo) -> Assessment:
    panels = runtime.panels
    ctx = viewer_context(viewer, service, runtime.today())
    patient = await panels.patient(ctx)
    facilities = await panels.facilities(ctx)
    return assess(ctx, patient, facilities, entries=ctx.entries, as_of=runtime.today())


async def eligibility(runtime: Runtime, viewer: Viewer, service: ServiceInfo) -> dict[str, Any]:
    body = serializers.eligibility_json(await assessment(runtime, viewer, service))
    return {"clinicalService": service.name, **body}


async def facilities(runtime: Runtime, viewer: Viewer, service: ServiceInfo) -> dict[str, Any]:
    panels = runtime.panels
    ctx = viewer_context(viewer, service, runtime.today())
    va = await panels.facilities(ctx)
    community = await panels.providers(ctx)
    return {
        "vaFacilities": serializers.facilities_json(ctx, va, runtime.today()),
        "communityProviders": serializers.providers_json(community),
    }


async def seocs(runtime: Runtime, service: ServiceInfo) -> list[dict[str, Any]]:
    def work(session: Session) -> list[dict[str, Any]]:
        found = reference.clinical_service_by_name(session, service.name)
        return [serializers.seoc_json(s) for s in reference.seocs_for(session, found)]

    return await runtime.transaction(work)
