"""The fake Lighthouse enforces the documented query rules and answers like the real API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest

from dst.partners.facilities.fake import create_app
from dst.partners.types import Address, FacilityRecord, GeoPoint

KEY = "demo-key"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def site(station: str, lat: float, services: tuple[str, ...], state: str = "OH") -> FacilityRecord:
    return FacilityRecord(
        facility_id=f"vha_{station}",
        name=f"Site {station}",
        facility_type="va_health_facility",
        classification="Primary Care CBOC",
        visn="10",
        address=Address(line1="1 Main St", city="Town", state=state, zip="43219"),
        location=GeoPoint(lat=lat, lng=-83.0),
        phone=None,
        services=services,
        wait_days={},
    )


SITES = [
    site("757", 40.0, ("primaryCare", "mentalHealth")),
    site("757GA", 40.5, ("primaryCare",)),
    site("539", 39.1, ("cardiology",), state="KY"),
]


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=create_app(SITES, api_key=KEY))
    async with httpx2.AsyncClient(
        transport=transport, base_url="http://f", headers={"apikey": KEY}
    ) as client:
        yield client


async def ids(http: httpx2.AsyncClient, **params: Any) -> list[str]:
    response = await http.get("/facilities", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


@pytest.mark.anyio
@pytest.mark.parametrize(
    "params",
    [
        {"lat": "40"},
        {"long": "-83"},
        {"radius": "10"},
        {"lat": "40", "long": "-83", "state": "OH"},
        {"state": "OH", "zip": "43219"},
        {"facilityIds": "vha_757", "state": "OH"},
        {"visn": "10", "type": "health"},
        {"bbox[]": ["-84", "39", "-82"]},
        {"bbox[]": ["-84", "39", "-82", "x"]},
        {"type": "hospital"},
        {"services[]": "Juggling"},
        {"state": "Ohio"},
        {"zip": "4321"},
        {"page": "0"},
        {"per_page": "-1"},
        {"per_page": "5000"},
        {"lat": "91", "long": "0"},
        {"mobile": "maybe"},
    ],
)
async def test_bad_parameter_combinations_get_400(http: httpx2.AsyncClient, params: dict[str, Any]) -> None:
    response = await http.get("/facilities", params=params)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error.keys() == {"title", "detail", "code", "status"}
    assert error["status"] == "400"


@pytest.mark.anyio
async def test_missing_and_wrong_keys_get_401_with_the_recorded_message() -> None:
    transport = httpx2.ASGITransport(app=create_app(SITES, api_key=KEY))
    async with httpx2.AsyncClient(transport=transport, base_url="http://f") as http:
        missing = await http.get("/facilities")
        wrong = await http.get("/facilities/vha_757", headers={"apikey": "nope"})
    assert missing.status_code == wrong.status_code == 401
    assert wrong.json() == {"message": "Invalid authentication credentials"}


@pytest.mark.anyio
async def test_lat_long_query_sorts_by_distance_and_reports_miles(http: httpx2.AsyncClient) -> None:
    response = await http.get("/facilities", params={"lat": "40.4", "long": "-83.0", "radius": "50"})
    body = response.json()
    assert [item["id"] for item in body["data"]] == ["vha_757GA", "vha_757"]
    distances = body["meta"]["distances"]
    assert [d["id"] for d in distances] == ["vha_757GA", "vha_757"]
    assert 6 < distances[0]["distance"] < 8  # 0.1 degree of latitude is about 6.9 miles


@pytest.mark.anyio
async def test_filters_accept_v0_and_v1_service_spellings(http: httpx2.AsyncClient) -> None:
    assert await ids(http, **{"services[]": "MentalHealthCare"}) == ["vha_757"]
    assert await ids(http, **{"services[]": "mentalHealth"}) == ["vha_757"]
    assert await ids(http, **{"services[]": ["Cardiology", "mentalHealth"]}) == ["vha_539", "vha_757"]
    assert await ids(http, state="KY") == ["vha_539"]
    assert await ids(http, **{"bbox[]": ["-84", "39.9", "-82", "40.6"], "type": "health"}) == [
        "vha_757",
        "vha_757GA",
    ]
    assert await ids(http, type="cemetery") == []


@pytest.mark.anyio
async def test_paging_links_walk_forward_and_back(http: httpx2.AsyncClient) -> None:
    first = (await http.get("/facilities", params={"type": "health", "per_page": "2"})).json()
    assert "prev" not in first["links"]
    second = (await http.get(first["links"]["next"])).json()
    assert second["meta"]["pagination"] == {
        "currentPage": 2,
        "perPage": 2,
        "totalPages": 2,
        "totalEntries": 3,
    }
    assert "next" not in second["links"]
    assert second["links"]["prev"] == first["links"]["self"]
    assert "type=health" in second["links"]["last"]
    counts = (await http.get("/facilities", params={"per_page": "0"})).json()
    assert counts["data"] == []
    assert counts["meta"]["pagination"]["totalEntries"] == 3


@pytest.mark.anyio
async def test_single_facility_services_and_ids(http: httpx2.AsyncClient) -> None:
    one = await http.get("/facilities/vha_539")
    assert one.json()["data"]["attributes"]["name"] == "Site 539"
    missing = await http.get("/facilities/vha_000")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["status"] == "404"
    services = (await http.get("/facilities/vha_757/services")).json()["data"]
    assert [s["serviceInfo"]["serviceId"] for s in services] == ["primaryCare", "mentalHealth"]
    assert services[0]["waitTime"].keys() == {"new", "established", "effectiveDate"}
    assert (await http.get("/ids", params={"type": "health"})).json() == {
        "data": ["vha_539", "vha_757", "vha_757GA"]
    }


@pytest.mark.anyio
async def test_nearby_bands_follow_the_estimator_and_the_drive_time_limit(http: httpx2.AsyncClient) -> None:
    body = (await http.get("/nearby", params={"lat": "40.0", "lng": "-83.0", "drive_time": "60"})).json()
    bands = [(d["id"], d["attributes"]["minTime"], d["attributes"]["maxTime"]) for d in body["data"]]
    # 0 mi → 0-10; 34.5 mi × 1.3 at 50 mph ≈ 54 min → 50-60; Cincinnati (~62 mi) is past 60 minutes.
    assert bands == [("vha_757", 0, 10), ("vha_757GA", 50, 60)]
    assert body["meta"]["bandVersion"] == "FAKE-ESTIMATE"
    only_mh = await http.get(
        "/nearby", params={"lat": "40.0", "lng": "-83.0", "services[]": "MentalHealthCare"}
    )
    assert [d["id"] for d in only_mh.json()["data"]] == ["vha_757"]
    for bad in ({"lat": "40"}, {"lat": "40", "long": "-83"}, {"lat": "40", "lng": "-83", "drive_time": "45"}):
        assert (await http.get("/nearby", params=bad)).status_code == 400
