"""FacilitiesClient against the in-process fake over httpx2.ASGITransport: paging, waits, failures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import httpx2
import pytest

from dst.partners.errors import FailureKind, PartnerError
from dst.partners.facilities.client import FacilitiesClient, FacilityPage
from dst.partners.facilities.fake import create_app
from dst.partners.facilities.nearby import DriveTimeBand
from dst.partners.facilities.services import normalize_service_id
from dst.partners.types import Address, FacilityRecord, GeoPoint

BASE = "http://facilities.fake"
KEY = "demo-key"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def facility(i: int, **changes: Any) -> FacilityRecord:
    record = FacilityRecord(
        facility_id=f"vha_{500 + i}",
        name=f"VA Clinic {i}",
        facility_type="va_health_facility",
        classification="Multi-Specialty CBOC",
        visn=str(1 + i % 23),
        address=Address(line1=f"{i} Veterans Way", city="Dayton", state="OH" if i % 2 else "KY", zip="45428"),
        location=GeoPoint(lat=39.0 + i * 0.05, lng=-84.0),
        phone="937-555-0100",
        services=("primaryCare", "mentalHealth") if i % 3 else ("primaryCare",),
        wait_days={"primaryCare": (float(i), 2.0)},
        operating_status="NORMAL",
    )
    return replace(record, **changes)


NETWORK = [facility(i) for i in range(23)] + [
    facility(99, facility_id="vba_317", facility_type="va_benefits_facility", services=(), wait_days={})
]


def client_for(app: Any, api_key: str = KEY, **options: Any) -> tuple[httpx2.AsyncClient, FacilitiesClient]:
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app))
    return http, FacilitiesClient(BASE, http, api_key, **options)


async def all_pages(client: FacilitiesClient, page_size: int) -> list[FacilityPage]:
    return [page async for page in client.iter_facility_pages(page_size=page_size)]


@pytest.mark.anyio
async def test_every_health_facility_arrives_across_pages_with_wait_times_from_services() -> None:
    http, client = client_for(create_app(NETWORK, api_key=KEY))
    async with http:
        pages = await all_pages(client, page_size=5)
    assert [p.number for p in pages] == [1, 2, 3, 4, 5]
    assert {p.total_pages for p in pages} == {5}
    records = [r for p in pages for r in p.records]
    assert sorted(r.facility_id for r in records) == sorted(f.facility_id for f in NETWORK[:23])
    assert {r.facility_id: r.wait_days for r in records} == {f.facility_id: f.wait_days for f in NETWORK[:23]}
    assert all(p.skipped == () and p.wait_times_missing == () for p in pages)


@pytest.mark.anyio
async def test_inline_wait_times_need_no_per_facility_call() -> None:
    calls: list[str] = []
    app = create_app(NETWORK, api_key=KEY, inline_wait_times=True)

    async def spy(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["path"])
        await app(scope, receive, send)

    http, client = client_for(spy)
    async with http:
        pages = await all_pages(client, page_size=10)
    assert calls == ["/facilities"] * 3
    assert pages[0].records[0].wait_days == NETWORK[0].wait_days


@pytest.mark.anyio
async def test_get_facilities_by_id_ignores_unknown_ids() -> None:
    http, client = client_for(create_app(NETWORK, api_key=KEY))
    async with http:
        records = await client.get_facilities(["vha_503", "vha_nope", "vha_510"])
    assert [r.facility_id for r in records] == ["vha_503", "vha_510"]
    assert records[0] == NETWORK[3]


@pytest.mark.anyio
async def test_a_malformed_record_is_skipped_and_reported() -> None:
    broken = [*NETWORK[:4], facility(7, name="")]
    http, client = client_for(create_app(broken, api_key=KEY))
    async with http:
        [page] = await all_pages(client, page_size=10)
    assert len(page.records) == 4
    assert [(s.facility_id, s.reason) for s in page.skipped] == [("vha_507", "missing name")]


@pytest.mark.anyio
async def test_bad_api_key_is_rejected() -> None:
    http, client = client_for(create_app(NETWORK, api_key=KEY), api_key="stolen")
    async with http:
        with pytest.raises(PartnerError) as caught:
            await all_pages(client, page_size=5)
    assert caught.value.kind is FailureKind.REJECTED
    assert caught.value.code == "FACILITIES-REJECTED"


def failing_on(paths: Sequence[str], app: Any, status: int = 500, body: bytes = b"oops") -> Any:
    """Wrap the fake so the named paths answer `status` with `body`."""

    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] in paths:
            await send({"type": "http.response.start", "status": status, "headers": []})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return wrapper


@pytest.mark.anyio
async def test_server_error_is_unavailable() -> None:
    http, client = client_for(failing_on(["/facilities"], create_app(NETWORK, api_key=KEY)))
    async with http:
        with pytest.raises(PartnerError) as caught:
            await all_pages(client, page_size=5)
    assert caught.value.kind is FailureKind.UNAVAILABLE


@pytest.mark.anyio
async def test_unparsable_answer_is_malformed() -> None:
    app = failing_on(["/facilities"], create_app(NETWORK, api_key=KEY), status=200, body=b"{not json")
    http, client = client_for(app)
    async with http:
        with pytest.raises(PartnerError) as caught:
            await all_pages(client, page_size=5)
    assert caught.value.kind is FailureKind.MALFORMED


@pytest.mark.anyio
async def test_one_facility_without_readable_waits_is_kept_and_reported() -> None:
    app = failing_on(["/facilities/vha_501/services"], create_app(NETWORK[:3], api_key=KEY))
    http, client = client_for(app)
    async with http:
        [page] = await all_pages(client, page_size=10)
    assert [r.facility_id for r in page.records] == ["vha_500", "vha_501", "vha_502"]
    assert page.wait_times_missing == ("vha_501",)
    assert page.records[1].wait_days == {}


@pytest.mark.anyio
async def test_timeout_is_named() -> None:
    def hang(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("no answer", request=request)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(hang)) as http:
        with pytest.raises(PartnerError) as caught:
            await FacilitiesClient(BASE, http, KEY).get_facilities(["vha_500"])
    assert caught.value.kind is FailureKind.TIMEOUT


@pytest.mark.anyio
async def test_next_link_to_another_host_is_not_followed() -> None:
    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"data": [], "links": {"next": "https://evil.example/facilities"}})

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(answer)) as http:
        with pytest.raises(PartnerError) as caught:
            await all_pages(FacilitiesClient(BASE, http, KEY), page_size=5)
    assert caught.value.kind is FailureKind.MALFORMED


@pytest.mark.anyio
async def test_a_next_link_pointing_back_ends_the_walk() -> None:
    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"data": [], "links": {"next": str(request.url)}})

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(answer)) as http:
        pages = await all_pages(FacilitiesClient(BASE, http, KEY), page_size=5)
    assert len(pages) == 1


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("PrimaryCare", "primaryCare"),
        ("primaryCare", "primaryCare"),
        ("MentalHealthCare", "mentalHealth"),
        ("DentalServices", "dental"),
        ("WomensHealth", "womensHealth"),
        ("COVID19VACCINE", "covid19Vaccine"),
        ("SomethingNew", "somethingNew"),
    ],
)
def test_service_names_normalise_to_v1_ids(given: str, expected: str) -> None:
    assert normalize_service_id(given) == expected


@pytest.mark.anyio
async def test_a_numeric_visn_is_read_as_text() -> None:
    item = {
        "id": "vha_999",
        "type": "va_facilities",
        "attributes": {"name": "X", "facilityType": "va_health_facility", "visn": 7, "lat": 1, "long": 2},
    }

    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"data": [item], "links": {}, "meta": {}})

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(answer)) as http:
        [record] = await FacilitiesClient(BASE, http, KEY).get_facilities(["vha_999"])
    assert (record.visn, record.location) == ("7", GeoPoint(lat=1.0, lng=2.0))


@pytest.mark.anyio
async def test_nearby_round_trip_gives_bands_and_version() -> None:
    http, client = client_for(create_app(NETWORK, api_key=KEY))
    async with http:
        answer = await client.nearby(GeoPoint(lat=39.0, lng=-84.0), drive_time_minutes=30)
        none = await client.nearby(GeoPoint(lat=20.0, lng=-150.0))
        mental = await client.nearby(GeoPoint(lat=39.0, lng=-84.0), 90, ["MentalHealthCare", "dental"])
    assert answer.band_version == "FAKE-ESTIMATE"
    assert answer.bands[0] == DriveTimeBand("vha_500", 0, 10)
    assert all(b.max_minutes <= 30 for b in answer.bands)
    assert none.bands == ()
    offering = {f.facility_id for f in NETWORK if "mentalHealth" in f.services}
    assert mental.bands and {b.facility_id for b in mental.bands} <= offering
