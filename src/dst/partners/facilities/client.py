"""Lighthouse Facilities API v1 client: every health facility page by page, or chosen ids."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import httpx2

from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.facilities.nearby import MalformedBandError, NearbyAnswer, parse_nearby
from dst.partners.facilities.wire import (
    MalformedRecordError,
    WaitDays,
    facility_id_of,
    parse_detailed_services,
    parse_facility,
)
from dst.partners.resilience import check_status, decode_json, require_mapping, send
from dst.partners.types import FacilityRecord, GeoPoint

log = logging.getLogger(__name__)
_P = Partner.FACILITIES
MAX_PAGES = 10_000  # a runaway `links.next` chain must end somewhere


@dataclass(frozen=True)
class SkippedRecord:
    """A facility record left out because it lacked a required part."""

    facility_id: str | None
    reason: str


@dataclass(frozen=True)
class FacilityPage:
    number: int
    records: tuple[FacilityRecord, ...]
    skipped: tuple[SkippedRecord, ...] = ()
    total_pages: int | None = None
    # Facilities kept without wait times because their /services answer could not be read.
    wait_times_missing: tuple[str, ...] = ()


class FacilitiesClient:
    """Reads `GET /facilities` (JSON:API) with the `apikey` header.

    Wait times: current v1 keeps them only under `/facilities/{id}/services` (`waitTime`), while the
    2022 v1 shape and v0 carry them in the facility (`waitTimes` / `wait_times`). The client uses
    the inline block when the record has one and otherwise asks `/services` once per facility that
    lists health services, `wait_time_concurrency` at a time (vets-api's `get_by_id` does the same
    second call). For the nightly sync that is about 1,300 extra calls, so keep the concurrency
    within the key's rate limit; a 429 or any other failure of one `/services` call keeps that
    facility without wait times and names it in `FacilityPage.wait_times_missing`.
    """

    def __init__(
        self,
        base_url: str,
        http: httpx2.AsyncClient,
        api_key: str,
        *,
        fetch_wait_times: bool = True,
        wait_time_concurrency: int = 4,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http
        self._headers = {"apikey": api_key, "Accept": "application/json"}
        self.fetch_wait_times = fetch_wait_times
        self._limit = asyncio.Semaphore(wait_time_concurrency)

    async def iter_facility_pages(
        self, page_size: int = 200, *, facility_type: str = "health"
    ) -> AsyncIterator[FacilityPage]:
        params = {"type": facility_type, "page": "1", "per_page": str(page_size)}
        async for page in self._pages(f"{self.base_url}/facilities", params):
            yield page

    async def get_facilities(self, ids: Sequence[str]) -> list[FacilityRecord]:
        """The named facilities (unknown ids are silently absent, as in Lighthouse)."""
        if not ids:
            return []
        params = {"facilityIds": ",".join(ids), "page": "1", "per_page": str(min(len(ids), 1000))}
        records: list[FacilityRecord] = []
        async for page in self._pages(f"{self.base_url}/facilities", params):
            records.extend(page.records)
        return records

    async def wait_days(self, facility_id: str) -> WaitDays:
        """Per-service wait days from `/facilities/{id}/services`; {} when the facility has none."""
        url = f"{self.base_url}/facilities/{facility_id}/services"
        async with self._limit:
            response = await send(_P, self.http, url, headers=self._headers)
        if response.status_code == 404:
            return {}
        check_status(_P, response)
        try:
            return parse_detailed_services(decode_json(_P, response))
        except MalformedRecordError as error:
            raise PartnerError(_P, FailureKind.MALFORMED, f"services answer: {error}") from error

    async def nearby(
        self, point: GeoPoint, drive_time_minutes: int = 90, services: Sequence[str] = ()
    ) -> NearbyAnswer:
        """Facilities whose PSSG drive-time band holds `point` (the CCE pattern); none means none near."""
        params = httpx2.QueryParams(
            {
                "lat": f"{point.lat:.6f}",
                "lng": f"{point.lng:.6f}",
                "drive_time": str(drive_time_minutes),
                "services[]": list(services),
            }
        )
        url = f"{self.base_url}/nearby"
        response = await send(_P, self.http, url, params=params, headers=self._headers)
        check_status(_P, response)
        try:
            return parse_nearby(decode_json(_P, response))
        except MalformedBandError as error:
            raise PartnerError(_P, FailureKind.MALFORMED, f"nearby answer: {error}") from error

    async def _pages(self, url: str, params: Mapping[str, str] | None) -> AsyncIterator[FacilityPage]:
        next_url: str | None = url
        seen: set[str] = set()
        number = 0
        while next_url is not None and number < MAX_PAGES:
            response = await send(_P, self.http, next_url, params=params, headers=self._headers)
            check_status(_P, response)
            body = require_mapping(_P, decode_json(_P, response), "facilities answer")
            number += 1
            yield await self._page(body, number)
            seen.add(str(response.request.url))
            next_url, params = self._next_link(body, seen), None

    async def _page(self, body: dict[str, Any], number: int) -> FacilityPage:
        items = body.get("data")
        if not isinstance(items, list):
            raise PartnerError(_P, FailureKind.MALFORMED, "facilities answer has no data list")
        parsed, skipped = _parse_items(items)
        records, missing = await self._with_wait_times(parsed)
        for skip in skipped:
            log.warning("skipped facility record %s: %s", skip.facility_id, skip.reason)
        return FacilityPage(number, tuple(records), tuple(skipped), _total_pages(body), tuple(missing))

    async def _with_wait_times(
        self, parsed: list[tuple[FacilityRecord, bool]]
    ) -> tuple[list[FacilityRecord], list[str]]:
        wanted = [r for r, needs in parsed if needs and self.fetch_wait_times]
        answers = await asyncio.gather(
            *(self.wait_days(r.facility_id) for r in wanted), return_exceptions=True
        )
        fetched = dict(zip((r.facility_id for r in wanted), answers, strict=True))
        records: list[FacilityRecord] = []
        missing: list[str] = []
        for record, _ in parsed:
            answer = fetched.get(record.facility_id)
            if isinstance(answer, BaseException):
                if not isinstance(answer, PartnerError) or answer.kind is FailureKind.REJECTED:
                    raise answer  # a refused key fails every later call too; anything else is our bug
                missing.append(record.facility_id)
                answer = None
            records.append(record if answer is None else replace(record, wait_days=answer))
        return records, missing

    def _next_link(self, body: Mapping[str, Any], seen: set[str]) -> str | None:
        links = body.get("links")
        raw = links.get("next") if isinstance(links, Mapping) else None
        if not raw:
            return None
        if not isinstance(raw, str):
            raise PartnerError(_P, FailureKind.MALFORMED, "links.next is not a URL")
        target = httpx2.URL(self.base_url).join(raw)
        # The apikey header goes wherever `next` points: refuse to follow it to another host.
        if target.host != httpx2.URL(self.base_url).host:
            raise PartnerError(_P, FailureKind.MALFORMED, "links.next points to another host")
        return None if str(target) in seen else str(target)


def _parse_items(items: list[Any]) -> tuple[list[tuple[FacilityRecord, bool]], list[SkippedRecord]]:
    """Parse each record; a malformed one is skipped and reported, not fatal for the page."""
    parsed: list[tuple[FacilityRecord, bool]] = []
    skipped: list[SkippedRecord] = []
    for item in items:
        try:
            record = parse_facility(item)
        except MalformedRecordError as error:
            skipped.append(SkippedRecord(facility_id_of(item), str(error)))
            continue
        attributes = item["attributes"]
        has_inline = "waitTimes" in attributes or "wait_times" in attributes
        parsed.append((record, bool(record.services) and not has_inline))
    return parsed, skipped


def _total_pages(body: Mapping[str, Any]) -> int | None:
    meta = body.get("meta")
    pagination = meta.get("pagination") if isinstance(meta, Mapping) else None
    if not isinstance(pagination, Mapping):
        return None
    total = pagination.get("totalPages", pagination.get("total_pages"))
    return total if isinstance(total, int) else None
