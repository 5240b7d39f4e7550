"""MVI client: a Veteran's identity and VistA correlations, by HL7 v3 query over SOAP 1.1."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from lxml import etree

from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.mvi import wire
from dst.partners.types import Person


class MviClient:
    """Talks to MVI through the caller's httpx client, which owns timeouts, TLS and transport."""

    def __init__(
        self,
        base_url: str,
        http: httpx.AsyncClient,
        *,
        sender_id: str = wire.DST_SENDER_ID,
        processing_code: str = "T",
    ) -> None:
        self._base_url = base_url
        self._http = http
        self._options = {"sender_id": sender_id, "processing_code": processing_code}

    async def find_by_icn(self, icn: str) -> Person:
        _require(icn, "ICN")
        return await self._find(wire.build_icn_query(icn.strip(), **self._options))

    async def find_by_edipi(self, edipi: str) -> Person:
        _require(edipi, "EDIPI")
        return await self._find(wire.build_edipi_query(edipi.strip(), **self._options))

    async def find_by_dfn(self, station: str, dfn: str) -> Person:
        _require(station, "station")
        _require(dfn, "DFN")
        return await self._find(wire.build_dfn_query(station.strip(), dfn.strip(), **self._options))

    async def find_by_traits(self, given: str, family: str, birth_date: date, ssn: str) -> Person:
        for value, what in ((given, "given name"), (family, "family name"), (ssn, "SSN")):
            _require(value, what)
        query = wire.build_traits_query(
            given.strip(), family.strip(), birth_date, ssn.strip(), **self._options
        )
        return await self._find(query)

    async def _find(self, query: bytes) -> Person:
        return wire.parse_find_answer(await self._exchange(query))

    async def _exchange(self, envelope: bytes) -> Any:
        """POST one SOAP envelope; return the parsed answer or raise the matching PartnerError."""
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": wire.SOAP_ACTION}
        try:
            response = await self._http.post(self._base_url, content=envelope, headers=headers)
        except httpx.TimeoutException as exc:
            raise _error(FailureKind.TIMEOUT, "MVI did not answer in time") from exc
        except httpx.TransportError as exc:
            raise _error(FailureKind.UNAVAILABLE, f"MVI could not be reached ({type(exc).__name__})") from exc
        return _read(response)


def _read(response: httpx.Response) -> Any:
    status = response.status_code
    if 400 <= status < 500:
        raise _error(FailureKind.REJECTED, f"MVI refused the request (HTTP {status})")
    try:
        root = wire.parse_xml(response.content)
    except etree.XMLSyntaxError as exc:
        if status >= 300:
            raise _error(FailureKind.UNAVAILABLE, f"MVI answered HTTP {status}") from exc
        raise _error(FailureKind.MALFORMED, "MVI answer is not well-formed XML") from exc
    fault_code = wire.soap_fault_code(root)
    if fault_code is not None:
        raise _error(FailureKind.FAULT, f"MVI answered with a SOAP fault ({fault_code})")
    if status >= 300:
        raise _error(FailureKind.UNAVAILABLE, f"MVI answered HTTP {status}")
    return root


def _require(value: str, what: str) -> None:
    # A blank identifier is a bug in the caller, not a partner failure.
    if not value or not value.strip():
        raise ValueError(f"{what} is required for an MVI query")


def _error(kind: FailureKind, message: str) -> PartnerError:
    return PartnerError(Partner.MVI, kind, message)
