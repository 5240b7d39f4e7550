"""Identifiers take ASCII digits only: `\\d` also accepts other scripts' digits, so one consult number
could be written several ways and open several records."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dst.consults.models import DstRecord

from factories import consult, ordinary, veteran
from harness import SERVICE, sign_in

PROBLEM = "application/problem+json"
FIRST = veteran(ordinary)

# Arabic-Indic, fullwidth and Devanagari digits.
UNICODE_DIGITS = ("٦٨٨", "６８８", "६८८")


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_identifiers_take_ascii_digits_only(client, digits: str) -> None:
    from urllib.parse import urlencode

    body = consult(FIRST)
    cases = {
        "station": digits,
        "consultNumber": digits + "1",
        "orderNumber": digits,
        "dfn": digits,
        "icn": digits + FIRST.icn[3:],
    }
    with client.app.state.sessions() as session:
        before = len(session.scalars(select(DstRecord.id)).all())
    for field, value in cases.items():
        refused = client.post("/api/v1/dst", json={**body, field: value}, headers=SERVICE)
        assert refused.status_code == 422, field
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    sign_in(client)
    for field in ("station", "consultNumber", "dfn", "icn"):
        query = urlencode({**body, "signed": "false", field: cases[field]})
        assert client.get(f"/launch?{query}", follow_redirects=False).status_code == 422, field
    asked = client.get("/ctb/v1/requires-dst", params={"service": "CARDIOLOGY", "station": digits})
    assert asked.status_code == 422
    with client.app.state.sessions() as session:
        assert len(session.scalars(select(DstRecord.id)).all()) == before


def test_the_other_digit_patterns_are_ascii_and_whole_value() -> None:
    from pydantic import ValidationError

    from dst.consults.api import parse_if_match
    from dst.dsv.fhir import EDIPI
    from dst.dsv.schemas import EdipiQuery
    from dst.errors import Invalid

    assert parse_if_match('"3"') == 3 and parse_if_match('W/"12"') == 12
    for etag in ('"３"', '"٣"'):
        with pytest.raises(Invalid):
            parse_if_match(etag)
    assert EDIPI.match("1234567890")
    assert not EDIPI.match("１２３４５６７８９０") and not EDIPI.match("1234567890\n")
    assert EdipiQuery(edipi="1234567890").edipi == "1234567890"
    with pytest.raises(ValidationError):
        EdipiQuery(edipi="１２３４５６７８９０")
