"""`/ehrm-api/v1`: answered only in a viewer session, only about its patient; eligibility as FHIR R4."""

from __future__ import annotations

from fhir.resources.R4B.guidanceresponse import GuidanceResponse
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.parameters import Parameters

from factories import near_va, ordinary, veteran


def other(v):  # type: ignore[no-untyped-def]
    return veteran(lambda x: ordinary(x) and x.icn != v.icn)


def test_every_route_needs_a_viewer_session(client) -> None:
    v = veteran(ordinary)
    for method, path, body in (
        ("get", "/ehrm-api/v1/dstClinicalServiceList", None),
        ("get", f"/ehrm-api/v1/getDstPatientDemographics/{v.icn}", None),
        ("get", "/ehrm-api/v1/getDstSeocs/ORTHOPEDICS", None),
        ("post", "/ehrm-api/v1/patientQueryByEDIPI", {"edipi": v.edipi}),
        ("post", "/ehrm-api/v1/getFacilities", {"icn": v.icn, "svcName": "ORTHOPEDICS"}),
        ("get", f"/ehrm-api/v1/patients/{v.icn}/eligibility?svcName=ORTHOPEDICS", None),
        ("get", f"/ehrm-api/v1/patients/{v.icn}/eligibility/fhir?svcName=ORTHOPEDICS", None),
    ):
        answer = client.request(method, path, json=body)
        assert answer.status_code == 401, path
        assert answer.headers["content-type"] == "application/problem+json"


def test_another_patient_is_forbidden(client, launch) -> None:
    v = veteran(ordinary)
    launch(v)
    w = other(v)
    assert client.get(f"/ehrm-api/v1/getDstPatientDemographics/{w.icn}").status_code == 403
    assert client.post("/ehrm-api/v1/patientQueryByEDIPI", json={"edipi": w.edipi}).status_code == 403
    body = {"icn": w.icn, "svcName": "ORTHOPEDICS"}
    assert client.post("/ehrm-api/v1/getFacilities", json=body).status_code == 403
    fhir = client.get(f"/ehrm-api/v1/patients/{w.icn}/eligibility/fhir?svcName=ORTHOPEDICS")
    assert fhir.status_code == 403
    assert w.family_name not in fhir.text


def test_the_session_patient_is_answered(client, launch) -> None:
    v = veteran(ordinary)
    launch(v)
    assert client.post("/ehrm-api/v1/patientQueryByEDIPI", json={"edipi": v.edipi}).json()["icn"] == v.icn
    demographics = client.get(f"/ehrm-api/v1/getDstPatientDemographics/{v.icn}").json()
    assert demographics["icn"] == v.icn
    assert demographics["residentialAddress"]["zip"] == v.address.zip
    assert "ssnLast4" not in demographics
    services = client.get("/ehrm-api/v1/dstClinicalServiceList").json()
    assert {"PRIMARY CARE", "ORTHOPEDICS", "WOMENS HEALTH"} <= {s["name"] for s in services}
    seocs = client.get("/ehrm-api/v1/getDstSeocs/orthopedics").json()
    assert seocs["clinicalService"] == "ORTHOPEDICS" and seocs["seocs"]
    places = client.post("/ehrm-api/v1/getFacilities", json={"icn": v.icn, "svcName": "ORTHOPEDICS"}).json()
    assert places["vaFacilities"]["facilities"]
    assert "communityProviders" in places


def test_bad_input_is_a_problem_a_person_can_act_on(client, launch) -> None:
    v = veteran(ordinary)
    launch(v)
    unknown = client.get("/ehrm-api/v1/getDstSeocs/BASKET%20WEAVING")
    assert unknown.status_code == 404
    assert "dstClinicalServiceList" in unknown.json()["detail"]
    bad = client.post("/ehrm-api/v1/patientQueryByEDIPI", json={"edipi": "12"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    missing = client.get(f"/ehrm-api/v1/patients/{v.icn}/eligibility")
    assert missing.status_code == 422


def test_eligibility_as_a_valid_fhir_r4_guidance_response(client, launch) -> None:
    v = veteran(ordinary)
    launch(v)
    answer = client.get(f"/ehrm-api/v1/patients/{v.icn}/eligibility/fhir?svcName=ORTHOPEDICS")
    assert answer.headers["content-type"] == "application/fhir+json"
    resource = GuidanceResponse.model_validate(answer.json())
    plain = client.get(f"/ehrm-api/v1/patients/{v.icn}/eligibility?svcName=ORTHOPEDICS").json()
    assert resource.status == ("data-required" if plain["eligible"] is None else "success")
    assert resource.subject is not None and resource.subject.reference.startswith("Patient/")
    assert resource.outputParameters.reference == "#eligibility"
    parameters = Parameters.model_validate(answer.json()["contained"][0])
    criteria = [p for p in parameters.parameter if p.name == "criterion"]
    assert [next(x.valueCode for x in c.part if x.name == "code") for c in criteria] == [
        c["code"] for c in plain["criteria"]
    ]
    eligible = [p.valueBoolean for p in parameters.parameter if p.name == "eligible"]
    assert eligible == ([] if plain["eligible"] is None else [plain["eligible"]])


def test_unknown_eligibility_is_data_required_with_the_open_questions(client, launch) -> None:
    v = veteran(lambda x: x.ee_behaviour == "fault" and x.mvi_behaviour == "ok")
    launch(v)
    answer = client.get(f"/ehrm-api/v1/patients/{v.icn}/eligibility/fhir?svcName=ORTHOPEDICS").json()
    resource = GuidanceResponse.model_validate(answer)
    assert resource.status == "data-required"
    outcome = OperationOutcome.model_validate(next(c for c in answer["contained"] if c["id"] == "unknown"))
    assert outcome.issue and all(i.code == "incomplete" for i in outcome.issue)
    parameters = Parameters.model_validate(answer["contained"][0])
    assert "EE-FAULT" in [p.valueCode for p in parameters.parameter if p.name == "partnerError"]


def test_waiting_for_scheduling_is_its_own_state_not_an_outage(client, launch) -> None:
    v = veteran(near_va)
    launch(v)
    plain = client.get(f"/ehrm-api/v1/patients/{v.icn}/eligibility?svcName=ORTHOPEDICS").json()
    assert (plain["eligible"], plain["state"]) == (None, "pending-scheduling")
    assert plain["verdict"] == "Not eligible yet: wait time is decided at scheduling"
    answer = client.get(f"/ehrm-api/v1/patients/{v.icn}/eligibility/fhir?svcName=ORTHOPEDICS").json()
    parameters = Parameters.model_validate(answer["contained"][0])
    named = {p.name: p for p in parameters.parameter}
    assert named["state"].valueCode == "pending-scheduling"
    assert named["verdict"].valueString == plain["verdict"]
    assert "partnerError" not in named


def test_an_outage_says_it_could_not_be_determined(client, launch) -> None:
    v = veteran(lambda x: x.ee_behaviour == "fault" and x.mvi_behaviour == "ok")
    launch(v)
    plain = client.get(f"/ehrm-api/v1/patients/{v.icn}/eligibility?svcName=ORTHOPEDICS").json()
    assert (plain["state"], plain["verdict"]) == ("unknown", "Eligibility could not be determined")
