"""Schemathesis against the app's OpenAPI document, in process, with the service token: no 5xx and
every answer matches what the document says (status codes, content types, bodies)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from dst.main import create_app

from harness import SERVICE, settings_for


@pytest.fixture
def api_schema(database_url: str) -> Iterator[schemathesis.BaseSchema]:
    # Schemathesis runs the app's lifespan itself (once per app, ended after the test), so the partner
    # gateway is in place; a test client's second lifespan would replace the app's state meanwhile.
    app = create_app(settings_for(database_url, rate_machine_per_second=0))
    yield schemathesis.openapi.from_asgi("/openapi.json", app)


def test_the_api_keeps_its_openapi_contract(api_schema) -> None:
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def exercise(case: schemathesis.Case) -> None:
            # The API's rules go beyond JSON Schema (a station must exist, dfn or icn must be given), so
            # "schema-valid input is accepted" does not hold by design; every other check runs.
            case.call_and_validate(
                headers=SERVICE, excluded_checks=[schemathesis.checks.positive_data_acceptance]
            )

        try:
            exercise()
        except (
            Exception,
            BaseExceptionGroup,
        ) as exc:  # collect every operation's failures, report them together
            failures[operation.label] = str(exc)[:1500]
    assert failures == {}, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_the_clinical_service_typeahead_answers_on_every_backend(client) -> None:
    """Schemathesis found this one: DISTINCT with ORDER BY length(name) failed on PostgreSQL."""
    answer = client.get("/api/v1/clinical-services", params={"q": "ortho"}, headers=SERVICE)
    assert answer.status_code == 200
    assert answer.json()[0]["name"] == "ORTHOPEDICS"
    by_synonym = client.get("/api/v1/clinical-services", params={"q": "foot care"}, headers=SERVICE)
    assert by_synonym.status_code == 200 and by_synonym.json()
