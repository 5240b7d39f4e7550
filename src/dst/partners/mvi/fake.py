"""A stand-in MVI: answers PRPA_IN201305UV02 queries about the people given to it, in MVI's HL7 v3 shape."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from dst.partners.fakes import PersonOnFile, delayed
from dst.partners.mvi import wire
from dst.partners.mvi.wire import add, hl7, wildcard

XML_MEDIA_TYPE = "text/xml; charset=utf-8"
SSN_SCOPE_ROOT = "1.2.840.114350.1.13.99997.2.3412"

# acknowledgementDetail entries as MVI words them: (attributes of the optional <code>, text).
Detail = tuple[dict[str, str] | None, str]
MATCH_THRESHOLDS: tuple[Detail, ...] = (
    ({"codeSystemName": "MVI", "code": "132", "displayName": "IMT"}, "Identity Match Threshold"),
    ({"codeSystemName": "MVI", "code": "120", "displayName": "PDT"}, "Potential Duplicate Threshold"),
)
MULTIPLE_MATCHES: tuple[Detail, ...] = (
    (
        {"codeSystem": "2.16.840.1.113883.5.1100", "code": "INTERR", "displayName": "Internal System Error"},
        "Multiple Matches Found",
    ),
    (None, "Multiple Matches Found"),
)
DATABASE_ERROR: tuple[Detail, ...] = ((None, "Environment Database Error"),)


@dataclass(frozen=True)
class MviQuery:
    """What a PRPA_IN201305UV02 asks for: one identifier or a set of traits."""

    message_id: str
    sender_id: str
    parameters: Any  # the queryByParameter element, echoed back as MVI does
    icn: str | None = None
    edipi: str | None = None
    given: str | None = None
    family: str | None = None
    birth_date: str | None = None  # YYYYMMDD
    ssn: str | None = None
    dfn: tuple[str, str] | None = None  # (station, DFN) from a `DFN^PI^<station>^USVHA` correlation


class UnreadableQueryError(ValueError):
    """The request is not a PRPA_IN201305UV02 this fake can read."""


def parse_query(body: bytes) -> MviQuery:
    try:
        root = wire.parse_xml(wire.repair_namespace_hyphens(body))
    except etree.XMLSyntaxError as exc:
        raise UnreadableQueryError("request is not well-formed XML") from exc
    message = wire.find_message(root, "PRPA_IN201305UV02")
    parameters = None if message is None else message.find(wildcard("controlActProcess/queryByParameter"))
    if parameters is None:
        raise UnreadableQueryError("request holds no PRPA_IN201305UV02 queryByParameter")
    parameter_list = parameters.find("{*}parameterList")
    if parameter_list is None:
        raise UnreadableQueryError("request holds no parameterList")
    identifier = parameter_list.find("{*}id")
    header = {
        "message_id": _attribute(message, "id", "extension") or "",
        "sender_id": _attribute(message, "sender/device/id", "extension") or "",
        "parameters": parameters,
    }
    if identifier is not None:
        return _identifier_query(identifier.get("extension") or "", header)
    return _traits_query(parameter_list, header)


def _identifier_query(extension: str, header: dict[str, Any]) -> MviQuery:
    parts = extension.split("^")
    if len(parts) >= 3 and parts[1:3] == ["NI", "200DOD"]:
        return MviQuery(**header, edipi=parts[0])
    if len(parts) == 1 or parts[1:3] == ["NI", "200M"]:
        return MviQuery(**header, icn=parts[0])
    if len(parts) >= 4 and parts[1] == "PI" and parts[3] == "USVHA" and not parts[2].startswith("200"):
        return MviQuery(**header, dfn=(parts[2], parts[0]))
    return MviQuery(**header)  # a correlation this fake does not index: nobody matches


def _traits_query(parameter_list: Any, header: dict[str, Any]) -> MviQuery:
    name = parameter_list.find(wildcard("livingSubjectName/value"))
    givens = [] if name is None else [g.text.strip() for g in name.findall("{*}given") if g.text]
    ssn = _attribute(parameter_list, "livingSubjectId/value", "extension")
    return MviQuery(
        **header,
        given=givens[0] if givens else None,
        family=None if name is None else (name.findtext("{*}family") or "").strip(),
        birth_date=_attribute(parameter_list, "livingSubjectBirthTime/value", "value"),
        ssn=ssn.replace("-", "") if ssn else None,
    )


def _attribute(element: Any, path: str, name: str) -> str | None:
    found = element.find(wildcard(path))
    return None if found is None else found.get(name)


class FakeMvi:
    """Looks the people it holds up by ICN, EDIPI or traits and words the result as MVI would."""

    def __init__(self, veterans: Sequence[PersonOnFile]) -> None:
        self._veterans = tuple(veterans)

    def respond(self, body: bytes) -> tuple[int, bytes]:
        """HTTP status and body for one POSTed request."""
        try:
            query = parse_query(body)
        except UnreadableQueryError as exc:
            return 500, soap_fault("env:Client", str(exc))
        return 200, self.answer(query)

    def match(self, query: MviQuery) -> list[PersonOnFile]:
        if query.icn is not None:
            return [v for v in self._veterans if v.icn == query.icn]
        if query.edipi is not None:
            return [v for v in self._veterans if v.edipi == query.edipi]
        if query.dfn is not None:
            return [v for v in self._veterans if (v.station, v.dfn) == query.dfn]
        if not (query.given and query.family and query.birth_date and query.ssn):
            return []
        return [v for v in self._veterans if _has_traits(v, query)]

    def answer(self, query: MviQuery) -> bytes:
        matches = self.match(query)
        behaviour = matches[0].mvi_behaviour if matches else "not-found"
        if behaviour == "not-found" and matches and _by_icn_or_traits(query):
            # A "not-found" Veteran is one whose station record (DFN, EDIPI) MVI does not correlate:
            # the attended search by traits finds the national record, and its ICN then answers.
            behaviour = "ok"
        if len(matches) > 1 or behaviour == "multiple-matches":
            return build_answer(query, "AE", "AE", details=MULTIPLE_MATCHES)
        if behaviour == "error":
            return build_answer(query, "AR", "AE", details=DATABASE_ERROR)
        if behaviour == "not-found":
            return build_answer(query, "AA", "NF", details=MATCH_THRESHOLDS)
        return build_answer(query, "AA", "OK", details=MATCH_THRESHOLDS, veteran=matches[0])


def _by_icn_or_traits(query: MviQuery) -> bool:
    return query.icn is not None or (query.edipi is None and query.dfn is None)


def _has_traits(veteran: PersonOnFile, query: MviQuery) -> bool:
    def first_name(text: str) -> str:
        return next(iter(text.split()), "").casefold()

    return (
        veteran.family_name.casefold() == (query.family or "").casefold()
        and first_name(veteran.given_name) == first_name(query.given or "")
        and veteran.birth_date.strftime("%Y%m%d") == query.birth_date
        and veteran.ssn == query.ssn
    )


def build_answer(
    query: MviQuery,
    ack: str,
    query_response: str,
    *,
    details: Sequence[Detail] = (),
    veteran: PersonOnFile | None = None,
) -> bytes:
    """A PRPA_IN201306UV02 laid out like MVI's recorded answers (header, ack, subject, queryAck, echo)."""
    env, message = wire.envelope("PRPA_IN201306UV02")
    _answer_header(message, query)
    _acknowledgement(message, query, ack, details)
    act = add(message, "controlActProcess", classCode="CACT", moodCode="EVN")
    add(act, "code", codeSystem=wire.INTERACTION_ROOT, code="PRPA_TE201306UV02")
    if veteran is not None:
        _subject(act, veteran)
    query_ack = add(act, "queryAck")
    add(query_ack, "queryId", extension="18204", root=wire.QUERY_ID_ROOT)
    add(query_ack, "queryResponseCode", code=query_response)
    add(query_ack, "resultCurrentQuantity", value="1" if veteran else "0")
    act.append(_echo(query.parameters))
    etree.cleanup_namespaces(env)
    return wire.to_bytes(env)


