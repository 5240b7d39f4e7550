"""MVI's HL7 v3 wire format: PRPA_IN201305UV02 queries out, PRPA_IN201306UV02 answers in."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from lxml import etree

from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.types import Address, Person

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
HL7 = "urn:hl7-org:v3"
IDM = "http://vaww.oed.oit.va.gov"
VA_ROOT = "2.16.840.1.113883.4.349"
DOD_ROOT = "2.16.840.1.113883.3.42.10001.100001.12"
SSN_ROOT = "2.16.840.1.113883.4.1"
INTERACTION_ROOT = "2.16.840.1.113883.1.6"
MESSAGE_ID_ROOT = "1.2.840.114350.1.13.0.1.7.1.1"
QUERY_ID_ROOT = "1.2.840.114350.1.13.28.1.18.5.999"
MVI_DEVICE_ROOT = "1.2.840.114350.1.13.999.234"
DST_SENDER_ID = "200DST"
SOAP_ACTION = "PRPA_IN201305UV02"

# Correlation statuses MVI marks as no longer in use; their DFNs must not be offered to CPRS.
DEPRECATED_STATUSES = frozenset({"H", "D", "M", "U", "L"})

# Element paths (local names below PRPA_IN201306UV02) that `parse_find_answer` reads; the contract
# tests check that the fake's answers carry the same ones as recorded MVI answers.
PATIENT = "controlActProcess/subject/registrationEvent/subject1/patient"
PERSON = f"{PATIENT}/patientPerson"
ANSWER_PATHS_READ = (
    "acknowledgement/typeCode",
    "acknowledgement/acknowledgementDetail/text",
    "controlActProcess/queryAck/queryResponseCode",
    f"{PATIENT}/id",
    f"{PERSON}/name",
    f"{PERSON}/name/given",
    f"{PERSON}/name/family",
    f"{PERSON}/administrativeGenderCode",
    f"{PERSON}/birthTime",
    f"{PERSON}/addr",
    f"{PERSON}/addr/streetAddressLine",
    f"{PERSON}/addr/city",
    f"{PERSON}/addr/state",
    f"{PERSON}/addr/postalCode",
    f"{PERSON}/addr/country",
    f"{PERSON}/asOtherIDs",
    f"{PERSON}/asOtherIDs/id",
)

# Answers come from outside: no entity expansion (billion laughs, XXE) and no network fetches.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
# U+2010 (hyphen) written into namespace URIs, as in a recorded vets-api request (`urn:hl7‐org:v3`).
_HYPHENATED_XMLNS = re.compile(rb'xmlns(?::[\w.-]+)?="[^"]*"')


def wildcard(path: str) -> str:
    """`a/b` -> `{*}a/{*}b`: match by local name, as MVI's namespace prefixes vary between releases."""
    return "/".join(f"{{*}}{step}" for step in path.split("/"))


def parse_xml(body: bytes) -> Any:
    """Parse untrusted XML with entity expansion and network access off."""
    # Some gateways put a newline before the XML declaration, which strict parsers refuse.
    return etree.fromstring(body.lstrip(), _XML_PARSER)


def repair_namespace_hyphens(body: bytes) -> bytes:
    """Turn U+2010 back into '-' inside namespace declarations, so a quirky but honest request parses."""
    return _HYPHENATED_XMLNS.sub(lambda m: m.group(0).replace("\u2010".encode(), b"-"), body)


def hl7(tag: str) -> str:
    return f"{{{HL7}}}{tag}"


def add(parent: Any, tag: str, text: str | None = None, **attrib: str) -> Any:
    """Append an HL7 element with attributes (and text) to `parent`."""
    element = etree.SubElement(parent, hl7(tag), attrib)
    if text is not None:
        element.text = text
    return element


def envelope(interaction: str) -> tuple[Any, Any]:
    """A SOAP 1.1 envelope holding an empty `idm:<interaction>` message; returns (envelope, message)."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"env": SOAP_ENV})
    etree.SubElement(env, f"{{{SOAP_ENV}}}Header")
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    message = etree.SubElement(body, f"{{{IDM}}}{interaction}", nsmap={None: HL7, "idm": IDM})
    message.set("ITSVersion", "XML_1.0")
    return env, message


def to_bytes(env: Any) -> bytes:
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))


def hl7_timestamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")


# --- queries (client side) -------------------------------------------------------------------


def build_id_query(root: str, extension: str, *, sender_id: str, processing_code: str) -> bytes:
    """PRPA_IN201305UV02 asking for one identifier (ICN or a correlation such as an EDIPI)."""
    env, parameters = _query_skeleton(sender_id, processing_code)
    add(parameters, "id", root=root, extension=extension)
    return to_bytes(env)


def build_icn_query(icn: str, *, sender_id: str = DST_SENDER_ID, processing_code: str = "T") -> bytes:
    extension = f"{icn}^NI^200M^USVHA^P"
    return build_id_query(VA_ROOT, extension, sender_id=sender_id, processing_code=processing_code)


def build_edipi_query(edipi: str, *, sender_id: str = DST_SENDER_ID, processing_code: str = "T") -> bytes:
    extension = f"{edipi}^NI^200DOD^USDOD"
    return build_id_query(DOD_ROOT, extension, sender_id=sender_id, processing_code=processing_code)


def build_dfn_query(
    station: str, dfn: str, *, sender_id: str = DST_SENDER_ID, processing_code: str = "T"
) -> bytes:
    """Ask by a station's patient identifier, the `DFN^PI^<station>^USVHA` correlation."""
    extension = f"{dfn}^PI^{station}^USVHA"
    return build_id_query(VA_ROOT, extension, sender_id=sender_id, processing_code=processing_code)


