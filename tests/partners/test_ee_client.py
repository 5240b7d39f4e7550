"""E&E round trips: the real client against the fake (and broken servers) over httpx2."""

from __future__ import annotations

from datetime import date

import httpx2
import pytest
from lxml import etree

from dst.partners.ee import EeClient, create_app, wire
from dst.partners.ee.fake import build_fault
from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.types import Address, GeoPoint, VceCode

from conftest_soap import (
    ANA,
    asgi_client,
    fixed_answer_app,
    raising_client,
    recorded,
    recording_sleeps,
    veteran,
)

URL = "http://ee.test/v0/ws"
USER, PASSWORD = "dst-test", "correct horse battery staple"


@pytest.fixture
def anyio_backend():
    return "asyncio"


def fake_ee(*veterans, **options):
    return asgi_client(create_app(veterans or (ANA,), username=USER, password=PASSWORD, **options))


async def summary_failure(client: EeClient, icn: str = ANA.icn) -> PartnerError:
    with pytest.raises(PartnerError) as caught:
        await client.get_ee_summary(icn)
    assert caught.value.partner is Partner.EE
    assert icn not in caught.value.message and PASSWORD not in caught.value.message
    return caught.value


@pytest.mark.anyio
async def test_reads_codes_residence_and_geocode_from_the_fake():
    async with fake_ee() as http:
        summary = await EeClient(URL, http, USER, PASSWORD).get_ee_summary(ANA.icn)

    assert summary.icn == ANA.icn
    assert summary.vce_codes == (
        VceCode("B", "Basic", date(2020, 1, 15)),
        VceCode("U", "Urgent Care", date(2020, 1, 15)),
    )
    assert summary.residential_address == Address(
        line1="10000 Bay Pines Blvd", line2="Apt 2", city="Bay Pines", state="FL", zip="33744-1234"
    )
    assert summary.geocode == GeoPoint(27.8063, -82.7782)
    assert summary.address_change_date is not None and summary.geocode_date is not None
    assert summary.geocode_date > summary.address_change_date  # the demo geocode is current


@pytest.mark.anyio
async def test_no_address_and_no_geocode_come_back_as_none():
    homeless = veteran(address=None, geocode=None)
    async with fake_ee(homeless) as http:
        summary = await EeClient(URL, http, USER, PASSWORD).get_ee_summary(ANA.icn)

    assert summary.residential_address is None
    assert summary.geocode is None
    assert [vce.code for vce in summary.vce_codes] == ["B", "U"]


@pytest.mark.anyio
async def test_address_without_geocode_keeps_the_address():
    async with fake_ee(veteran(geocode=None)) as http:
        summary = await EeClient(URL, http, USER, PASSWORD).get_ee_summary(ANA.icn)

    assert summary.residential_address is not None and summary.residential_address.is_complete
    assert summary.geocode is None


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("demo", "icn", "kind"),
    [
        (ANA, "1000000000V000000", FailureKind.NOT_FOUND),
        (veteran(ee_behaviour="not-found"), ANA.icn, FailureKind.NOT_FOUND),
        (veteran(ee_behaviour="fault"), ANA.icn, FailureKind.FAULT),
    ],
)
async def test_faults_become_named_failures(demo, icn, kind):
    async with fake_ee(demo) as http:
        error = await summary_failure(EeClient(URL, http, USER, PASSWORD), icn)

    assert error.kind is kind


@pytest.mark.anyio
@pytest.mark.parametrize(("username", "password"), [(USER, "wrong"), ("someone-else", PASSWORD)])
async def test_wrong_credentials_are_refused(username, password):
    async with fake_ee() as http:
        error = await summary_failure(EeClient(URL, http, username, password))

    assert error.kind is FailureKind.REJECTED
    assert error.code == "EE-REJECTED"


