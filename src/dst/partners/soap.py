"""One SOAP exchange over the caller's httpx2 client, with transport and HTTP failures named per partner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
from lxml import etree

from dst.partners.errors import FailureKind, Partner, PartnerError

LABELS = {Partner.MVI: "MVI", Partner.EE: "E&E"}


async def exchange(
    http: httpx2.AsyncClient,
    url: str,
    envelope: bytes,
    *,
    partner: Partner,
    soap_action: str,
    parse_xml: Callable[[bytes], Any],
    fault_of: Callable[[Any], PartnerError | None],
) -> Any:
    """POST one envelope; return the parsed answer or raise the matching PartnerError.

    `fault_of` names the partner's SOAP faults, which differ (E&E's PERSON_NOT_FOUND, security faults).
    """
    label = LABELS[partner]
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": soap_action}
    try:
        response = await http.post(url, content=envelope, headers=headers)
    except httpx2.TimeoutException as exc:
        raise PartnerError(partner, FailureKind.TIMEOUT, f"{label} did not answer in time") from exc
    except httpx2.TransportError as exc:
        message = f"{label} could not be reached ({type(exc).__name__})"
        raise PartnerError(partner, FailureKind.UNAVAILABLE, message) from exc
    return read(response, partner=partner, parse_xml=parse_xml, fault_of=fault_of)


def read(
    response: httpx2.Response,
    *,
    partner: Partner,
    parse_xml: Callable[[bytes], Any],
    fault_of: Callable[[Any], PartnerError | None],
) -> Any:
    label = LABELS[partner]
    status = response.status_code
    if 400 <= status < 500:
        raise PartnerError(partner, FailureKind.REJECTED, f"{label} refused the request (HTTP {status})")
    try:
        root = parse_xml(response.content)
    except etree.XMLSyntaxError as exc:
        if status >= 300:
            raise PartnerError(partner, FailureKind.UNAVAILABLE, f"{label} answered HTTP {status}") from exc
        raise PartnerError(partner, FailureKind.MALFORMED, f"{label} answer is not well-formed XML") from exc
    fault = fault_of(root)
    if fault is not None:
        raise fault
    if status >= 300:
        raise PartnerError(partner, FailureKind.UNAVAILABLE, f"{label} answered HTTP {status}")
    return root
