"""The viewer's JSON API under `/ehrm-api/v1`, answered only within a viewer session for its one patient."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from dst.consults.context import ServiceInfo
from dst.dsv import service
from dst.dsv import session as viewer_session
from dst.dsv.fhir import guidance_response
from dst.dsv.schemas import EdipiQuery, FacilitiesQuery
from dst.errors import Forbidden, NotFound
from dst.web.deps import client_ip, get_runtime

# Every operation needs the viewer session; declared here so it is checked before any validation.
router = APIRouter(
    prefix="/ehrm-api/v1",
    tags=["Decision Support Viewer"],
    dependencies=[Depends(viewer_session.api_viewer)],
)

FHIR_JSON = "application/fhir+json"
ServiceName = Annotated[str, Query(alias="svcName", min_length=1, max_length=80)]


async def _service(request: Request, name: str) -> ServiceInfo:
    found = await service.find_service(get_runtime(request), name)
    if found is None:
        raise NotFound(
            f"{name!r} is not a clinical service DST knows; "
            "pick one from GET /ehrm-api/v1/dstClinicalServiceList."
        )
    return found


@router.post("/patientQueryByEDIPI", summary="The ICN of the viewer session's patient, by EDIPI")
async def patient_by_edipi(request: Request, body: EdipiQuery) -> dict[str, Any]:
    viewer = viewer_session.require_api(request)
    if body.edipi != viewer.edipi:
        await service.audit(
            get_runtime(request),
            viewer.principal(client_ip(request)),
            "dsv-view-edipi",
            outcome="forbidden",
            detail={},
        )
        raise Forbidden("This viewer session is for another patient; open the viewer from this chart.")
    await service.audit_view(get_runtime(request), viewer, "edipi", None, client_ip(request))
    return {"icn": viewer.icn, "edipi": viewer.edipi, "ehrPatient": viewer.patient_reference}


@router.get("/getDstPatientDemographics/{icn}", summary="Identity, residential address and E&E codes")
async def demographics(request: Request, icn: str) -> dict[str, Any]:
    viewer = viewer_session.require_api(request, icn)
    await service.audit_view(get_runtime(request), viewer, "demographics", None, client_ip(request))
    return await service.demographics(get_runtime(request), viewer)


@router.get("/dstClinicalServiceList", summary="Official clinical services for the service list")
async def clinical_services(request: Request) -> list[dict[str, Any]]:
    viewer_session.require_api(request)
    return await service.clinical_services(get_runtime(request))


@router.get("/getDstSeocs/{svc_name}", summary="Active SEOCs for a clinical service")
async def seocs(request: Request, svc_name: str) -> dict[str, Any]:
    viewer_session.require_api(request)
    chosen = await _service(request, svc_name)
    return {"clinicalService": chosen.name, "seocs": await service.seocs(get_runtime(request), chosen)}


@router.post("/getFacilities", summary="VA facilities and community providers near the patient")
async def facilities(request: Request, body: FacilitiesQuery) -> dict[str, Any]:
    """The residence comes from E&E for the session's patient, never from the request body."""
    viewer = viewer_session.require_api(request, body.icn)
    chosen = await _service(request, body.svc_name)
    await service.audit_view(get_runtime(request), viewer, "facilities", chosen, client_ip(request))
    return {"clinicalService": chosen.name, **await service.facilities(get_runtime(request), viewer, chosen)}


@router.get("/patients/{icn}/eligibility", summary="MISSION Act criteria with their evidence")
async def eligibility(request: Request, icn: str, svc_name: ServiceName) -> dict[str, Any]:
    viewer = viewer_session.require_api(request, icn)
    chosen = await _service(request, svc_name)
    await service.audit_view(get_runtime(request), viewer, "eligibility", chosen, client_ip(request))
    return await service.eligibility(get_runtime(request), viewer, chosen)


@router.get(
    "/patients/{icn}/eligibility/fhir",
    summary="The eligibility result as a FHIR R4 GuidanceResponse",
    response_class=JSONResponse,
)
async def eligibility_fhir(request: Request, icn: str, svc_name: ServiceName) -> JSONResponse:
    viewer = viewer_session.require_api(request, icn)
    chosen = await _service(request, svc_name)
    await service.audit_view(get_runtime(request), viewer, "eligibility-fhir", chosen, client_ip(request))
    resource = guidance_response(
        await service.assessment(get_runtime(request), viewer, chosen),
        patient_reference=viewer.patient_reference,
        clinical_service=chosen.name,
    )
    return JSONResponse(resource, media_type=FHIR_JSON)
