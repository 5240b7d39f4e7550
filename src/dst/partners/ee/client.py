"""E&E client: a Veteran's community-care (VCE) codes, residence and geocode via getEESummary."""

from __future__ import annotations

from typing import Any

import httpx
from lxml import etree

from dst.partners.ee import wire
from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.types import EeSummary

# WS-Security fault codes (OASIS WSS 1.0 §12) meaning E&E refused our credentials.
SECURITY_FAULTS = frozenset(
    {"FailedAuthentication", "InvalidSecurity", "InvalidSecurityToken", "FailedCheck"}
)


class EeClient:
    """Talks to E&E through the caller's httpx client, which owns timeouts, TLS and transport."""

    def __init__(self, base_url: str, http: httpx.AsyncClient, username: str, password: str) -> None:
        self._base_url = base_url
        self._http = http
        self._username = username
        self._password = password

    def __repr__(self) -> str:
        return f"EeClient({self._base_url!r})"  # never the password

    async def get_ee_summary(self, icn: str) -> EeSummary:
        """The CommunityCareInfo summary; a missing address or geocode comes back as None, not an error."""
        if not icn or not icn.strip():
            # A blank ICN is a bug in the caller, not a partner failure.
            raise ValueError("ICN is required for an E&E summary")
        envelope = wire.build_request(icn.strip(), self._username, self._password)
        return wire.parse_summary(await self._exchange(envelope), icn.strip())

    async def _exchange(self, envelope: bytes) -> Any:
        """POST one SOAP envelope; return the parsed answer or raise the matching PartnerError."""
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
        try:
            response = await self._http.post(self._base_url, content=envelope, headers=headers)
        except httpx.TimeoutException as exc:
            raise _error(FailureKind.TIMEOUT, "E&E did not answer in time") from exc
        except httpx.TransportError as exc:
            raise _error(FailureKind.UNAVAILABLE, f"E&E could not be reached ({type(exc).__name__})") from exc
        return _read(response)


def _read(response: httpx.Response) -> Any:
    status = response.status_code
    if 400 <= status < 500:
        raise _error(FailureKind.REJECTED, f"E&E refused the request (HTTP {status})")
    try:
        root = wire.parse_xml(response.content)
    except etree.XMLSyntaxError as exc:
        if status >= 300:
            raise _error(FailureKind.UNAVAILABLE, f"E&E answered HTTP {status}") from exc
        raise _error(FailureKind.MALFORMED, "E&E answer is not well-formed XML") from exc
    fault = wire.soap_fault(root)
    if fault is not None:
        raise fault_error(fault)
    if status >= 300:
        raise _error(FailureKind.UNAVAILABLE, f"E&E answered HTTP {status}")
    return root


def fault_error(fault: wire.SoapFault) -> PartnerError:
    """Name a SOAP fault; the fault text itself stays out of the message, as it may echo the ICN."""
    local_code = fault.code.rpartition(":")[2]
    if wire.PERSON_NOT_FOUND.casefold() in fault.text.casefold():
        return _error(FailureKind.NOT_FOUND, "E&E does not know this person (PERSON_NOT_FOUND)")
    if local_code in SECURITY_FAULTS:
        return _error(FailureKind.REJECTED, f"E&E refused DST's credentials ({local_code})")
    return _error(FailureKind.FAULT, f"E&E answered with a SOAP fault ({local_code or 'no code'})")


def _error(kind: FailureKind, message: str) -> PartnerError:
    return PartnerError(Partner.EE, kind, message)