def build_traits_query(
    given: str,
    family: str,
    birth_date: date,
    ssn: str,
    *,
    sender_id: str = DST_SENDER_ID,
    processing_code: str = "T",
) -> bytes:
    """PRPA_IN201305UV02 by name, birth date and SSN (MVI's attribute search)."""
    env, parameters = _query_skeleton(sender_id, processing_code)
    birth = add(parameters, "livingSubjectBirthTime")
    add(birth, "value", value=birth_date.strftime("%Y%m%d"))
    add(birth, "semanticsText", "Date of Birth")
    subject_id = add(parameters, "livingSubjectId")
    add(subject_id, "value", root=SSN_ROOT, extension=ssn.replace("-", ""))
    add(subject_id, "semanticsText", "SSN")
    name = add(parameters, "livingSubjectName")
    value = add(name, "value", use="L")
    add(value, "given", given)
    add(value, "family", family)
    add(name, "semanticsText", "Legal Name")
    return to_bytes(env)


def _query_skeleton(sender_id: str, processing_code: str) -> tuple[Any, Any]:
    """The fixed header of a PRPA_IN201305UV02; returns (envelope, empty parameterList)."""
    env, message = envelope("PRPA_IN201305UV02")
    add(message, "id", root=MESSAGE_ID_ROOT, extension=f"{sender_id}-{uuid.uuid4()}")
    add(message, "creationTime", value=hl7_timestamp())
    add(message, "versionCode", code="4.1")
    add(message, "interactionId", root=INTERACTION_ROOT, extension="PRPA_IN201305UV02")
    add(message, "processingCode", code=processing_code)
    add(message, "processingModeCode", code="T")
    add(message, "acceptAckCode", code="AL")
    device(add(message, "receiver", typeCode="RCV"), MVI_DEVICE_ROOT, "200M")
    device(add(message, "sender", typeCode="SND"), VA_ROOT, sender_id)
    act = add(message, "controlActProcess", classCode="CACT", moodCode="EVN")
    add(act, "code", code="PRPA_TE201305UV02", codeSystem=INTERACTION_ROOT)
    query = add(act, "queryByParameter")
    add(query, "queryId", root=QUERY_ID_ROOT, extension="18204")
    add(query, "statusCode", code="new")
    # COMP1 returns the correlations, which is where the DFNs per station come from.
    add(query, "modifyCode", code="MVI.COMP1")
    add(query, "initialQuantity", value="1")
    return env, add(query, "parameterList")


def device(parent: Any, root: str, extension: str) -> None:
    dev = add(parent, "device", classCode="DEV", determinerCode="INSTANCE")
    add(dev, "id", root=root, extension=extension)


# --- answers (client side) -------------------------------------------------------------------


def _error(kind: FailureKind, message: str) -> PartnerError:
    return PartnerError(Partner.MVI, kind, message)


def find_message(root: Any, interaction: str) -> Any:
    """The HL7 message inside a SOAP envelope (or the document itself when it is the message)."""
    if etree.QName(root).localname == interaction:
        return root
    return root.find(f".//{{*}}{interaction}")


def soap_fault_code(root: Any) -> str | None:
    """The faultcode of a SOAP Fault in the document, or None when it is not a fault."""
    fault = root.find(wildcard("Body/Fault"))
    if fault is None:
        return None
    return (fault.findtext("faultcode") or fault.findtext("{*}faultcode") or "unknown").strip()


def parse_find_answer(root: Any) -> Person:
    """Read a PRPA_IN201306UV02 into a Person, or raise the PartnerError its acknowledgement means."""
    message = find_message(root, "PRPA_IN201306UV02")
    if message is None:
        raise _error(FailureKind.MALFORMED, "MVI answer holds no PRPA_IN201306UV02")
    _raise_for_acknowledgement(message)
    patients = message.findall(wildcard(PATIENT))
    if len(patients) > 1:
        raise _error(FailureKind.MULTIPLE_MATCHES, "MVI returned more than one person")
    if not patients:
        raise _error(FailureKind.MALFORMED, "MVI acknowledged the query but returned no person")
    return parse_patient(patients[0])


