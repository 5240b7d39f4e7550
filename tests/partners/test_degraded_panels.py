"""Every partner failure in the issue's "Bad input" list gives a named, degraded panel: never a 500,
never a silent "not eligible". Partners are real HTTP servers (the fakes), switched to failing per test."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import anyio
import httpx2
import pytest
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse, Response

from dst.demo.model import DemoVeteran
from dst.partners.ee import fake as ee_fake
from dst.partners.mvi import fake as mvi_fake

from factories import consult, days_from_today, key, veteran
from harness import SERVICE, settings_for
from live_server import serve
from partner_servers import PartnerServers, partner_servers

PANELS = ("patient", "facilities", "community-providers", "eligibility")
# A VA appointment within the wait-time standard, so only drive time can make the Veteran eligible.
SOON = {"veteranOption": "opt-out", "forward": False, "nextAvailableDate": days_from_today(3)}
TIMEOUT_S = 1.0


async def _too_slow(scope: Any, receive: Any, send: Any) -> None:
    await anyio.sleep(TIMEOUT_S * 3)
    await PlainTextResponse("late")(scope, receive, send)


# Each way a partner can answer badly, as the raw HTTP the partner would send.
TIMEOUT: Any = _too_slow
UNAVAILABLE = PlainTextResponse("Service Unavailable", status_code=503)
REJECTED = PlainTextResponse("Forbidden", status_code=403)
BAD_REQUEST = PlainTextResponse("Bad Request", status_code=400)
MALFORMED_XML = Response(b"<soap:Envelope><soap:Body><unfinished", 200, media_type="text/xml")
MALFORMED_JSON = Response(b'{"data": [{"id": ', 200, media_type="application/json")
SOAP_FAULT = Response(mvi_fake.soap_fault("env:Server", "Internal error"), 500, media_type="text/xml")
EMPTY_ODATA = Response(b'{"@odata.context": "$metadata#ProviderLocator", "value": []}', 200)


def near_a_medical_center(v: DemoVeteran) -> bool:
    """Minutes from a VA medical center with no deciding E&E code: healthy partners say "not eligible"."""
    return v.scenario.startswith("Not eligible by drive time") and v.station == "688"


@pytest.fixture
def servers(database_url: str) -> Iterator[PartnerServers]:
    with partner_servers(settings_for(database_url)) as running:
        yield running


@pytest.fixture
def dst(database_url: str, servers: PartnerServers) -> Iterator[TestClient]:
    from dst.main import create_app

    settings = settings_for(
        database_url, steel_thread_icn="skip", partner_timeout_s=TIMEOUT_S, **servers.settings()
    )
    with TestClient(create_app(settings)) as client:
        yield client


def dashboard(client: TestClient, v: DemoVeteran, **overrides: Any) -> dict[str, Any]:
    created = client.post("/api/v1/dst", json=consult(v, "ORTHOPEDICS", **overrides), headers=SERVICE)
    assert created.status_code == 201, created.text
    dst_id = created.json()["dstId"]
    out: dict[str, Any] = {}
    for panel in PANELS:
        if panel == "eligibility":  # the wait-time criterion needs the clinic's next available date
            saved = client.put(f"/api/v1/dst/{dst_id}/decision", json=SOON, headers={**SERVICE, **key()})
            assert saved.status_code == 200, saved.text
            out["decision"] = saved.json()
        response = client.get(f"/api/v1/dst/{dst_id}/{panel}", headers=SERVICE)
        assert response.status_code == 200, (panel, response.text)
        out[panel] = response.json()
    assert out["decision"]["eligible"] == out["eligibility"]["eligible"]
    return out


def codes(panel: dict[str, Any]) -> set[str]:
    return {e["code"] for e in panel["errors"]}


def test_with_every_partner_healthy_this_veteran_is_not_eligible(dst: TestClient) -> None:
    """The baseline the failure tests lean on: a failure must turn this False into 'unknown'."""
    board = dashboard(dst, veteran(near_a_medical_center))
    assert board["eligibility"]["eligible"] is False
    assert all(not board[p].get("errors") for p in PANELS if p != "eligibility")


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (TIMEOUT, "EE-TIMEOUT"),
        (UNAVAILABLE, "EE-UNAVAILABLE"),
        (REJECTED, "EE-REJECTED"),
        (MALFORMED_XML, "EE-MALFORMED"),
        (SOAP_FAULT, "EE-FAULT"),
    ],
    ids=["timeout", "5xx", "4xx", "malformed-xml", "soap-fault"],
)
def test_ee_failures_leave_eligibility_unknown(
    dst: TestClient, servers: PartnerServers, answer: Any, code: str
) -> None:
    servers.failing["/ee"] = answer
    board = dashboard(dst, veteran(near_a_medical_center))
    assert code in codes(board["patient"])
    assert board["patient"]["eligibilityCodes"] is None
    assert code in codes(board["facilities"]) and board["facilities"]["note"]
    assert board["community-providers"]["note"] and board["community-providers"]["providers"] == []
    assert board["eligibility"]["eligible"] is not False
    assert code in board["eligibility"]["partnerErrors"]


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (TIMEOUT, "MVI-TIMEOUT"),
        (UNAVAILABLE, "MVI-UNAVAILABLE"),
        (BAD_REQUEST, "MVI-REJECTED"),
        (MALFORMED_XML, "MVI-MALFORMED"),
        (SOAP_FAULT, "MVI-FAULT"),
    ],
    ids=["timeout", "5xx", "4xx", "malformed-xml", "soap-fault"],
)
def test_mvi_failures_are_named_and_without_an_icn_skip_ee(
    dst: TestClient, servers: PartnerServers, answer: Any, code: str
) -> None:
    servers.failing["/mvi"] = answer
    v = veteran(near_a_medical_center)
    with_icn = dashboard(dst, v)
    assert code in codes(with_icn["patient"]) and with_icn["patient"]["name"] is None
    assert code in with_icn["eligibility"]["partnerErrors"]

    # Timeouts, 5xx and garbage open MVI's breaker, so the next page view is not kept waiting.
    dfn_only = dashboard(dst, v, icn=None)
    mvi = (codes(dfn_only["patient"]) - {"EE-SKIPPED"}).pop()
    assert mvi in (code, "MVI-CIRCUIT-OPEN")
    assert codes(dfn_only["patient"]) == {mvi, "EE-SKIPPED"}
    assert dfn_only["eligibility"]["eligible"] is not False
    assert {mvi, "EE-SKIPPED"} <= set(dfn_only["eligibility"]["partnerErrors"])


@pytest.mark.parametrize(
    ("behaviour", "code"),
    [("multiple-matches", "MVI-MULTIPLE-MATCHES"), ("not-found", "MVI-NOT-FOUND"), ("error", "MVI-FAULT")],
)
def test_mvi_answers_that_identify_no_one(dst: TestClient, behaviour: str, code: str) -> None:
    v = veteran(lambda v: v.mvi_behaviour == behaviour)
    board = dashboard(dst, v, icn=None)
    assert codes(board["patient"]) == {code, "EE-SKIPPED"}
    assert board["patient"]["icn"] is None, "DST must not guess the ICN"
    assert board["eligibility"]["eligible"] is not False


@pytest.mark.parametrize(
    ("behaviour", "code"), [("fault", "EE-FAULT"), ("not-found", "EE-NOT-FOUND")], ids=["fault", "not-found"]
)
def test_ee_answers_without_a_summary(dst: TestClient, behaviour: str, code: str) -> None:
    board = dashboard(dst, veteran(lambda v: v.ee_behaviour == behaviour))
    assert code in codes(board["patient"])
    assert board["eligibility"]["eligible"] is not False


def test_no_address_is_named_and_blocks_no_panel(dst: TestClient) -> None:
    board = dashboard(dst, veteran(lambda v: v.scenario.startswith("No residential address on file")))
    assert "EE-NO-ADDRESS" in codes(board["patient"])
    assert board["patient"]["addressAvailable"] is False
    assert "No address available" in board["facilities"]["note"]
    assert "No address available" in board["community-providers"]["note"]
    assert board["eligibility"]["eligible"] is not False


def test_an_address_without_a_zip_is_not_available_but_its_geocode_is_used(dst: TestClient) -> None:
    board = dashboard(dst, veteran(lambda v: v.scenario.startswith("Address without a ZIP code")))
    assert board["patient"]["addressAvailable"] is False
    assert board["patient"]["location"]["source"] == "E&E geocode of the residential address"
    assert board["facilities"]["facilities"]


def test_no_geocode_falls_back_to_the_zip_centroid(dst: TestClient) -> None:
    board = dashboard(dst, veteran(lambda v: v.scenario.startswith("Address on file but E&E has no geocode")))
    assert board["patient"]["errors"] == []
    assert "centroid" in board["patient"]["location"]["source"]
    assert board["facilities"]["facilities"], "the centroid is enough to rank facilities"


def test_an_address_that_cannot_be_placed_is_named(
    dst: TestClient, servers: PartnerServers, database_url: str
) -> None:
    base = veteran(near_a_medical_center)
    assert base.address is not None
    unplaceable = replace(base, geocode=None, address=replace(base.address, zip="00000"))
    settings = settings_for(database_url)
    servers.failing["/ee"] = ee_fake.create_app(
        [unplaceable], username=settings.ee_username, password=settings.ee_password.get_secret_value()
    )
    board = dashboard(dst, base)
    assert "EE-NO-GEOCODE" in codes(board["patient"])
    assert "could not be placed on the map" in board["facilities"]["note"]
    assert board["eligibility"]["eligible"] is not False


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (TIMEOUT, "ROUTING-TIMEOUT"),
        (UNAVAILABLE, "ROUTING-UNAVAILABLE"),
        (BAD_REQUEST, "ROUTING-REJECTED"),
        (MALFORMED_JSON, "ROUTING-MALFORMED"),
    ],
    ids=["timeout", "5xx", "4xx", "malformed-json"],
)
def test_routing_failures_keep_the_facilities_but_not_the_verdict(
    dst: TestClient, servers: PartnerServers, answer: Any, code: str
) -> None:
    servers.failing["/routing"] = answer
    board = dashboard(dst, veteran(near_a_medical_center))
    facilities = board["facilities"]
    assert code in codes(facilities)
    assert facilities["facilities"] and all(f["driveMinutes"] is None for f in facilities["facilities"])
    assert board["eligibility"]["eligible"] is not False


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (TIMEOUT, "PPMS-TIMEOUT"),
        (UNAVAILABLE, "PPMS-UNAVAILABLE"),
        (BAD_REQUEST, "PPMS-REJECTED"),
        (MALFORMED_JSON, "PPMS-MALFORMED"),
    ],
    ids=["timeout", "5xx", "4xx", "malformed-json"],
)
def test_ppms_failures_degrade_only_the_providers_panel(
    dst: TestClient, servers: PartnerServers, answer: Any, code: str
) -> None:
    servers.failing["/ppms"] = answer
    board = dashboard(dst, veteran(near_a_medical_center))
    assert codes(board["community-providers"]) == {code}
    assert board["patient"]["errors"] == [] and board["facilities"]["errors"] == []
    assert board["eligibility"]["eligible"] is False, "PPMS does not decide eligibility"


def test_an_empty_ppms_answer_says_so(dst: TestClient, servers: PartnerServers) -> None:
    servers.failing["/ppms"] = EMPTY_ODATA
    providers = dashboard(dst, veteran(near_a_medical_center))["community-providers"]
    assert providers["errors"] == [] and providers["providers"] == []
    assert providers["note"] == "PPMS lists no community providers within 100 miles."


@pytest.mark.parametrize("prefix", ["/facilities", "/seoc"])
def test_reference_partners_are_not_on_the_hot_path(
    dst: TestClient, servers: PartnerServers, prefix: str
) -> None:
    servers.failing[prefix] = UNAVAILABLE
    board = dashboard(dst, veteran(near_a_medical_center))
    assert all(not board[p].get("errors") for p in PANELS if p != "eligibility")
    assert board["eligibility"]["eligible"] is False
    assert servers.requests[prefix] == 0


def test_a_page_view_calls_each_partner_at_most_once(database_url: str, servers: PartnerServers) -> None:
    """All four panels fetched at once, as the page does, over real HTTP; requests counted at the fakes."""
    from dst.main import create_app

    settings = settings_for(database_url, steel_thread_icn="skip", **servers.settings())
    with serve(create_app(settings)) as base:

        async def page_view() -> list[int]:
            async with httpx2.AsyncClient(base_url=base, headers=SERVICE, timeout=30) as http:
                body = consult(veteran(near_a_medical_center), "ORTHOPEDICS")
                dst_id = (await http.post("/api/v1/dst", json=body)).json()["dstId"]
                answers = await asyncio.gather(*(http.get(f"/api/v1/dst/{dst_id}/{p}") for p in PANELS))
                return [a.status_code for a in answers]

        assert anyio.run(page_view) == [200] * 4
    assert {p: servers.requests[p] for p in ("/mvi", "/ee", "/ppms", "/routing")} == {
        "/mvi": 1,
        "/ee": 1,
        "/ppms": 1,
        "/routing": 1,
    }
    assert servers.requests["/facilities"] == servers.requests["/seoc"] == 0