@pytest.mark.anyio
async def test_fake_refuses_a_request_without_a_security_header():
    request = etree.fromstring(wire.build_request(ANA.icn, USER, PASSWORD))
    security = request.find(wire.wildcard("Header/Security"))
    security.getparent().remove(security)
    async with fake_ee() as http:
        response = await http.post(URL, content=etree.tostring(request))

    assert response.status_code == 500
    assert b"FailedAuthentication" in response.content


@pytest.mark.anyio
async def test_fake_accepts_the_published_sample_request_with_its_credentials():
    sample = recorded("ee", "get_ee_summary_request_sample.xml")
    demo = veteran(icn="12345V67890")
    async with asgi_client(create_app([demo], username="username", password="password")) as http:
        response = await http.post("http://ee.test/", content=sample)

    assert response.status_code == 200
    assert b"getEESummaryResponse" in response.content


@pytest.mark.anyio
async def test_person_not_found_is_matched_case_insensitively():
    fault = build_fault("soap:Server", "Person_Not_Found: Invalid VPID checkdigit")
    async with asgi_client(fixed_answer_app(500, fault)) as http:
        error = await summary_failure(EeClient(URL, http, USER, PASSWORD))

    assert error.kind is FailureKind.NOT_FOUND


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (200, b"\x00\x01garbage", FailureKind.MALFORMED),
        (200, b"<html><body>Sign in</body></html>", FailureKind.MALFORMED),
        (500, b"Internal Server Error", FailureKind.UNAVAILABLE),
        (502, b"<html>Bad Gateway</html>", FailureKind.UNAVAILABLE),
        (401, b"Unauthorized", FailureKind.REJECTED),
    ],
)
async def test_broken_answers_become_named_failures(status, body, kind):
    async with asgi_client(fixed_answer_app(status, body)) as http:
        error = await summary_failure(EeClient(URL, http, USER, PASSWORD))

    assert error.kind is kind


@pytest.mark.anyio
async def test_recorded_enveloped_answer_is_read_through_the_client():
    body = recorded("ee", "ee_summary_HCAData_soap_envelope_enrolled_priority3.xml")
    async with asgi_client(fixed_answer_app(200, body)) as http:
        summary = await EeClient(URL, http, USER, PASSWORD).get_ee_summary(ANA.icn)

    assert summary.enrollment_status == "Verified"
    assert summary.residential_address is not None and summary.residential_address.city == "SAN ANTONIO"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx2.ReadTimeout("read timed out"), FailureKind.TIMEOUT),
        (httpx2.PoolTimeout("no connection free"), FailureKind.TIMEOUT),
        (httpx2.ConnectError("connection refused"), FailureKind.UNAVAILABLE),
        (httpx2.RemoteProtocolError("peer closed"), FailureKind.UNAVAILABLE),
    ],
)
async def test_transport_failures_become_named_failures(exc, kind):
    async with raising_client(exc) as http:
        error = await summary_failure(EeClient(URL, http, USER, PASSWORD))

    assert error.kind is kind


@pytest.mark.anyio
async def test_client_never_shows_its_password():
    async with fake_ee() as http:
        client = EeClient(URL, http, USER, PASSWORD)

    assert PASSWORD not in repr(client)


@pytest.mark.anyio
async def test_blank_icn_is_a_caller_bug():
    async with fake_ee() as http:
        with pytest.raises(ValueError, match="ICN"):
            await EeClient(URL, http, USER, PASSWORD).get_ee_summary("")


@pytest.mark.anyio
async def test_fake_can_be_slowed_down_for_benchmarks(monkeypatch: pytest.MonkeyPatch):
    async with fake_ee(latency_s=0.05) as http:
        waits = recording_sleeps(monkeypatch)
        summary = await EeClient(URL, http, USER, PASSWORD).get_ee_summary(ANA.icn)

    assert summary.icn == ANA.icn
    assert [w for w in waits if w] == [0.05]  # the answer waited 50 ms, without a clock to read
