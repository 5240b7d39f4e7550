"""E&E's getEESummary wire format: the WS-Security request out, getEESummaryResponse in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.types import Address, EeSummary, GeoPoint, VceCode

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
EE = "http://jaxws.webservices.esr.med.va.gov/schemas"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSS_USERNAME_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
PLAIN_TEXT_TYPE = f"{WSS_USERNAME_PROFILE}#PasswordText"  # E&E takes the password in clear, over TLS
COMMUNITY_CARE_INFO = "CommunityCareInfo"
PERSON_NOT_FOUND = "PERSON_NOT_FOUND"

# Element paths (local names below getEESummaryResponse) that `parse_summary` reads; the contract
# tests check that the fake's answers carry the same ones as the recorded E&E payloads.
ADDRESS = "summary/demographics/contactInfo/addresses/address"
CCE_INFO = "summary/communityCareEligibilityInfo"
ELIGIBILITY = f"{CCE_INFO}/eligibilities/eligibility"
GEOCODE = f"{CCE_INFO}/geocodingInfo"
ADDRESS_FIELDS = ("line1", "line2", "line3", "city", "state", "zipCode", "zipPlus4", "postalCode", "country")
ANSWER_PATHS_READ = (
    ADDRESS,
    *(f"{ADDRESS}/{field}" for field in (*ADDRESS_FIELDS, "addressChangeDateTime", "addressTypeCode")),
    ELIGIBILITY,
    *(f"{ELIGIBILITY}/{field}" for field in ("vceCode", "vceDescription", "vceEffectiveDate")),
    GEOCODE,
    *(f"{GEOCODE}/{field}" for field in ("addressLatitude", "addressLongitude", "geocodeDate")),
    "summary/enrollmentDeterminationInfo/enrollmentStatus",
)

# E&E answers come from outside: no entity expansion (billion laughs, XXE) and no network fetches.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)


def wildcard(path: str) -> str:
    """`a/b` -> `{*}a/{*}b`: match by local name, as SOAP stacks pick their own prefixes."""
    return "/".join(f"{{*}}{step}" for step in path.split("/"))


def parse_xml(body: bytes) -> Any:
    # Some gateways put a newline before the XML declaration, which strict parsers refuse.
    return etree.fromstring(body.lstrip(), _XML_PARSER)


def to_bytes(env: Any) -> bytes:
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))


def text_of(element: Any, path: str) -> str | None:
    """Stripped text at `path` below `element`; None when absent or blank (E&E sends `<line2/>`)."""
    value = (element.findtext(wildcard(path)) or "").strip()
    return value or None


# --- request ---------------------------------------------------------------------------------


def build_request(icn: str, username: str, password: str) -> bytes:
    """getEESummaryRequest for CommunityCareInfo, with a WS-Security UsernameToken header."""
    nsmap = {"SOAP-ENV": SOAP_ENV, "sch": EE, "wsse": WSSE, "wsu": WSU}
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
    header = etree.SubElement(env, f"{{{SOAP_ENV}}}Header")
    security = etree.SubElement(header, f"{{{WSSE}}}Security", {f"{{{SOAP_ENV}}}mustUnderstand": "1"})
    token = etree.SubElement(security, f"{{{WSSE}}}UsernameToken")
    etree.SubElement(token, f"{{{WSSE}}}Username").text = username
    etree.SubElement(token, f"{{{WSSE}}}Password", Type=PLAIN_TEXT_TYPE).text = password
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    request = etree.SubElement(body, f"{{{EE}}}getEESummaryRequest")
    etree.SubElement(request, f"{{{EE}}}key").text = icn
    etree.SubElement(request, f"{{{EE}}}requestName").text = COMMUNITY_CARE_INFO
    return to_bytes(env)


@dataclass(frozen=True)
class EeRequest:
    """What a getEESummaryRequest carries, as the fake reads it."""

    key: str | None
    request_name: str | None
    username: str | None
    password: str | None


def parse_request(root: Any) -> EeRequest | None:
    """Read a getEESummaryRequest envelope; None when the body holds no such request."""
    request = root.find(wildcard("Body/getEESummaryRequest"))
    if request is None:
        return None
    token = root.find(wildcard("Header/Security/UsernameToken"))
    return EeRequest(
        key=text_of(request, "key"),
        request_name=text_of(request, "requestName"),
        username=None if token is None else text_of(token, "Username"),
        password=None if token is None else (token.findtext("{*}Password") or ""),
    )


# --- answer ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SoapFault:
    code: str
    text: str


def soap_fault(root: Any) -> SoapFault | None:
    """The SOAP 1.1 Fault in the document, if it is one."""
    fault = root.find(wildcard("Body/Fault"))
    if fault is None:
        return None
    code = fault.findtext("faultcode") or fault.findtext("{*}faultcode") or ""
    text = fault.findtext("faultstring") or fault.findtext("{*}faultstring") or ""
    return SoapFault(code.strip(), text.strip())


def parse_summary(root: Any, icn: str) -> EeSummary:
    """Map a getEESummaryResponse (bare, or inside its SOAP envelope) to an EeSummary.

    A missing address or geocode is data: the eligibility rules decide what it means.
    """
    answer = root if etree.QName(root).localname == "getEESummaryResponse" else None
    if answer is None:
        answer = root.find(".//{*}getEESummaryResponse")
    if answer is None:
        raise PartnerError(Partner.EE, FailureKind.MALFORMED, "E&E answer holds no getEESummaryResponse")
    residence = _residential_address(answer)
    return EeSummary(
        icn=icn,
        vce_codes=_vce_codes(answer),
        residential_address=None if residence is None else _address(residence),
        geocode=_geocode(answer),
        geocode_date=_datetime(text_of(answer, f"{GEOCODE}/geocodeDate")),
        address_change_date=None
        if residence is None
        else _datetime(text_of(residence, "addressChangeDateTime")),
        enrollment_status=text_of(answer, "summary/enrollmentDeterminationInfo/enrollmentStatus"),
    )


def _vce_codes(answer: Any) -> tuple[VceCode, ...]:
    entries = answer.findall(wildcard(ELIGIBILITY))
    if not entries:
        # Older E&E releases carry a single code directly under communityCareEligibilityInfo.
        entries = answer.findall(wildcard(CCE_INFO))
    codes = []
    for entry in entries:
        code = text_of(entry, "vceCode")
        if code:  # an entry without a code says nothing the rules can use
            effective = _datetime(text_of(entry, "vceEffectiveDate"))
            effective_date = None if effective is None else effective.date()
            codes.append(VceCode(code, text_of(entry, "vceDescription"), effective_date))
    return tuple(codes)


def _residential_address(answer: Any) -> Any:
    for address in answer.findall(wildcard(ADDRESS)):
        if (text_of(address, "addressTypeCode") or "").casefold() == "residential":
            return address
    return None


def _address(address: Any) -> Address | None:
    """The Residential address; None when E&E holds the record but no street, city or ZIP."""
    # E&E sometimes leaves line1 empty and puts the street in line2, so lines are packed upwards.
    lines: list[str | None] = [text_of(address, tag) for tag in ("line1", "line2", "line3")]
    packed = [line for line in lines if line] + [None, None, None]
    zip5 = text_of(address, "zipCode") or text_of(address, "postalCode")
    plus4 = text_of(address, "zipPlus4")
    state = text_of(address, "state")
    result = Address(
        line1=packed[0],
        line2=packed[1],
        line3=packed[2],
        city=text_of(address, "city"),
        state=state.upper() if state else None,
        zip=f"{zip5}-{plus4}" if zip5 and plus4 else zip5,
        country=text_of(address, "country"),
    )
    return result if any((result.line1, result.city, result.zip)) else None


def _geocode(answer: Any) -> GeoPoint | None:
    try:
        lat = Decimal(text_of(answer, f"{GEOCODE}/addressLatitude") or "nan")
        lng = Decimal(text_of(answer, f"{GEOCODE}/addressLongitude") or "nan")
    except InvalidOperation:
        return None
    if lat.is_nan() or lng.is_nan() or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return GeoPoint(float(lat), float(lng))


def _datetime(value: str | None) -> datetime | None:
    """xs:dateTime as E&E writes it (with or without offset and milliseconds); None if unreadable."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _date_only(value)


def _date_only(value: str) -> datetime | None:
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day)  # E&E gave no time or zone
