"""The SMART client's checks of what an EHR sends: discovery documents and Patient identifiers."""

from __future__ import annotations

import pytest

from dst.dsv.errors import ViewerProblem
from dst.dsv.fhir import edipi_of
from dst.dsv.smart import _configuration

ISS = "https://ehr.example.org/r4"
SYSTEM = "urn:oid:2.16.840.1.113883.3.42.10001.100001.12"
GOOD = {
    "authorization_endpoint": "https://ehr.example.org/auth",
    "token_endpoint": "https://ehr.example.org/token",
    "code_challenge_methods_supported": ["S256"],
    "capabilities": ["launch-ehr", "client-public"],
    "jwks_uri": "https://ehr.example.org/jwks",
}


def test_a_complete_discovery_document_is_read() -> None:
    config = _configuration(ISS + "/", GOOD)
    assert config.iss == ISS
    assert config.token_endpoint == GOOD["token_endpoint"]
    assert config.jwks_uri == GOOD["jwks_uri"]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"token_endpoint": None}, "lacks the authorization or token endpoint"),
        ({"authorization_endpoint": "not a url"}, "lacks the authorization or token endpoint"),
        ({"code_challenge_methods_supported": ["plain"]}, "does not support PKCE with S256"),
        ({"capabilities": ["launch-standalone"]}, "does not offer the EHR launch"),
    ],
)
def test_an_unusable_discovery_document_is_a_named_problem(change, says) -> None:
    with pytest.raises(ViewerProblem) as caught:
        _configuration(ISS, {**GOOD, **change})
    assert caught.value.code == "ehr-unreachable"
    assert says in caught.value.detail


def test_a_discovery_answer_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ViewerProblem):
        _configuration(ISS, ["authorization_endpoint"])


def patient(*identifiers: dict) -> dict:
    return {"resourceType": "Patient", "id": "1", "identifier": list(identifiers)}


def test_the_edipi_is_the_identifier_of_the_configured_system() -> None:
    other = {"system": "urn:oid:2.16.840.1.113883.4.1", "value": "000123456"}
    edipi = {"system": SYSTEM, "value": "1234567890"}
    assert edipi_of(patient(other, edipi), SYSTEM) == "1234567890"
    assert edipi_of(patient(other), SYSTEM) is None
    assert edipi_of(patient(), SYSTEM) is None


def test_two_different_edipis_or_a_malformed_one_count_as_none() -> None:
    a = {"system": SYSTEM, "value": "1234567890"}
    b = {"system": SYSTEM, "value": "1234567891"}
    assert edipi_of(patient(a, b), SYSTEM) is None
    assert edipi_of(patient(a, dict(a)), SYSTEM) == "1234567890"
    assert edipi_of(patient({"system": SYSTEM, "value": "12345"}), SYSTEM) is None
    assert edipi_of(patient(a, {**b, "use": "old"}), SYSTEM) == "1234567890"


def test_a_resource_that_is_not_a_patient_is_a_problem() -> None:
    for resource in (
        {"resourceType": "Patient", "birthDate": "not a date"},
        {"resourceType": "Observation"},
        [],
    ):
        with pytest.raises(ViewerProblem) as caught:
            edipi_of(resource, SYSTEM)
        assert caught.value.code == "ehr-unreachable"
