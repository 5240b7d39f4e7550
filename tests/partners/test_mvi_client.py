"""MVI round trips: the real client against the fake (and broken servers) over httpx2."""

from __future__ import annotations

from datetime import date

import httpx2
import pytest

from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.mvi import MviClient, create_app
from dst.partners.mvi.fake import soap_fault
from dst.partners.types import Address

from conftest_soap import ANA, asgi_client, fixed_answer_app, raising_client, recording_sleeps, veteran

URL = "http://mvi.test/psim_webservice/IdMWebService"
BEA = veteran(
    icn="1098765432V654321",
    edipi="2222222222",
    given_name="Bea",
    family_name="Okafor",
    ssn="000005678",
    station="612",
    dfn="88",
    address=None,
)


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def find_failure(client_call) -> PartnerError:
    with pytest.raises(PartnerError) as caught:
        await client_call
    assert caught.value.partner is Partner.MVI
    return caught.value


@pytest.mark.anyio
async def test_finds_a_veteran_by_icn_with_identity_and_correlations():
    async with asgi_client(create_app([ANA, BEA])) as http:
        person = await MviClient(URL, http).find_by_icn(ANA.icn)

    assert person.icn == ANA.icn
    assert (person.given_name, person.family_name) == ("Ana", "Quiroga")
    assert (person.birth_date, person.gender, person.edipi) == (date(1970, 5, 4), "F", ANA.edipi)
    assert person.ssn_last4 == "1234"
    assert person.address == Address(
        line1="10000 Bay Pines Blvd",
        line2="Apt 2",
        city="Bay Pines",
        state="FL",
        zip="33744-1234",
        country="USA",
    )
    assert person.dfns == {"516": "7301"}  # the fake's 200MHV pseudo-station is skipped


@pytest.mark.anyio
async def test_finds_a_veteran_by_edipi_and_by_traits():
    async with asgi_client(create_app([ANA, BEA])) as http:
        client = MviClient(URL, http)
        by_edipi = await client.find_by_edipi(BEA.edipi)
        by_traits = await client.find_by_traits("BEA", "okafor", BEA.birth_date, "000-00-5678")

    assert by_edipi.icn == by_traits.icn == BEA.icn
    assert by_edipi.dfns == {"612": "88"}
    assert by_traits.address is None


@pytest.mark.anyio
async def test_unknown_icn_is_not_found():
    async with asgi_client(create_app([ANA])) as http:
        error = await find_failure(MviClient(URL, http).find_by_icn("1000000000V000000"))

    assert error.kind is FailureKind.NOT_FOUND
    assert error.code == "MVI-NOT-FOUND"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("behaviour", "kind"),
    [
        ("not-found", FailureKind.NOT_FOUND),
        ("multiple-matches", FailureKind.MULTIPLE_MATCHES),
        ("error", FailureKind.FAULT),
    ],
)
async def test_demo_behaviours_become_named_failures(behaviour, kind):
    demo = veteran(mvi_behaviour=behaviour)
    async with asgi_client(create_app([demo])) as http:
        error = await find_failure(MviClient(URL, http).find_by_dfn(demo.station, demo.dfn))

    assert error.kind is kind
    assert ANA.icn not in error.message and "Quiroga" not in error.message


@pytest.mark.anyio
async def test_two_people_sharing_traits_are_a_multiple_match():
    twin = veteran(icn="1011111111V111111", edipi="3333333333")
    async with asgi_client(create_app([ANA, twin])) as http:
        error = await find_failure(
            MviClient(URL, http).find_by_traits("Ana", "Quiroga", ANA.birth_date, ANA.ssn)
        )

    assert error.kind is FailureKind.MULTIPLE_MATCHES


@pytest.mark.anyio
async def test_traits_that_do_not_all_match_find_nobody():
    async with asgi_client(create_app([ANA])) as http:
        error = await find_failure(
            MviClient(URL, http).find_by_traits("Ana", "Quiroga", date(1971, 5, 4), ANA.ssn)
        )

    assert error.kind is FailureKind.NOT_FOUND


@pytest.mark.anyio
async def test_fake_answers_under_a_path_prefix_and_at_the_root():
    async with asgi_client(create_app([ANA])) as http:
        at_root = await MviClient("http://mvi.test/", http).find_by_icn(ANA.icn)
        below = await MviClient("http://mvi.test/a/b/c", http).find_by_icn(ANA.icn)

    assert at_root == below


@pytest.mark.anyio
async def test_fake_refuses_unreadable_requests_with_a_soap_fault():
    async with asgi_client(create_app([ANA])) as http:
        response = await http.post(URL, content=b"<not-hl7/>")

    assert response.status_code == 500
    assert b"Fault" in response.content


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (200, b"<<< this is not xml", FailureKind.MALFORMED),
        (200, b"<html><body>Welcome</body></html>", FailureKind.MALFORMED),
        (500, b"Internal Server Error", FailureKind.UNAVAILABLE),
        (503, b"<html>maintenance</html>", FailureKind.UNAVAILABLE),
        (500, soap_fault("env:Server", "java.lang.NullPointerException"), FailureKind.FAULT),
        (403, b"Forbidden", FailureKind.REJECTED),
    ],
)
async def test_broken_answers_become_named_failures(status, body, kind):
    async with asgi_client(fixed_answer_app(status, body)) as http:
        error = await find_failure(MviClient(URL, http).find_by_icn(ANA.icn))

    assert error.kind is kind


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx2.ReadTimeout("read timed out"), FailureKind.TIMEOUT),
        (httpx2.ConnectTimeout("connect timed out"), FailureKind.TIMEOUT),
        (httpx2.ConnectError("connection refused"), FailureKind.UNAVAILABLE),
    ],
)
async def test_transport_failures_become_named_failures(exc, kind):
    async with raising_client(exc) as http:
        error = await find_failure(MviClient(URL, http).find_by_icn(ANA.icn))

    assert error.kind is kind


@pytest.mark.anyio
async def test_blank_identifiers_are_a_caller_bug():
    async with asgi_client(create_app([ANA])) as http:
        with pytest.raises(ValueError, match="ICN"):
            await MviClient(URL, http).find_by_icn("  ")


@pytest.mark.anyio
async def test_fake_can_be_slowed_down_for_benchmarks(monkeypatch: pytest.MonkeyPatch):
    async with asgi_client(create_app([ANA], latency_s=0.05)) as http:
        waits = recording_sleeps(monkeypatch)
        person = await MviClient(URL, http).find_by_icn(ANA.icn)

    assert person.icn == ANA.icn
    assert [w for w in waits if w] == [0.05]  # the answer waited 50 ms, without a clock to read


@pytest.mark.anyio
async def test_a_veteran_mvi_cannot_find_by_dfn_is_found_by_traits_and_then_by_icn():
    demo = veteran(mvi_behaviour="not-found")
    async with asgi_client(create_app([demo])) as http:
        client = MviClient(URL, http)
        error = await find_failure(client.find_by_dfn(demo.station, demo.dfn))
        found = await client.find_by_traits(demo.given_name, demo.family_name, demo.birth_date, demo.ssn)
        again = await client.find_by_icn(found.icn)

    assert error.kind is FailureKind.NOT_FOUND
    assert found.icn == again.icn == demo.icn
