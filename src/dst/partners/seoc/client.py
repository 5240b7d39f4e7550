"""SEOC API v2 client: the active Standardized Episodes of Care (and the full list, with states)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx2

from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.resilience import check_status, decode_json, send
from dst.partners.seoc.wire import MalformedSeocError, parse_seoc, records
from dst.partners.types import Seoc

log = logging.getLogger(__name__)
_P = Partner.SEOC


class SeocClient:
    def __init__(self, base_url: str, http: httpx2.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http

    async def active_seocs(self) -> list[Seoc]:
        """`GET /v2/seoc/active`: every SEOC currently in force."""
        return _parse_all(await self._get("/v2/seoc/active"), status="Active", today=None)

    async def active_listing(self) -> SeocListing:
        """Like `active_seocs`, also naming the records left out (the load job reports them)."""
        return _parse_listing(await self._get("/v2/seoc/active"), status="Active", today=None)

    async def all_seocs(self, today: date | None = None) -> list[Seoc]:
        """`GET /v2/seoc`: Active, Discontinued and Date Hold versions, status read from the dates."""
        return _parse_all(await self._get("/v2/seoc"), status=None, today=today)

    async def _get(self, path: str) -> Any:
        response = await send(_P, self.http, f"{self.base_url}{path}", headers={"Accept": "application/json"})
        check_status(_P, response)
        return decode_json(_P, response)


def _parse_all(body: Any, *, status: str | None, today: date | None) -> list[Seoc]:
    return _parse_listing(body, status=status, today=today).seocs


@dataclass(frozen=True)
class SeocListing:
    """The readable SEOCs of one answer, and each left-out record as `<seocId or ?>: <reason>`."""

    seocs: list[Seoc]
    skipped: list[str]


def _parse_listing(body: Any, *, status: str | None, today: date | None) -> SeocListing:
    """A malformed record is logged by its SEOC id and left out; a malformed envelope is an error."""
    try:
        items = records(body)
    except MalformedSeocError as error:
        raise PartnerError(_P, FailureKind.MALFORMED, str(error)) from error
    seocs: list[Seoc] = []
    skipped: list[str] = []
    for item in items:
        try:
            seocs.append(parse_seoc(item, status=status, today=today))
        except MalformedSeocError as error:
            seoc_id = item.get("seocId") if isinstance(item, dict) else None
            log.warning("skipped SEOC %s: %s", seoc_id, error)
            skipped.append(f"{seoc_id or '?'}: {error}")
    if items and not seocs:
        raise PartnerError(_P, FailureKind.MALFORMED, "no SEOC record could be read")
    return SeocListing(seocs, skipped)
