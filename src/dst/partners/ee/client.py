"""E&E client: a Veteran's community-care (VCE) codes, residence and geocode via getEESummary."""

from __future__ import annotations

from typing import Any

import httpx2

from dst.partners import soap
from dst.partners.ee import wire
from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.types import EeSummary

# WS-Security fault codes (OASIS WSS 1.0 §12) meaning E&E refused our credentials.
SECURITY_FAULTS = frozenset(
    {"FailedAuthentication", "InvalidSecurity", "InvalidSecurityToken", "FailedCheck"}
)


class EeClient:
    """Talks to E&E through the caller's httpx2 client, which owns timeouts, TLS and transport."""

    def __init__(self, base_url: str, http: httpx2.AsyncClient, username: str, password: str) -> None:
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
        return await soap.exchange(
            self._http,
            self._base_url,
            envelope,
            partner=Partner.EE,
            soap_action='""',
            parse_xml=wire.parse_xml,
            fault_of=_fault_of,
        )


def _fault_of(root: Any) -> PartnerError | None:
    fault = wire.soap_fault(root)
    return None if fault is None else fault_error(fault)


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
