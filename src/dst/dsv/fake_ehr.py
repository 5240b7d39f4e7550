"""A development EHR (FHIR R4 server and SMART authorization server) built from the demo Veterans.

It is served by the DST app itself under `/dev/fake-ehr` in dev mode only (404 in prod), so `make run`
needs no second process and the browser and DST reach it at the same origin; DST's own server-side
calls to it go in process (see `smart.http_options`). Launches, codes and tokens live in memory.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.jwk import RSAKey

from dst.demo.model import DemoVeteran
from dst.dsv.smart import EMBEDDED_FHIR_PATH, embedded_iss
from dst.web.templating import render

router = APIRouter(include_in_schema=False)

AUTH_PATH = "/dev/fake-ehr/auth"
FHIR_JSON = "application/fhir+json"
CODE_LIFETIME_S = 120
TOKEN_LIFETIME_S = 3600
OUTCOMES = {
    "ok": "Open the viewer",
    "deny": "The user refuses (authorization denied)",
    "no-patient": "The token carries no patient context",
}
DEMO_PRACTITIONER = "Practitioner/demo-physician-1"


def _dev_only(request: Request) -> None:
    if not request.app.state.settings.is_dev:
        raise HTTPException(404, "Not found")


def ehr_patient_id(veteran: DemoVeteran, *, with_edipi: bool = True) -> str:
    """An opaque, stable id, as an EHR uses its own ids; derived from the EDIPI so restarts keep it."""
    digest = hashlib.sha256(f"{veteran.edipi}:{with_edipi}".encode()).hexdigest()
    return digest[:16]


def patient_resource(veteran: DemoVeteran, edipi_system: str, *, with_edipi: bool = True) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": ehr_patient_id(veteran, with_edipi=with_edipi),
        "active": True,
        "name": [{"use": "official", "family": veteran.family_name, "given": veteran.given_name.split()}],
        "gender": {"M": "male", "F": "female"}[veteran.gender],
        "birthDate": veteran.birth_date.isoformat(),
    }
    if with_edipi:
        resource["identifier"] = [
            {"use": "official", "type": {"text": "EDIPI"}, "system": edipi_system, "value": veteran.edipi}
        ]
    return resource


@dataclass
class FakeEhr:
    patients: dict[str, dict[str, Any]]
    listing: list[dict[str, str]]
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "fake-ehr-1"}))
    launches: dict[str, tuple[str, str]] = field(default_factory=dict)  # launch -> (patient, outcome)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, tuple[str | None, float]] = field(default_factory=dict)  # token -> (patient, expiry)


def fake_ehr(request: Request) -> FakeEhr:
    state = request.app.state
    if getattr(state, "fake_ehr", None) is None:
        state.fake_ehr = _build(state.settings.dsv_edipi_system)
    ehr: FakeEhr = state.fake_ehr
    return ehr


def _build(edipi_system: str) -> FakeEhr:
    """Every demo Veteran is a patient; the page lists the scenarios and a few ordinary Veterans."""
    from dst.demo.network import demo_network

    veterans = demo_network().veterans
    patients = {}
    for veteran in veterans:
        resource = patient_resource(veteran, edipi_system)
        patients[resource["id"]] = resource
    ordinary = [v for v in veterans if v.scenario.startswith("Ordinary Veteran")][:3]
    scenario = [v for v in veterans if not v.scenario.startswith("Ordinary Veteran")]
    listing = [_row(patients[ehr_patient_id(v)], v.scenario) for v in [*ordinary, *scenario]]
    if ordinary:  # the same person registered in the EHR without an EDIPI
        resource = patient_resource(ordinary[0], edipi_system, with_edipi=False)
        patients[resource["id"]] = resource
        listing.insert(0, _row(resource, "EHR record without an EDIPI: DST cannot find the Veteran in MVI."))
    return FakeEhr(patients=patients, listing=listing)


def _row(resource: dict[str, Any], scenario: str) -> dict[str, str]:
    name = resource["name"][0]
    return {
        "id": resource["id"],
        "name": f"{name['family']}, {' '.join(name['given'])}",
        "scenario": scenario,
    }


@router.get("/dev/ehr", response_class=HTMLResponse)
async def ehr_page(request: Request) -> Response:
    """The simulated PowerChart patient list: each row starts a SMART EHR launch of the viewer."""
    _dev_only(request)
    ehr = fake_ehr(request)
    return render(request, "dsv/fake_ehr.html", {"patients": ehr.listing, "outcomes": OUTCOMES})


@router.get("/dev/ehr/launch")
async def ehr_launch(request: Request, patient: str, outcome: str = "ok") -> Response:
    _dev_only(request)
    ehr = fake_ehr(request)
    if patient not in ehr.patients or outcome not in OUTCOMES:
        raise HTTPException(404, "Unknown demo patient or launch outcome; start again from /dev/ehr.")
    launch = secrets.token_urlsafe(16)
    ehr.launches[launch] = (patient, outcome)
    query = urlencode({"iss": embedded_iss(request), "launch": launch})
    return RedirectResponse(f"/dsv/launch?{query}", status_code=303)


@router.get(EMBEDDED_FHIR_PATH + "/.well-known/smart-configuration")
async def smart_configuration(request: Request) -> JSONResponse:
    _dev_only(request)
    base = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "issuer": embedded_iss(request),
            "jwks_uri": f"{base}{AUTH_PATH}/jwks",
            "authorization_endpoint": f"{base}{AUTH_PATH}/authorize",
            "token_endpoint": f"{base}{AUTH_PATH}/token",
            "grant_types_supported": ["authorization_code"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["launch", "openid", "fhirUser", "patient/Patient.rs"],
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "capabilities": [
                "launch-ehr",
                "client-public",
                "context-ehr-patient",
                "openid",
                "fhirUser",
                "permission-patient",
                "permission-v2",
            ],
        }
    )


@router.get(EMBEDDED_FHIR_PATH + "/metadata")
async def metadata(request: Request) -> JSONResponse:
    _dev_only(request)
    base = str(request.base_url).rstrip("/")
    oauth = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
    statement = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-01-01",
        "kind": "instance",
        "software": {"name": "DST development EHR"},
        "implementation": {"description": "Development EHR for the DST viewer", "url": embedded_iss(request)},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "extension": [
                        {
                            "url": oauth,
                            "extension": [
                                {"url": "authorize", "valueUri": f"{base}{AUTH_PATH}/authorize"},
                                {"url": "token", "valueUri": f"{base}{AUTH_PATH}/token"},
                            ],
                        }
                    ],
                    "service": [{"coding": [{"code": "SMART-on-FHIR"}]}],
                },
                "resource": [{"type": "Patient", "interaction": [{"code": "read"}]}],
            }
        ],
    }
    return JSONResponse(statement, media_type=FHIR_JSON)


@router.get(AUTH_PATH + "/jwks")
async def jwks(request: Request) -> JSONResponse:
    _dev_only(request)
    return JSONResponse({"keys": [fake_ehr(request).key.as_dict(private=False)]})


@router.get(AUTH_PATH + "/authorize")
async def authorize(request: Request) -> Response:
    """Auto-approves in dev, unless the launch was started to simulate a refusal."""
    _dev_only(request)
    ehr = fake_ehr(request)
    q = request.query_params
    redirect_uri = q.get("redirect_uri", "")
    if urlsplit(redirect_uri).netloc != request.url.netloc or not redirect_uri.endswith("/dsv/callback"):
        raise HTTPException(400, "redirect_uri is not the registered DST viewer callback.")
    launch = ehr.launches.pop(q.get("launch", ""), None)
    problem = _authorize_problem(request, launch is not None)
    if problem:
        return _back(redirect_uri, error="invalid_request", error_description=problem, state=q.get("state"))
    assert launch is not None
    patient, outcome = launch
    if outcome == "deny":
        return _back(
            redirect_uri, error="access_denied", error_description="The user declined.", state=q["state"]
        )
    code = secrets.token_urlsafe(24)
    ehr.codes[code] = {
        "patient": None if outcome == "no-patient" else patient,
        "challenge": q["code_challenge"],
        "client_id": q["client_id"],
        "redirect_uri": redirect_uri,
        "scope": q.get("scope", ""),
        "expires": time.time() + CODE_LIFETIME_S,
    }
    return _back(redirect_uri, code=code, state=q["state"])


def _authorize_problem(request: Request, known_launch: bool) -> str | None:
    q = request.query_params
    if q.get("response_type") != "code":
        return "response_type must be code."
    if not q.get("client_id") or not q.get("state"):
        return "client_id and state are required."
    if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
        return "PKCE with S256 is required."
    if q.get("aud", "").rstrip("/") != embedded_iss(request):
        return "aud must be this EHR's FHIR base URL."
    if not known_launch:
        return "The launch is unknown or was already used."
    return None


def _back(redirect_uri: str, **params: str | None) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return RedirectResponse(f"{redirect_uri}?{query}", status_code=302)


@router.post(AUTH_PATH + "/token")
async def token(
    request: Request,
    grant_type: Annotated[str, Form()],
    code: Annotated[str, Form()],
    redirect_uri: Annotated[str, Form()],
    client_id: Annotated[str, Form()],
    code_verifier: Annotated[str, Form()],
) -> JSONResponse:
    """Checks the PKCE verifier against the challenge, then returns the token with the patient context."""
    _dev_only(request)
    ehr = fake_ehr(request)
    grant = ehr.codes.pop(code, None)
    if grant_type != "authorization_code" or grant is None or grant["expires"] < time.time():
        return _token_error("invalid_grant", "The code is unknown, expired or already used.")
    if grant["client_id"] != client_id or grant["redirect_uri"] != redirect_uri:
        return _token_error("invalid_grant", "client_id or redirect_uri differ from the authorization.")
    if not secrets.compare_digest(_s256(code_verifier), grant["challenge"]):
        return _token_error("invalid_grant", "The PKCE code_verifier does not match the code_challenge.")
    access = secrets.token_urlsafe(32)
    ehr.tokens[access] = (grant["patient"], time.time() + TOKEN_LIFETIME_S)
    body: dict[str, Any] = {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_S,
        "scope": grant["scope"],
        "need_patient_banner": False,
        "id_token": _id_token(request, ehr, client_id),
    }
    if grant["patient"] is not None:
        body["patient"] = grant["patient"]
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _token_error(error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=400)


def _id_token(request: Request, ehr: FakeEhr, client_id: str) -> str:
    now = int(time.time())
    claims = {
        "iss": embedded_iss(request),
        "sub": "demo-physician-1",
        "aud": client_id,
        "iat": now,
        "exp": now + TOKEN_LIFETIME_S,
        "fhirUser": f"{embedded_iss(request)}/{DEMO_PRACTITIONER}",
    }
    return jwt.encode({"alg": "RS256", "kid": "fake-ehr-1"}, claims, ehr.key)


@router.get(EMBEDDED_FHIR_PATH + "/Patient/{patient_id}")
async def read_patient(request: Request, patient_id: str) -> JSONResponse:
    _dev_only(request)
    ehr = fake_ehr(request)
    header = request.headers.get("authorization", "")
    granted = ehr.tokens.get(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
    if granted is None or granted[1] < time.time():
        return _outcome(401, "login", "A valid bearer access token is required.")
    if granted[0] != patient_id:
        return _outcome(403, "forbidden", "The token does not grant access to this patient.")
    return JSONResponse(ehr.patients[patient_id], media_type=FHIR_JSON)


def _outcome(status: int, code: str, text: str) -> JSONResponse:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": text}],
    }
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON)