def _answer_header(message: Any, query: MviQuery) -> None:
    add(message, "id", extension=f"WSDOC{wire.hl7_timestamp()}{uuid.uuid4().int % 10**16}", root=wire.VA_ROOT)
    add(message, "creationTime", value=wire.hl7_timestamp())
    add(message, "versionCode", code="4.1")
    add(message, "interactionId", extension="PRPA_IN201306UV02", root=wire.INTERACTION_ROOT)
    add(message, "processingCode", code="T")
    add(message, "processingModeCode", code="T")
    add(message, "acceptAckCode", code="NE")
    wire.device(add(message, "receiver", typeCode="RCV"), wire.VA_ROOT, query.sender_id)
    wire.device(add(message, "sender", typeCode="SND"), wire.VA_ROOT, "200M")


def _acknowledgement(message: Any, query: MviQuery, ack: str, details: Sequence[Detail]) -> None:
    acknowledgement = add(message, "acknowledgement")
    add(acknowledgement, "typeCode", code=ack)
    target = add(acknowledgement, "targetMessage")
    add(target, "id", extension=query.message_id, root=wire.MESSAGE_ID_ROOT)
    for code, text in details:
        detail = add(acknowledgement, "acknowledgementDetail")
        if code is not None:
            add(detail, "code", **code)
        add(detail, "text", text)


