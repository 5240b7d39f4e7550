"""The Facilities client parses every recorded Lighthouse payload, and the fake answers in the same shape."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from dst.partners.errors import FailureKind, PartnerError
from dst.partners.facilities.client import FacilitiesClient
from dst.partners.facilities.fake import create_app
from dst.partners.facilities.nearby import DriveTimeBand
from dst.partners.types import Address, FacilityRecord, GeoPoint

from harness import recorded_partner

FIXTURES, pytestmark = recorded_partner("facilities")
BASE = "https://api.va.test/services/va_facilities/v1"
KEY = "test-key"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def recorded(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def replaying(body: object, status: int = 200, services: object | None = None) -> httpx2.AsyncClient:
    """A client whose transport answers every /facilities call with a recorded body."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/services"):
            return httpx2.Response(200, json=services) if services else httpx2.Response(404, json={})
        return httpx2.Response(status, json=body)

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handler))


# --- recorded v1 payloads ----------------------------------------------------------------------


@pytest.mark.anyio
async def test_v1_facilities_by_ids_parse_with_services() -> None:
    services = {
        "data": [
            {
                "serviceInfo": {"name": "Primary care", "serviceId": "primaryCare", "serviceType": "health"},
                "waitTime": {"new": 12.5, "established": 3.0, "effectiveDate": "2025-05-12"},
            },
            {"serviceInfo": {"name": "Allergy", "serviceId": "allergy", "serviceType": "health"}},
        ]
    }
    body = recorded("v1_facilities_by_ids_vha_757_vha_358_with_services.json")
    async with replaying(body, services=services) as http:
        records = await FacilitiesClient(BASE, http, KEY).get_facilities(["vha_757", "vha_358"])
    by_id = {r.facility_id: r for r in records}
    assert set(by_id) == {"vha_757", "vha_358"}
    columbus = by_id["vha_757"]
    assert columbus.name == "Chalmers P. Wylie Veterans Outpatient Clinic"
    assert columbus.facility_type == "va_health_facility"
    assert columbus.classification == "VA Medical Center (VAMC)"
    assert columbus.visn == "10"
    assert columbus.location == GeoPoint(lat=39.98048191, lng=-82.91230307)
    assert columbus.address == Address(
        line1="420 North James Road", city="Columbus", state="OH", zip="43219-1834"
    )
    assert columbus.phone == "614-257-5200"
    assert columbus.operating_status == "NORMAL"
    assert {"allergy", "audiology", "cardiology", "dental", "covid19Vaccine"} <= set(columbus.services)
    assert columbus.wait_days == {"primaryCare": (12.5, 3.0)}
    manila = by_id["vha_358"]
    assert manila.services == ()  # no services block: nothing to ask /services about
    assert manila.station == "358"


@pytest.mark.anyio
async def test_v1_paginated_listing_first_page() -> None:
    body = recorded("v1_facilities_list_unfiltered_page1_paginated.json")
    async with replaying(body) as http:
        pages = FacilitiesClient("https://<LIGHTHOUSE_DIRECT_DEPOSIT_HOST>", http, KEY).iter_facility_pages()
        page = await anext(aiter(pages))
        await pages.aclose()
    assert page.number == 1
    assert page.total_pages == 256
    assert len(page.records) == 10
    assert page.skipped == ()
    first = page.records[0]
    assert (first.facility_id, first.facility_type) == ("nca_042", "va_cemetery")
    assert first.address.city == "Baxter Springs"
    assert first.location == GeoPoint(lat=37.0320575, lng=-94.7706605)


@pytest.mark.anyio
async def test_v1_bad_key_answer_is_a_rejection() -> None:
    body = recorded("v1_facility_by_id_401_invalid_credentials.json")
    assert body == {"message": "Invalid authentication credentials"}
    async with replaying(body, status=401) as http:
        with pytest.raises(PartnerError) as caught:
            await FacilitiesClient(BASE, http, "wrong").get_facilities(["vha_358"])
    assert caught.value.kind is FailureKind.REJECTED


# --- recorded v0 payloads: the wait-time shape ------------------------------------------------


