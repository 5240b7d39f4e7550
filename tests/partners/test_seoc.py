"""SEOC: the client parses the manual's published examples and round-trips through the fake."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx2
import pytest

from dst.partners.errors import FailureKind, PartnerError
from dst.partners.seoc.client import SeocClient
from dst.partners.seoc.fake import create_app
from dst.partners.seoc.wire import derived_status
from dst.partners.types import Seoc

from harness import recorded_partner

FIXTURES, needs_fixtures = recorded_partner("seoc")
BASE = "https://seocapi.va.test"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def replaying(body: Any, status: int = 200) -> httpx2.AsyncClient:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, json=body)

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handler))


@needs_fixtures
@pytest.mark.anyio
async def test_active_example_parses() -> None:
    async with replaying(recorded("seoc_v2_active_abbreviated.json")) as http:
        seocs = await SeocClient(BASE, http).active_seocs()
    assert [s.seoc_id for s in seocs] == [
        "PMR_ACUPUNCTURE INITIAL_1.0.4",
        "PMR_ACUPUNCTURE-CHRONIC CARE MANAGEMENT_1.2.2",
        "PMR_ACUPUNCTURE-CONTINUATION OF INITIAL CARE_1.1.2",
    ]
    first = seocs[0]
    assert (first.name, first.category_of_care) == ("Acupuncture Initial", "ACUPUNCTURE")
    assert first.service_line == "Physical Medicine and Rehabilitation"
    assert (first.duration_days, first.status, first.version) == (90, "Active", "1.0.4")
    assert first.procedural_overview is not None
    assert first.procedural_overview.startswith("1. Initial outpatient evaluation")
    assert first.disclaimer is not None and first.disclaimer.startswith("*Additional acupuncture")
    assert seocs[1].duration_days == 180


@needs_fixtures
@pytest.mark.anyio
async def test_full_list_parses_dates_versions_and_states() -> None:
    async with replaying(recorded("seoc_v2_all_states_abbreviated.json")) as http:
        seocs = await SeocClient(BASE, http).all_seocs(today=date(2020, 6, 1))
    by_id = {s.seoc_id: s for s in seocs}
    current, ended = by_id["PMR_ACUPUNCTURE INITIAL_1.0.4"], by_id["PMR_ACUPUNCTURE INITIAL_1.0.3"]
    assert (current.version, current.effective_date, current.end_date) == ("1.0.4", date(2019, 1, 3), None)
    assert (current.status, current.max_visits) == ("Active", None)
    assert (ended.effective_date, ended.end_date) == (date(2018, 12, 7), date(2019, 1, 3))
    assert (ended.status, ended.max_visits) == ("Discontinued", 999)


def test_status_from_dates() -> None:
    today = date(2024, 5, 1)
    assert derived_status(date(2024, 6, 1), None, today) == "Date Hold"
    assert derived_status(date(2023, 1, 1), date(2024, 5, 1), today) == "Discontinued"
    assert derived_status(date(2023, 1, 1), date(2024, 5, 2), today) == "Active"


SEOCS = [
    Seoc(
        seoc_id="PC_PODIATRY_1.2.0",
        name="Podiatry",
        category_of_care="PODIATRY",
        service_line="Surgery",
        description="Podiatry care",
        duration_days=180,
        max_visits=6,
        procedural_overview="1. Evaluation",
        disclaimer=None,
        version="1.2.0",
        effective_date=date(2021, 3, 1),
    ),
    Seoc(
        seoc_id="PC_PODIATRY_1.1.0",
        name="Podiatry",
        category_of_care="PODIATRY",
        service_line="Surgery",
        description="Podiatry care",
        duration_days=90,
        max_visits=None,
        procedural_overview=None,
        disclaimer=None,
        status="Discontinued",
        version="1.1.0",
        effective_date=date(2020, 1, 1),
        end_date=date(2021, 3, 1),
    ),
]


async def from_fake(path: str) -> Any:
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=create_app(SEOCS)), base_url=BASE
    ) as http:
        return (await http.get(path)).json()


@pytest.mark.anyio
async def test_client_and_fake_round_trip() -> None:
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(SEOCS))) as http:
        client = SeocClient(BASE, http)
        active = await client.active_seocs()
        every = await client.all_seocs(today=date(2024, 1, 1))
    assert [s.seoc_id for s in active] == ["PC_PODIATRY_1.2.0"]
    assert active[0].duration_days == 180
    assert every == SEOCS


@needs_fixtures
@pytest.mark.anyio
async def test_fake_answers_have_the_published_keys() -> None:
    real_active = recorded("seoc_v2_active_abbreviated.json")["Seocs"][0]["Seoc"]
    real_full = recorded("seoc_v2_all_states_abbreviated.json")["Seocs"][0]["Seoc"]
    assert (await from_fake("/v2/seoc/active"))["Seocs"][0]["Seoc"].keys() == real_active.keys()
    assert (await from_fake("/v2/seoc"))["Seocs"][0]["Seoc"].keys() == real_full.keys()


@pytest.mark.anyio
async def test_a_malformed_record_is_left_out() -> None:
    body = {"Seocs": [{"Seoc": {"seocId": "X_1.0", "name": "X"}}, {"Seoc": {**_minimal(), "duration": 30}}]}
    async with replaying(body) as http:
        seocs = await SeocClient(BASE, http).active_seocs()
    assert [s.seoc_id for s in seocs] == ["A_1.0.0"]


def _minimal() -> dict[str, Any]:
    return {"seocId": "A_1.0.0", "name": "A", "categoryOfCare": "AUDIOLOGY"}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (httpx2.ReadTimeout("slow"), FailureKind.TIMEOUT),
        (httpx2.Response(500, text="error"), FailureKind.UNAVAILABLE),
        (httpx2.Response(401, text="no"), FailureKind.REJECTED),
        (httpx2.Response(200, text="<html/>"), FailureKind.MALFORMED),
        (httpx2.Response(200, json={"seocs": []}), FailureKind.MALFORMED),
        (httpx2.Response(200, json={"Seocs": [{"Seoc": {**_minimal(), "effectiveDate": "2020-01-01"}}]}),
         FailureKind.MALFORMED),
    ],
)  # fmt: skip
async def test_failures_are_named(answer: httpx2.Response | Exception, kind: FailureKind) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as http:
        with pytest.raises(PartnerError) as caught:
            await SeocClient(BASE, http).active_seocs()
    assert caught.value.kind is kind
