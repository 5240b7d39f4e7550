"""Drive time: the OSRM table client against the OSRM-compatible fake, and the labelled estimator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest

from dst.partners.errors import FailureKind, PartnerError
from dst.partners.routing.client import RoutingClient, drive_time_source, osrm_coordinates
from dst.partners.routing.estimator import (
    AVERAGE_SPEED_MPH,
    ROAD_CIRCUITY_FACTOR,
    DriveTimeEstimator,
)
from dst.partners.routing.fake import create_app
from dst.partners.types import GeoPoint

COLUMBUS = GeoPoint(lat=39.98048191, lng=-82.91230307)  # vha_757
DAYTON = GeoPoint(lat=39.7429, lng=-84.2594)
CINCINNATI = GeoPoint(lat=39.1398, lng=-84.5104)
BASE = "http://osrm.fake"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app()), base_url=BASE) as client:
        yield client


def test_great_circle_distance_matches_a_known_pair() -> None:
    # Columbus OH to Dayton OH is about 73 miles as the crow flies.
    assert 70 < COLUMBUS.miles_to(DAYTON) < 76
    assert COLUMBUS.miles_to(COLUMBUS) == 0


@pytest.mark.anyio
async def test_estimate_says_it_is_an_estimate_and_how() -> None:
    [result] = await DriveTimeEstimator().drive_minutes(COLUMBUS, [("vha_552", DAYTON)])
    miles = COLUMBUS.miles_to(DAYTON)
    assert result.source == "estimate"
    assert result.method == f"estimate: 1.3 × straight-line {miles:.1f} mi at 50 mph"
    assert result.minutes == pytest.approx(miles * ROAD_CIRCUITY_FACTOR / AVERAGE_SPEED_MPH * 60, abs=0.05)


def test_osrm_coordinates_are_longitude_first() -> None:
    assert osrm_coordinates([GeoPoint(lat=1.5, lng=-2.25)]) == "-2.250000,1.500000"


@pytest.mark.anyio
async def test_client_reads_the_fake_router_in_destination_order(http: httpx2.AsyncClient) -> None:
    destinations = [("vha_552", DAYTON), ("vha_539", CINCINNATI), ("vha_757", COLUMBUS)]
    routed = await RoutingClient(BASE, http).drive_minutes(COLUMBUS, destinations)
    estimated = await DriveTimeEstimator().drive_minutes(COLUMBUS, destinations)
    assert [d.destination_id for d in routed] == ["vha_552", "vha_539", "vha_757"]
    assert [d.minutes for d in routed] == [d.minutes for d in estimated]
    assert routed[2].minutes == 0
    assert {d.source for d in routed} == {"routing"}
    assert all(d.method.startswith("routing: OSRM") for d in routed)


@pytest.mark.anyio
async def test_no_destinations_means_no_call() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise AssertionError("no request expected")

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(refuse)) as http:
        assert await RoutingClient(BASE, http).drive_minutes(COLUMBUS, []) == []


@pytest.mark.anyio
async def test_fake_answers_invalid_query_for_bad_coordinates(http: httpx2.AsyncClient) -> None:
    response = await http.get("/table/v1/driving/-82.9,39.9;-200,39.7", params={"sources": "0"})
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidQuery"
    single = await http.get("/table/v1/driving/-82.9,39.9", params={"sources": "0"})
    assert single.status_code == 400


@pytest.mark.anyio
async def test_out_of_range_destination_is_rejected(http: httpx2.AsyncClient) -> None:
    with pytest.raises(PartnerError) as caught:
        await RoutingClient(BASE, http).drive_minutes(COLUMBUS, [("x", GeoPoint(lat=95.0, lng=0.0))])
    assert caught.value.kind is FailureKind.REJECTED


def mock(handler_response: httpx2.Response | Exception) -> httpx2.AsyncClient:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if isinstance(handler_response, Exception):
            raise handler_response
        return handler_response

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handler))


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (httpx2.ReadTimeout("slow"), FailureKind.TIMEOUT),
        (httpx2.ConnectError("refused"), FailureKind.UNAVAILABLE),
        (httpx2.Response(502, text="bad gateway"), FailureKind.UNAVAILABLE),
        (httpx2.Response(200, text="<html>"), FailureKind.MALFORMED),
        (httpx2.Response(200, json={"code": "Ok", "durations": [[0]]}), FailureKind.MALFORMED),
        (httpx2.Response(200, json={"code": "Ok", "durations": [[0, "x"]]}), FailureKind.MALFORMED),
        (httpx2.Response(200, json={"code": "NoTable"}), FailureKind.REJECTED),
    ],
)
async def test_router_failures_are_named(answer: httpx2.Response | Exception, kind: FailureKind) -> None:
    async with mock(answer) as http:
        with pytest.raises(PartnerError) as caught:
            await RoutingClient(BASE, http).drive_minutes(COLUMBUS, [("vha_552", DAYTON)])
    assert caught.value.kind is kind
    assert "39.7" not in caught.value.message  # no coordinates (a residence) in the message


@pytest.mark.anyio
async def test_unreachable_destination_has_no_minutes() -> None:
    async with mock(httpx2.Response(200, json={"code": "Ok", "durations": [[0, None]]})) as http:
        [result] = await RoutingClient(BASE, http).drive_minutes(COLUMBUS, [("vha_358", DAYTON)])
    assert result.minutes is None
    assert "no route" in result.method


@pytest.mark.anyio
async def test_without_a_routing_url_drive_times_are_estimates(http: httpx2.AsyncClient) -> None:
    assert isinstance(drive_time_source(None, http), DriveTimeEstimator)
    assert isinstance(drive_time_source("", http), DriveTimeEstimator)
    routed = drive_time_source(BASE, http)
    assert isinstance(routed, RoutingClient)
    [result] = await routed.drive_minutes(COLUMBUS, [("vha_552", DAYTON)])
    assert result.source == "routing"
