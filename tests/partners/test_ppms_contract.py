"""The PPMS client parses every recorded DWS payload, and the fake answers in the same shape."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from dst.partners.errors import FailureKind, PartnerError
from dst.partners.ppms.client import PpmsClient
from dst.partners.ppms.fake import create_app
from dst.partners.types import Address, CommunityProvider, GeoPoint

from harness import recorded_partner

FIXTURES, pytestmark = recorded_partner("ppms")
BASE = "https://np.dws.ppms.test"
LEONARDO_NJ = GeoPoint(lat=40.415217, lng=-74.057114)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def replaying(name: str, status: int = 200) -> httpx2.AsyncClient:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    # As recorded, PPMS labels its 500 bodies text/html although they are JSON.
    content_type = "application/json" if status == 200 else "text/html; charset=utf-8"

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, text=text, headers={"content-type": content_type})

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handler))


@pytest.mark.anyio
async def test_podiatrist_search_parses_every_row_nearest_first() -> None:
    async with replaying("provider_locator_podiatrist_213E00000X.json") as http:
        providers = await PpmsClient(BASE, http).provider_locator(LEONARDO_NJ, 200, ["213E00000X"])
    raw = recorded("provider_locator_podiatrist_213E00000X.json")["value"]
    unique_sites = {(r["ProviderIdentifier"], r["CareSite"], r["CareSiteAddressStreet"]) for r in raw}
    assert len(providers) == len(unique_sites)
    first = providers[0]
    assert first == CommunityProvider(
        provider_id="1154383230",
        name="GESUALDI, AMY",
        care_site="VISITING NURSE ASSOCIATION OF CENTRAL J",
        address=Address(line1="176 RIVERSIDE AVE", city="RED BANK", state="NJ", zip="07701-1063"),
        location=GeoPoint(lat=40.35396, lng=-74.07492),
        specialty_codes=("213E00000X",),
        distance_miles=5.474,
        drive_minutes=13.583,
        phone="732-219-6625",
        network="CCN Region 1",
        accepting_new_patients=True,
        specialty_names=("Podiatrist",),
    )
    distances = [p.distance_miles or 0 for p in providers]
    assert distances == sorted(distances)


@pytest.mark.anyio
async def test_place_of_service_rows_have_the_same_row_shape() -> None:
    async with replaying("place_of_service_locator_urgent_care_pos17.json") as http:
        providers = await PpmsClient(BASE, http).provider_locator(LEONARDO_NJ, 200, ["261QU0200X"])
    raw = recorded("place_of_service_locator_urgent_care_pos17.json")["value"]
    # PPMS also answers with rows of other specialties (261QP2000X, 193200000X here); only the rows of
    # the specialty asked for are kept, so no other kind of provider reaches the list.
    asked = [r for r in raw if r["SpecialtyCode"] == "261QU0200X"]
    assert len(asked) < len(raw)
    assert len(providers) == len(asked)
    assert {p.specialty_codes for p in providers} == {("261QU0200X",)}
    assert [p.distance_miles for p in providers] == sorted(r["Miles"] for r in asked)


@pytest.mark.anyio
async def test_specialties_parse() -> None:
    async with replaying("specialties.json") as http:
        rows = await PpmsClient(BASE, http).specialties()
    assert [r["SpecialtyCode"] for r in rows][:3] == ["101Y00000X", "101YA0400X", "101YM0800X"]
    assert rows[2]["Name"] == "Counselor - Mental Health"


@pytest.mark.anyio
async def test_no_providers_found_500_is_an_empty_answer() -> None:
    async with replaying("provider_locator_no_providers_found_http500.json", status=500) as http:
        assert await PpmsClient(BASE, http).provider_locator(LEONARDO_NJ, 40, ["213E00000X"]) == []


@pytest.mark.anyio
async def test_other_500_is_unavailable() -> None:
    async with replaying("provider_locator_error_http500.json", status=500) as http:
        with pytest.raises(PartnerError) as caught:
            await PpmsClient(BASE, http).provider_locator(LEONARDO_NJ, 40, ["213E00000X"])
    assert caught.value.kind is FailureKind.UNAVAILABLE


@pytest.mark.anyio
async def test_error_object_with_http_200_is_a_fault() -> None:
    async with replaying("providers_by_id_not_found.json") as http:
        with pytest.raises(PartnerError) as caught:
            await PpmsClient(BASE, http).provider_locator(LEONARDO_NJ, 40, ["213E00000X"])
    assert caught.value.kind is FailureKind.FAULT


# --- the fake speaks the recorded shape -------------------------------------------------------


@pytest.mark.anyio
async def test_fake_rows_and_envelopes_have_the_recorded_keys() -> None:
    real = recorded("provider_locator_podiatrist_213E00000X.json")
    real_rows = [
        CommunityProvider(
            provider_id=r["ProviderIdentifier"],
            name=r["ProviderName"],
            care_site=r["CareSite"],
            address=Address(line1=r["CareSiteAddressStreet"], city=r["CareSiteAddressCity"]),
            location=GeoPoint(lat=r["Latitude"], lng=r["Longitude"]),
            specialty_codes=(r["SpecialtyCode"],),
        )
        for r in real["value"]
    ]
    transport = httpx2.ASGITransport(app=create_app(real_rows))
    async with httpx2.AsyncClient(transport=transport, base_url=BASE) as http:
        params = {"address": "40.415217,-74.057114", "radius": "200", "specialtycode1": "213E00000X"}
        located = (await http.get("/v1.0/ProviderLocator", params=params)).json()
        specialties = (await http.get("/v1.0/Specialties")).json()
        nothing = await http.get("/v1.0/ProviderLocator", params={**params, "specialtycode1": "000000000X"})
    assert located.keys() == real.keys()
    assert located["value"][0].keys() == real["value"][0].keys()
    assert len(located["value"]) == len(real["value"])
    assert specialties.keys() == recorded("specialties.json").keys()
    assert specialties["value"][0].keys() == recorded("specialties.json")["value"][0].keys()
    assert nothing.status_code == 500
    assert nothing.json() == recorded("provider_locator_no_providers_found_http500.json")
