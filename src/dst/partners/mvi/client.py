"""MVI client: a Veteran's identity and VistA correlations, by HL7 v3 query over SOAP 1.1."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx2

from dst.partners import soap
from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.mvi import wire
from dst.partners.types import Person


class MviClient:
    """Talks to MVI through the caller's httpx2 client, which owns timeouts, TLS and transport."""

    def __init__(
        self,
        base_url: str,
        http: httpx2.AsyncClient,
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
        return await soap.exchange(
            self._http,
            self._base_url,
            envelope,
            partner=Partner.MVI,
            soap_action=wire.SOAP_ACTION,
            parse_xml=wire.parse_xml,
            fault_of=_fault_of,
        )


def _fault_of(root: Any) -> PartnerError | None:
    code = wire.soap_fault_code(root)
    return None if code is None else _error(FailureKind.FAULT, f"MVI answered with a SOAP fault ({code})")


def _require(value: str, what: str) -> None:
    # A blank identifier is a bug in the caller, not a partner failure.
    if not value or not value.strip():
        raise ValueError(f"{what} is required for an MVI query")


def _error(kind: FailureKind, message: str) -> PartnerError:
    return PartnerError(Partner.MVI, kind, message)
