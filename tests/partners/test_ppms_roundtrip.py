"""PpmsClient against the in-process fake: code groups of five, merging, empty searches, failures."""

from __future__ import annotations

import math
from typing import Any

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dst.partners.errors import FailureKind, PartnerError
from dst.partners.ppms.client import PpmsClient, code_groups, locator_params
from dst.partners.ppms.fake import create_app
from dst.partners.ppms.index import CareSiteIndex
from dst.partners.types import Address, CommunityProvider, GeoPoint

BASE = "http://ppms.fake"
TAMPA = GeoPoint(lat=27.95, lng=-82.46)
CODES = [f"20{n:02d}00000X" for n in range(12)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def provider(n: int, lat: float, codes: tuple[str, ...], site: str = "") -> CommunityProvider:
    return CommunityProvider(
        provider_id=f"{1_000_000_000 + n}",
        name=f"Provider {n}",
        care_site=site or f"Care Site {n}",
        address=Address(line1=f"{n} Bay St", city="Tampa", state="FL", zip="33602"),
        location=GeoPoint(lat=lat, lng=TAMPA.lng),
        specialty_codes=codes,
        phone="813-555-0100",
        network="CCN Region 3",
        accepting_new_patients=True,
    )


# One provider per code, each a little further north; provider 99 has two codes in two groups.
DIRECTORY = [provider(n, TAMPA.lat + 0.01 * (n + 1), (code,)) for n, code in enumerate(CODES)] + [
    provider(99, TAMPA.lat + 0.001, (CODES[0], CODES[7])),
    provider(500, TAMPA.lat + 3.0, (CODES[0],)),  # about 207 miles away
]


class Recorder:
    """Wraps the fake and remembers every ProviderLocator query."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.queries: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.queries.append(scope["query_string"].decode())
        await self.app(scope, receive, send)


async def locate(codes: list[str], radius: float = 40, max_results: int = 50) -> tuple[list[Any], Recorder]:
    recorder = Recorder(create_app(DIRECTORY))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=recorder)) as http:
        found = await PpmsClient(BASE, http).provider_locator(TAMPA, radius, codes, max_results)
    return found, recorder


def test_codes_go_out_in_groups_of_five_without_repeats() -> None:
    assert code_groups([*CODES, CODES[0]]) == [tuple(CODES[:5]), tuple(CODES[5:10]), tuple(CODES[10:])]


def test_query_uses_the_current_unquoted_form() -> None:
    params = locator_params(TAMPA, 40.2, ["207QA0505X", "363LP2300X"], 50)
    assert params["address"] == "27.950000,-82.460000"
    assert params["radius"] == "41"  # whole miles, rounded up so nobody inside is lost
    assert (params["specialtycode1"], params["specialtycode2"]) == ("207QA0505X", "363LP2300X")
    assert "specialtycode3" not in params
    assert locator_params(TAMPA, 9999, ["x"], 5)["radius"] == "500"


@pytest.mark.anyio
async def test_twelve_codes_take_three_calls_and_merge_nearest_first() -> None:
    found, recorder = await locate(CODES)
    assert len(recorder.queries) == 3
    assert all("specialtycode6" not in q for q in recorder.queries)
    assert [p.provider_id for p in found][:2] == ["1000000099", "1000000000"]
    assert len(found) == len(CODES) + 1  # provider 99 once, although two groups returned it
    assert found[0].specialty_codes == (CODES[0], CODES[7])
    miles = [p.distance_miles or 0 for p in found]
    assert miles == sorted(miles)
    assert found[1].drive_minutes is not None and found[1].drive_minutes > 0


@pytest.mark.anyio
async def test_max_results_caps_the_merged_list() -> None:
    found, _ = await locate(CODES, max_results=3)
    assert len(found) == 3


@pytest.mark.anyio
async def test_radius_limits_the_search() -> None:
    near, _ = await locate([CODES[0]], radius=40)
    far, _ = await locate([CODES[0]], radius=250)
    assert [p.provider_id for p in near] == ["1000000099", "1000000000"]
    assert far[-1].provider_id == "1000000500"


@pytest.mark.anyio
async def test_nothing_nearby_is_an_empty_list_not_an_error() -> None:
    found, recorder = await locate(["999999999X"])
    assert found == []
    assert len(recorder.queries) == 1


@pytest.mark.anyio
async def test_no_codes_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="specialty code"):
        await locate([])


@pytest.mark.anyio
async def test_fake_refuses_queries_it_cannot_read() -> None:
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(DIRECTORY))) as http:
        for params in (
            {"address": "'58 Leonard Ave, Leonardo, NJ'", "radius": "40", "specialtycode1": CODES[0]},
            {"address": "27.95,-82.46", "radius": "0", "specialtycode1": CODES[0]},
            {"address": "27.95,-82.46", "radius": "40"},
        ):
            response = await http.get(f"{BASE}/v1.0/ProviderLocator", params=params)
            assert response.status_code == 400
            assert response.json()["error"]["message"]
        legacy = {"address": "'27.95,-82.46'", "radius": "40", "specialtycode1": f"'{CODES[0]}'"}
        assert (await http.get(f"{BASE}/v1.0/ProviderLocator", params=legacy)).status_code == 200


def mock(answer: httpx2.Response | Exception) -> httpx2.AsyncClient:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handler))


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (httpx2.ReadTimeout("slow"), FailureKind.TIMEOUT),
        (httpx2.ConnectError("refused"), FailureKind.UNAVAILABLE),
        (httpx2.Response(503, text="down"), FailureKind.UNAVAILABLE),
        (httpx2.Response(500, text="<html>oops</html>"), FailureKind.UNAVAILABLE),
        (httpx2.Response(403, json={"message": "Forbidden"}), FailureKind.REJECTED),
        (httpx2.Response(200, text="{truncated"), FailureKind.MALFORMED),
        (httpx2.Response(200, json=[1, 2]), FailureKind.MALFORMED),
        (httpx2.Response(200, json={"value": {"Miles": 1}}), FailureKind.MALFORMED),
        (httpx2.Response(200, json={"value": [{"Miles": 1}]}), FailureKind.MALFORMED),
    ],
)
async def test_failures_are_named(answer: httpx2.Response | Exception, kind: FailureKind) -> None:
    async with mock(answer) as http:
        with pytest.raises(PartnerError) as caught:
            await PpmsClient(BASE, http).provider_locator(TAMPA, 40, [CODES[0]])
    assert caught.value.kind is kind


@pytest.mark.anyio
async def test_one_unreadable_row_is_skipped_not_fatal() -> None:
    good = {
        "ProviderIdentifier": "1",
        "ProviderName": "A",
        "Latitude": 27.9,
        "Longitude": -82.4,
        "Miles": 2,
        "SpecialtyCode": CODES[0],
    }
    async with mock(httpx2.Response(200, json={"value": [good, {"ProviderName": "no id"}]})) as http:
        found = await PpmsClient(BASE, http).provider_locator(TAMPA, 40, [CODES[0]])
    assert [p.provider_id for p in found] == ["1"]


@pytest.mark.anyio
async def test_rows_of_a_specialty_not_asked_for_are_left_out() -> None:
    row = {"ProviderName": "A", "Latitude": 27.9, "Longitude": -82.4, "Miles": 2}
    rows = [
        {**row, "ProviderIdentifier": "1", "SpecialtyCode": CODES[0], "ProviderSpecialty": "Asked"},
        {
            **row,
            "ProviderIdentifier": "2",
            "SpecialtyCode": "207Y00000X",
            "ProviderSpecialty": "Otolaryngology",
        },
        {**row, "ProviderIdentifier": "3"},
    ]
    async with mock(httpx2.Response(200, json={"value": rows})) as http:
        found = await PpmsClient(BASE, http).provider_locator(TAMPA, 40, [CODES[0]])
    assert [(p.provider_id, p.specialty_names) for p in found] == [("1", ("Asked",))]


@pytest.mark.anyio
async def test_absent_value_means_no_results() -> None:
    async with mock(httpx2.Response(200, json={"@odata.context": "x"})) as http:
        assert await PpmsClient(BASE, http).provider_locator(TAMPA, 40, [CODES[0]]) == []


# --- the grid index finds exactly what a full scan finds --------------------------------------

points = st.tuples(st.floats(18.0, 65.0), st.floats(-170.0, -65.0))


@settings(max_examples=60, deadline=None)
@given(
    sites=st.lists(st.tuples(points, st.sampled_from(["A", "B", "C"])), max_size=80),
    origin=points,
    radius=st.floats(0.5, 300.0),
    wanted=st.sets(st.sampled_from(["A", "B", "C"]), min_size=1),
)
def test_index_matches_a_full_scan(
    sites: list[tuple[tuple[float, float], str]], origin: tuple[float, float], radius: float, wanted: set[str]
) -> None:
    index = CareSiteIndex((p for p, _ in sites), ((c,) for _, c in sites))
    here = GeoPoint(*origin)
    expected = {
        n
        for n, ((lat, lng), code) in enumerate(sites)
        if code in wanted and here.miles_to(GeoPoint(lat, lng)) <= radius
    }
    found = index.within(origin[0], origin[1], radius, wanted)
    assert {n for _, n in found} == expected
    assert all(math.isfinite(m) for m, _ in found)
    assert [m for m, _ in found] == sorted(m for m, _ in found)
    assert index.within(origin[0], origin[1], radius, wanted, limit=3) == found[:3]
