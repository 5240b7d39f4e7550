"""SMART EHR launch of the viewer: the happy path and every way a launch can go wrong."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import create_engine, select

from dst.audit.models import AuditEvent
from dst.demo.network import demo_network
from dst.dsv.fake_ehr import ehr_patient_id
from dst.main import create_app

from dsv_support import first_ordinary
from factories import ordinary, veteran
from harness import prod_settings_for, settings_for

EMBEDDED = "http://testserver/dev/fake-ehr/fhir"


def audit_rows(database_url: str) -> list[AuditEvent]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = list(connection.execute(select(AuditEvent).order_by(AuditEvent.id)))
    engine.dispose()
    return rows  # type: ignore[return-value]


def test_ehr_launch_opens_the_viewer_for_the_patient_and_audits_who(client, launch, database_url) -> None:
    v = veteran(ordinary)
    page = launch(v)
    assert page.status_code == 200
    assert urlsplit(str(page.url)).path == "/dsv"
    assert "This viewer is read-only" in page.text
    assert "PowerChart" in page.text  # says how to act in the EHR
    demographics = client.get("/dsv/sections/demographics")
    assert f"{v.family_name},{v.given_name}" in demographics.text
    events = [e for e in audit_rows(database_url) if e.action == "dsv-view-launch"]
    assert len(events) == 1
    assert events[0].icn == v.icn
    assert events[0].actor == "Practitioner/demo-physician-1@testserver"
    assert events[0].outcome == "ok"


def test_the_launch_sends_pkce_s256_state_launch_and_aud(client) -> None:
    v = veteran(ordinary)
    to_dsv = client.get(f"/dev/ehr/launch?patient={ehr_patient_id(v)}", follow_redirects=False)
    to_ehr = client.get(to_dsv.headers["location"], follow_redirects=False)
    assert to_ehr.status_code == 303
    query = parse_qs(urlsplit(to_ehr.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256 digest
    assert query["aud"] == [EMBEDDED]
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["dst-dsv"]
    assert "launch" in query["scope"][0].split()
    assert query["state"][0] and query["launch"][0]


def test_the_token_endpoint_refuses_a_wrong_pkce_verifier(client) -> None:
    v = veteran(ordinary)
    to_dsv = client.get(f"/dev/ehr/launch?patient={ehr_patient_id(v)}", follow_redirects=False)
    to_ehr = client.get(to_dsv.headers["location"], follow_redirects=False)
    back = client.get(to_ehr.headers["location"], follow_redirects=False)
    code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
    wrong = base64.urlsafe_b64encode(hashlib.sha256(b"x").digest()).decode()
    answer = client.post(
        "/dev/fake-ehr/auth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://testserver/dsv/callback",
            "client_id": "dst-dsv",
            "code_verifier": wrong,
        },
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_the_fake_ehr_reads_a_patient_only_with_its_token(client) -> None:
    v = veteran(ordinary)
    assert client.get(f"/dev/fake-ehr/fhir/Patient/{ehr_patient_id(v)}").status_code == 401
    metadata = client.get("/dev/fake-ehr/fhir/metadata").json()
    assert metadata["fhirVersion"] == "4.0.1"


def test_a_launch_without_iss_or_launch_explains_and_shows_nothing(client, database_url) -> None:
    for query, missing in (("launch=abc", "iss"), (f"iss={EMBEDDED}", "launch"), ("", "iss and launch")):
        page = client.get(f"/dsv/launch?{query}")
        assert page.status_code == 400
        assert "The viewer was not opened from the EHR" in page.text
        assert f"lacks {missing}" in page.text
        assert "What to do" in page.text
    assert {e.outcome for e in audit_rows(database_url) if e.action == "dsv-launch"} == {"missing-launch"}


def test_an_untrusted_iss_is_refused_without_contacting_it(client) -> None:
    page = client.get("/dsv/launch?iss=https://ehr.example.invalid/fhir&launch=abc")
    assert page.status_code == 403
    assert "This EHR is not trusted by DST" in page.text
    assert "trusted EHRs" in page.text
    assert "DST_DSV_TRUSTED_ISS" not in page.text  # a setting name is for the operations guide


def test_a_trusted_iss_from_the_setting_is_contacted(database_url) -> None:
    from fastapi.testclient import TestClient

    settings = settings_for(database_url, dsv_trusted_iss="http://127.0.0.1:9/fhir, https://x.invalid/r4")
    with TestClient(create_app(settings)) as client:
        page = client.get("/dsv/launch?iss=http://127.0.0.1:9/fhir/&launch=abc")
    # Trusted, so DST tried discovery; nothing listens on port 9, which is a readable 502 page.
    assert page.status_code == 502
    assert "The EHR did not answer as expected" in page.text


def test_in_prod_the_development_ehr_is_absent_and_untrusted(database_url) -> None:
    from fastapi.testclient import TestClient

    settings = prod_settings_for(database_url, accept_estimated_drive_times=True)
    with TestClient(create_app(settings)) as client:
        assert client.get("/dev/ehr").status_code == 404
        assert client.get("/dev/fake-ehr/fhir/.well-known/smart-configuration").status_code == 404
        page = client.get(f"/dsv/launch?iss={EMBEDDED}&launch=abc")
    assert page.status_code == 403


def test_a_denied_authorization_explains_and_shows_nothing(launch) -> None:
    v = veteran(ordinary)
    page = launch(v, "deny")
    assert page.status_code == 403
    assert "Access was not authorized" in page.text
    assert v.family_name not in page.text


def test_a_token_without_patient_context_explains_and_shows_nothing(client, launch) -> None:
    v = veteran(ordinary)
    page = launch(v, "no-patient")
    assert page.status_code == 400
    assert "No patient was selected in the EHR" in page.text
    assert v.family_name not in page.text
    assert client.get("/dsv").status_code == 401  # no viewer session was created


def test_a_patient_without_edipi_explains_and_shows_nothing(client, launch) -> None:
    v = first_ordinary(demo_network().veterans)
    page = launch(v, with_edipi=False)
    assert page.status_code == 422
    assert "The patient has no EDIPI in the EHR" in page.text
    assert v.family_name not in page.text
    assert client.get("/dsv/sections/demographics").status_code == 401


def test_several_mvi_matches_explain_and_show_nothing(client, launch, database_url) -> None:
    v = veteran(lambda x: x.mvi_behaviour == "multiple-matches")
    page = launch(v)
    assert page.status_code == 409
    assert "More than one Veteran matches this patient" in page.text
    assert v.family_name not in page.text and v.icn not in page.text
    assert client.get("/dsv").status_code == 401
    assert "multiple-matches" in {e.outcome for e in audit_rows(database_url) if e.action == "dsv-launch"}


def test_a_patient_unknown_to_mvi_or_mvi_down_explains(launch) -> None:
    page = launch(veteran(lambda x: x.mvi_behaviour == "not-found"))
    assert page.status_code == 404
    assert "not found in the Master Veteran Index" in page.text
    page = launch(veteran(lambda x: x.mvi_behaviour == "error"))
    assert page.status_code == 503
    assert "did not answer" in page.text


def test_an_answer_for_an_unknown_or_replayed_state_is_ignored(client) -> None:
    page = client.get("/dsv/callback?code=abc&state=never-issued")
    assert page.status_code == 400
    assert "This launch has expired or was already used" in page.text
    v = veteran(ordinary)
    to_dsv = client.get(f"/dev/ehr/launch?patient={ehr_patient_id(v)}", follow_redirects=False)
    to_ehr = client.get(to_dsv.headers["location"], follow_redirects=False)
    back = client.get(to_ehr.headers["location"], follow_redirects=False)
    assert client.get(back.headers["location"], follow_redirects=False).status_code == 303
    assert client.get(back.headers["location"], follow_redirects=False).status_code == 400


def test_the_viewer_page_needs_a_launch(client) -> None:
    page = client.get("/dsv")
    assert page.status_code == 401
    assert "Open the viewer from the EHR" in page.text