def _subject(act: Any, veteran: PersonOnFile) -> None:
    event = add(add(act, "subject", typeCode="SUBJ"), "registrationEvent", classCode="REG", moodCode="EVN")
    add(event, "id", nullFlavor="NA")
    add(event, "statusCode", code="active")
    patient = add(add(event, "subject1", typeCode="SBJ"), "patient", classCode="PAT")
    add(patient, "id", extension=f"{veteran.icn}^NI^200M^USVHA^P", root=wire.VA_ROOT)
    add(patient, "id", extension=f"{veteran.dfn}^PI^{veteran.station}^USVHA^A", root=wire.VA_ROOT)
    # Real answers also list national pseudo-stations (200MHV, 200HD, ...), which clients must skip.
    add(patient, "id", extension=f"{veteran.icn[:10]}^PI^200MHV^USVHA^A", root=wire.VA_ROOT)
    add(patient, "id", extension=f"{veteran.edipi}^NI^200DOD^USDOD^A", root=wire.DOD_ROOT)
    add(patient, "statusCode", code="active")
    _patient_person(add(patient, "patientPerson"), veteran)
    entity = add(add(event, "custodian", typeCode="CST"), "assignedEntity", classCode="ASSIGNED")
    add(entity, "id", root=wire.VA_ROOT)


def _patient_person(person: Any, veteran: PersonOnFile) -> None:
    name = add(person, "name", use="L")
    add(name, "given", veteran.given_name)
    add(name, "family", veteran.family_name)
    add(person, "administrativeGenderCode", code=veteran.gender)
    add(person, "birthTime", value=veteran.birth_date.strftime("%Y%m%d"))
    if veteran.address is not None:
        address = veteran.address
        addr = add(person, "addr", use="PHYS")
        for line in (address.line1, address.line2, address.line3):
            if line:
                add(addr, "streetAddressLine", line)
        for tag, value in (("city", address.city), ("state", address.state), ("postalCode", address.zip)):
            if value:
                add(addr, tag, value)
        add(addr, "country", address.country or "USA")
    other = add(person, "asOtherIDs", classCode="SSN")
    add(other, "id", extension=veteran.ssn, root=wire.SSN_ROOT)
    scope = add(other, "scopingOrganization", determinerCode="INSTANCE", classCode="ORG")
    add(scope, "id", root=SSN_SCOPE_ROOT)


def _echo(parameters: Any) -> Any:
    """The request's queryByParameter, re-homed in the HL7 namespace (requests may carry odd prefixes)."""
    echo = deepcopy(parameters)
    for element in echo.iter():
        if isinstance(element.tag, str):
            element.tag = hl7(etree.QName(element).localname)
    return echo


def soap_fault(code: str, text: str) -> bytes:
    """A SOAP 1.1 Fault envelope, sent with HTTP 500 as SOAP 1.1 prescribes."""
    env = etree.Element(f"{{{wire.SOAP_ENV}}}Envelope", nsmap={"env": wire.SOAP_ENV})
    fault = etree.SubElement(etree.SubElement(env, f"{{{wire.SOAP_ENV}}}Body"), f"{{{wire.SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = code
    etree.SubElement(fault, "faultstring").text = text
    return wire.to_bytes(env)


def create_app(veterans: Sequence[PersonOnFile], *, latency_s: float = 0.0) -> ASGIApp:
    """ASGI app answering SOAP POSTs at `/` or any path below it (sites mount MVI under a prefix)."""
    fake = FakeMvi(veterans)

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        status, payload = fake.respond(body)
        return Response(payload, status_code=status, media_type=XML_MEDIA_TYPE)

    return delayed(Starlette(routes=[Route("/{path:path}", endpoint, methods=["POST"])]), latency_s)