def _raise_for_acknowledgement(message: Any) -> None:
    ack = _code(message, "acknowledgement/typeCode")
    detail_path = wildcard("acknowledgement/acknowledgementDetail/text")
    details = [(element.text or "").strip() for element in message.findall(detail_path)]
    query_code = _code(message, "controlActProcess/queryAck/queryResponseCode")
    if ack == "AE" and any("multiple matches" in text.lower() for text in details):
        raise _error(FailureKind.MULTIPLE_MATCHES, "MVI found more than one person for the query")
    if ack in {"AE", "AR"}:
        raise _error(FailureKind.FAULT, f"MVI rejected the query (acknowledgement {ack})")
    if ack != "AA":
        raise _error(FailureKind.MALFORMED, "MVI answer has no recognised acknowledgement code")
    if query_code == "NF":
        raise _error(FailureKind.NOT_FOUND, "MVI found no person for the query")
    if query_code != "OK":
        raise _error(FailureKind.FAULT, f"MVI query ended with response code {query_code or 'none'}")


def _code(element: Any, path: str) -> str | None:
    found = element.find(wildcard(path))
    return None if found is None else found.get("code")


def parse_patient(patient: Any) -> Person:
    """Map one `patient` element (correlation ids plus patientPerson) to a Person."""
    correlations = [c for c in (parse_correlation(i.get("extension")) for i in patient.findall("{*}id")) if c]
    icn = next((c.value for c in correlations if c.id_type == "NI" and c.facility == "200M"), None)
    if not icn:
        raise _error(FailureKind.MALFORMED, "MVI person carries no ICN")
    person = patient.find("{*}patientPerson")
    if person is None:
        raise _error(FailureKind.MALFORMED, "MVI person carries no patientPerson")
    given, family = _legal_name(person)
    return Person(
        icn=icn,
        given_name=given,
        family_name=family,
        birth_date=_birth_date(person),
        gender=_code(person, "administrativeGenderCode"),
        edipi=_edipi(correlations),
        ssn_last4=_ssn_last4(person),
        address=_address(person),
        dfns=_dfns(correlations),
    )


@dataclass(frozen=True)
class Correlation:
    """One `value^idType^facility^authority^status` identifier from a patient's `id` list."""

    value: str
    id_type: str
    facility: str
    authority: str
    status: str


def parse_correlation(extension: str | None) -> Correlation | None:
    parts = (extension or "").split("^")
    if len(parts) < 4 or not parts[0]:
        return None
    status = parts[4] if len(parts) > 4 else ""
    return Correlation(parts[0], parts[1], parts[2], parts[3], status)


def _edipi(correlations: list[Correlation]) -> str | None:
    dod = [c for c in correlations if c.id_type == "NI" and c.facility == "200DOD"]
    active = [c for c in dod if c.status == "A"] or dod
    return active[0].value if active else None


def _dfns(correlations: list[Correlation]) -> dict[str, str]:
    """Station -> DFN for every live VistA correlation; 200* are national pseudo-stations, not VistAs."""
    dfns: dict[str, str] = {}
    for c in correlations:
        is_vista = c.id_type == "PI" and c.authority == "USVHA" and not c.facility.startswith("200")
        if is_vista and c.status not in DEPRECATED_STATUSES:
            dfns.setdefault(c.facility, c.value)
    return dfns


def _legal_name(person: Any) -> tuple[str, str]:
    names = person.findall("{*}name")
    legal = next((n for n in names if n.get("use") == "L"), names[0] if names else None)
    if legal is None:
        return "", ""
    given = next((g.text.strip() for g in legal.findall("{*}given") if g.text and g.text.strip()), "")
    return given, (legal.findtext("{*}family") or "").strip()


def _birth_date(person: Any) -> date | None:
    element = person.find("{*}birthTime")
    value = (element.get("value") or "") if element is not None else ""
    try:
        return datetime.strptime(value[:8], "%Y%m%d").date()
    except ValueError:
        return None


def _ssn_last4(person: Any) -> str | None:
    for other in person.findall("{*}asOtherIDs"):
        for identifier in other.findall("{*}id"):
            digits = "".join(ch for ch in identifier.get("extension") or "" if ch.isdigit())
            if identifier.get("root") == SSN_ROOT and len(digits) == 9:
                return digits[-4:]
    return None


def _address(person: Any) -> Address | None:
    addresses = person.findall("{*}addr")
    addr = next((a for a in addresses if a.get("use") == "PHYS"), addresses[0] if addresses else None)
    if addr is None:
        return None
    street = [(s.text or "").strip() for s in addr.findall("{*}streetAddressLine")]
    lines: list[str | None] = [*(line for line in street if line), None, None, None]
    state = (addr.findtext("{*}state") or "").strip().upper()
    return Address(
        line1=lines[0],
        line2=lines[1],
        line3=lines[2],
        city=_text(addr, "city"),
        state=state or None,
        zip=_text(addr, "postalCode"),
        country=_text(addr, "country"),
    )


def _text(element: Any, tag: str) -> str | None:
    value = (element.findtext(f"{{*}}{tag}") or "").strip()
    return value or None