@pytest.mark.anyio
async def test_v0_bbox_answer_parses_wait_times_and_pascal_case_services() -> None:
    body = recorded("v0_facilities_bbox_health_urgentcare_with_wait_times.json")
    async with replaying(body) as http:
        [east_orange] = await FacilitiesClient(BASE, http, KEY).get_facilities(["vha_561"])
    assert east_orange.facility_type == "va_health_facility"
    assert east_orange.address.line1 == "385 Tremont Avenue"
    assert {"primaryCare", "mentalHealth", "dental", "urgentCare"} <= set(east_orange.services)
    assert not {"MentalHealthCare", "DentalServices", "PrimaryCare"} & set(east_orange.services)
    assert east_orange.wait_days["primaryCare"] == (19.391304, 18.299295)
    assert east_orange.wait_days["mentalHealth"] == (3.964285, 1.37902)
    assert len(east_orange.wait_days) == 12


@pytest.mark.anyio
async def test_v0_ids_answer_keeps_a_missing_established_wait_as_none() -> None:
    body = recorded("v0_facilities_ids_vha_675GA_with_wait_times.json")
    async with replaying(body) as http:
        [clinic] = await FacilitiesClient(BASE, http, KEY).get_facilities(["vha_675GA"])
    assert clinic.station == "675"
    assert clinic.wait_days["dermatology"] == (5.8, None)
    assert clinic.wait_days["ophthalmology"] == (224.0, 0.210526)


@pytest.mark.anyio
async def test_v0_nearby_band_parses() -> None:
    async with replaying(recorded("v0_nearby_drive_time_band.json")) as http:
        answer = await FacilitiesClient(BASE, http, KEY).nearby(GeoPoint(lat=26.2, lng=-98.2), 30)
    assert answer.bands == (DriveTimeBand("vha_675GA", 10, 20),)
    assert answer.band_version is None  # the mock's body has no meta
    async with replaying({}) as http:  # the same mock's answer for a point near no facility
        assert (await FacilitiesClient(BASE, http, KEY).nearby(GeoPoint(lat=25.9, lng=-97.5))).bands == ()


# --- the fake speaks the recorded shape -------------------------------------------------------


def sample_facilities(count: int) -> list[FacilityRecord]:
    return [
        FacilityRecord(
            facility_id=f"vha_{600 + i}",
            name=f"Clinic {i}",
            facility_type="va_health_facility",
            classification="Primary Care CBOC",
            visn="10",
            address=Address(line1=f"{i} Main St", city="Columbus", state="OH", zip="43219"),
            location=GeoPoint(lat=39.9 + i / 100, lng=-82.9),
            phone="614-555-0100",
            services=("primaryCare", "audiology"),
            wait_days={"primaryCare": (10.0 + i, 4.0)},
        )
        for i in range(count)
    ]


async def fake_get(path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    app = create_app(sample_facilities(25), api_key=KEY, path_prefix="/services/va_facilities/v1")
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url=BASE) as http:
        response = await http.get(path, params=params, headers={"apikey": KEY})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.anyio
async def test_fake_listing_has_the_recorded_envelope() -> None:
    real = recorded("v1_facilities_list_unfiltered_page1_paginated.json")
    fake = await fake_get("/facilities", {"type": "health"})
    assert fake.keys() == real.keys()
    assert fake["links"].keys() == real["links"].keys()  # self, first, next, last on a first page
    assert fake["meta"]["pagination"].keys() == real["meta"]["pagination"].keys()


@pytest.mark.anyio
async def test_fake_facility_has_the_recorded_record_shape() -> None:
    real = recorded("v1_facilities_by_ids_vha_757_vha_358_with_services.json")
    fake = await fake_get("/facilities", {"facilityIds": "vha_600,vha_601"})
    real_record, fake_record = real["data"][1], fake["data"][0]
    assert fake_record.keys() == real_record.keys()
    assert fake_record["type"] == real_record["type"]
    assert fake_record["attributes"].keys() <= real_record["attributes"].keys()
    assert fake["links"].keys() == real["links"].keys()  # one page: self, first, last
    real_service, fake_service = (
        real_record["attributes"]["services"]["health"][0],
        fake_record["attributes"]["services"]["health"][0],
    )
    assert fake_service.keys() == real_service.keys()
    real_address = real_record["attributes"]["address"]["physical"]
    assert fake_record["attributes"]["address"]["physical"].keys() == real_address.keys()
