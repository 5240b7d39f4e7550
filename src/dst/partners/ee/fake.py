"""A stand-in E&E: answers getEESummary (CommunityCareInfo) for the people given to it, with WS-Security."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from dst.partners.ee import wire
from dst.partners.fakes import PersonOnFile, delayed
from dst.partners.types import Address

XML_MEDIA_TYPE = "text/xml; charset=utf-8"
# The development defaults of DST_EE_USERNAME / DST_EE_PASSWORD, so `make run` works out of the box.
DEMO_USERNAME = "dst"
DEMO_PASSWORD = "dst-dev-password"  # noqa: S105 - a demo credential for the fake only
EES_VERSION = "5.6.0.01001"
# Demo Veterans have no address history; fixed dates keep answers reproducible, and the geocode
# is a day younger than the address so the demo geocodes read as current.
ADDRESS_CHANGED = "2024-03-01T09:30:00.000-05:00"
GEOCODED = "2024-03-02T09:30:00.000-05:00"
FAILED_AUTHENTICATION = "The security token could not be authenticated or authorized"


def _ee(tag: str) -> str:
    return f"{{{wire.EE}}}{tag}"


def _add(parent: Any, tag: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, _ee(tag))
    if text is not None:
        element.text = text
    return element


class FakeEe:
    """Checks the UsernameToken, finds the person by ICN and answers as E&E would."""

    def __init__(self, veterans: Sequence[PersonOnFile], *, username: str, password: str) -> None:
        self._by_icn = {v.icn: v for v in veterans}
        self._username = username
        self._password = password

    def respond(self, body: bytes) -> tuple[int, bytes]:
        """HTTP status and body for one POSTed request; SOAP 1.1 faults travel with HTTP 500."""
        try:
            request = wire.parse_request(wire.parse_xml(body))
        except etree.XMLSyntaxError:
            return 500, build_fault("SOAP-ENV:Client", "Could not read the request XML")
        if request is None:
            return 500, build_fault("SOAP-ENV:Client", "No getEESummaryRequest in the request body")
        if (request.username, request.password) != (self._username, self._password):
            return 500, build_fault("wsse:FailedAuthentication", FAILED_AUTHENTICATION)
        if not request.key:
            return 500, build_fault("SOAP-ENV:Client", "MissingIcnValue")
        if request.request_name != wire.COMMUNITY_CARE_INFO:
            return 500, build_fault("SOAP-ENV:Client", "Unsupported requestName")
        return self._summary(request.key)

    def _summary(self, icn: str) -> tuple[int, bytes]:
        veteran = self._by_icn.get(icn)
        if veteran is None or veteran.ee_behaviour == "not-found":
            return 500, build_fault("SOAP-ENV:Server", wire.PERSON_NOT_FOUND)
        if veteran.ee_behaviour == "fault":
            return 500, build_fault("SOAP-ENV:Server", "Error occurred while processing getEESummary")
        return 200, build_summary(veteran)


def build_fault(code: str, text: str) -> bytes:
    """A SOAP 1.1 Fault as Spring-WS writes it (faultstring with xml:lang)."""
    nsmap = {"SOAP-ENV": wire.SOAP_ENV, "wsse": wire.WSSE}
    env = etree.Element(f"{{{wire.SOAP_ENV}}}Envelope", nsmap=nsmap)
    etree.SubElement(env, f"{{{wire.SOAP_ENV}}}Header")
    fault = etree.SubElement(etree.SubElement(env, f"{{{wire.SOAP_ENV}}}Body"), f"{{{wire.SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = code
    faultstring = etree.SubElement(fault, "faultstring")
    faultstring.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    faultstring.text = text
    etree.cleanup_namespaces(env, keep_ns_prefixes=["wsse"] if code.startswith("wsse:") else None)
    return wire.to_bytes(env)


def build_summary(veteran: PersonOnFile) -> bytes:
    """getEESummaryResponse in its SOAP envelope, laid out like the mock-ee CommunityCareInfo data."""
    env = etree.Element(f"{{{wire.SOAP_ENV}}}Envelope", nsmap={"env": wire.SOAP_ENV})
    etree.SubElement(env, f"{{{wire.SOAP_ENV}}}Header")
    body = etree.SubElement(env, f"{{{wire.SOAP_ENV}}}Body")
    answer = etree.SubElement(body, _ee("getEESummaryResponse"), nsmap={None: wire.EE})
    summary = _add(answer, "summary")
    addresses = _add(_add(_add(summary, "demographics"), "contactInfo"), "addresses")
    _residential_address(_add(addresses, "address"), veteran.address)
    info = _add(summary, "communityCareEligibilityInfo")
    if veteran.vce_codes:
        eligibilities = _add(info, "eligibilities")
        for vce in veteran.vce_codes:
            _eligibility(_add(eligibilities, "eligibility"), vce.code, vce.description, vce.effective_date)
    geocoding = _add(info, "geocodingInfo")
    if veteran.geocode is not None:
        _add(geocoding, "addressLatitude", f"{veteran.geocode.lat:.7f}")
        _add(geocoding, "addressLongitude", f"{veteran.geocode.lng:.7f}")
    _add(geocoding, "geocodeDate", GEOCODED)
    _add(answer, "eesVersion", EES_VERSION)
    _add(answer, "invocationDate", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    return wire.to_bytes(env)


def _residential_address(element: Any, address: Address | None) -> None:
    """Like mock-ee's no-address records, a missing address is an empty Residential entry."""
    if address is not None:
        zip5, _, plus4 = (address.zip or "").partition("-")
        # mock-ee writes the street lines and zipPlus4 even when empty (`<line3/>`); so does the fake.
        always = {"line1", "line2", "line3", "zipPlus4"}
        fields = (
            ("city", address.city),
            ("country", address.country),
            ("line1", address.line1),
            ("line2", address.line2),
            ("line3", address.line3),
            ("postalCode", zip5),
            ("state", address.state),
            ("zipCode", zip5),
            ("zipPlus4", plus4),
        )
        for tag, value in fields:
            if value or tag in always:
                _add(element, tag, value or None)
    _add(element, "addressChangeDateTime", ADDRESS_CHANGED)
    _add(element, "addressTypeCode", "Residential")


def _eligibility(element: Any, code: str, description: str | None, effective: date | None) -> None:
    _add(element, "vceCode", code)
    if description:
        _add(element, "vceDescription", description)
    if effective is not None:
        _add(element, "vceEffectiveDate", f"{effective.isoformat()}T00:00:00.000-05:00")


def create_app(
    veterans: Sequence[PersonOnFile],
    *,
    username: str = DEMO_USERNAME,
    password: str = DEMO_PASSWORD,
    latency_s: float = 0.0,
) -> ASGIApp:
    """ASGI app answering SOAP POSTs at `/` or any path below it (mock-ee itself lives at /v0/ws)."""
    fake = FakeEe(veterans, username=username, password=password)

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        status, payload = fake.respond(body)
        return Response(payload, status_code=status, media_type=XML_MEDIA_TYPE)

    return delayed(Starlette(routes=[Route("/{path:path}", endpoint, methods=["POST"])]), latency_s)
