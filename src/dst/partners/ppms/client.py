"""PPMS DWS client: community providers near a point for a set of NUCC specialty codes."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import httpx2

from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.ppms.wire import NO_PROVIDERS_PREFIX, MalformedRowError, error_message, parse_provider
from dst.partners.resilience import check_status, decode_json, require_mapping, send
from dst.partners.types import CommunityProvider, GeoPoint

log = logging.getLogger(__name__)
_P = Partner.PPMS
CODES_PER_CALL = 5  # ProviderLocator takes specialtycode1..5
MIN_RADIUS_MILES, MAX_RADIUS_MILES = 1, 500  # the range vets-api clamps to
MAX_RESULTS_LIMIT = 625  # the ProviderLocator ICD ceiling


def code_groups(codes: Sequence[str]) -> list[tuple[str, ...]]:
    unique = tuple(dict.fromkeys(codes))
    return [unique[i : i + CODES_PER_CALL] for i in range(0, len(unique), CODES_PER_CALL)]


def locator_params(
    point: GeoPoint, radius_miles: float, codes: Sequence[str], max_results: int
) -> dict[str, str]:
    """The current (vets-api FacilitiesApi v2) ProviderLocator query: unquoted `lat,long` address."""
    radius = min(MAX_RADIUS_MILES, max(MIN_RADIUS_MILES, math.ceil(radius_miles)))
    params = {
        "address": f"{point.lat:.6f},{point.lng:.6f}",
        "radius": str(radius),
        "maxResults": str(max_results),
        "pageNumber": "1",
        "pageSize": str(max_results),
        "telehealthSearch": "0",
        "homeHealthSearch": "0",
    }
    params.update({f"specialtycode{n}": code for n, code in enumerate(codes, start=1)})
    return params


def _site_key(provider: CommunityProvider) -> tuple[str, str, str | None, str | None]:
    """Rows repeat per specialty and per route; one provider at one care site is one result."""
    address = provider.address
    return provider.provider_id, provider.care_site.upper(), address.line1, address.zip


def merge(rows: Sequence[CommunityProvider]) -> list[CommunityProvider]:
    """De-duplicate by provider and care site, keeping every specialty code and the shortest distance."""
    merged: dict[tuple[str, str, str | None, str | None], CommunityProvider] = {}
    for row in rows:
        key = _site_key(row)
        seen = merged.get(key)
        if seen is None:
            merged[key] = row
            continue
        named = dict(_named(seen)) | dict(_named(row))
        nearer = row if _distance(row) < _distance(seen) else seen
        merged[key] = replace(nearer, specialty_codes=tuple(named), specialty_names=tuple(named.values()))
    return sorted(merged.values(), key=lambda p: (_distance(p), p.name, p.provider_id))


def _named(provider: CommunityProvider) -> list[tuple[str, str]]:
    names = provider.specialty_names or provider.specialty_codes
    return list(zip(provider.specialty_codes, names, strict=False))


def of_specialties(rows: Sequence[CommunityProvider], codes: Sequence[str]) -> list[CommunityProvider]:
    """Only rows for a specialty that was asked for: a row of another specialty, or of none, would put
    (say) an ENT or home-health provider in a cardiology list."""
    asked = set(codes)
    return [row for row in rows if asked.intersection(row.specialty_codes)]


def _distance(provider: CommunityProvider) -> float:
    return provider.distance_miles if provider.distance_miles is not None else math.inf


class PpmsClient:
    def __init__(self, base_url: str, http: httpx2.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http

    async def provider_locator(
        self,
        point: GeoPoint,
        radius_miles: float,
        specialty_codes: Sequence[str],
        max_results: int = 50,
    ) -> list[CommunityProvider]:
        """Providers within the radius offering any of the codes, nearest first (one call per 5 codes)."""
        if not specialty_codes:
            raise ValueError("at least one specialty code is needed")
        if not 1 <= max_results <= MAX_RESULTS_LIMIT:
            raise ValueError(f"max_results must be from 1 to {MAX_RESULTS_LIMIT}")
        rows: list[CommunityProvider] = []
        for group in code_groups(specialty_codes):
            found = await self._locate(locator_params(point, radius_miles, group, max_results))
            rows.extend(of_specialties(found, group))
        return merge(rows)[:max_results]

    async def specialties(self) -> list[dict[str, Any]]:
        """The NUCC taxonomy rows PPMS knows (`SpecialtyCode`, `Name`, `Grouping`, …)."""
        response = await send(_P, self.http, f"{self.base_url}/v1.0/Specialties")
        check_status(_P, response)
        rows = _value(decode_json(_P, response))
        if not all(isinstance(row, dict) and isinstance(row.get("SpecialtyCode"), str) for row in rows):
            raise PartnerError(_P, FailureKind.MALFORMED, "specialty row without SpecialtyCode")
        return rows

    async def _locate(self, params: Mapping[str, str]) -> list[CommunityProvider]:
        response = await send(_P, self.http, f"{self.base_url}/v1.0/ProviderLocator", params=params)
        if response.status_code == 500 and _is_no_providers(response):
            return []  # PPMS answers an empty search with HTTP 500 and this message
        check_status(_P, response)
        return _parse_rows(_value(decode_json(_P, response)))


def _is_no_providers(response: httpx2.Response) -> bool:
    try:
        message = error_message(response.json())
    except ValueError:
        return False
    return message is not None and message.startswith(NO_PROVIDERS_PREFIX)


def _value(body: Any) -> list[Any]:
    """The OData `value` list; an absent `value` means no results, as vets-api reads it."""
    envelope = require_mapping(_P, body, "PPMS answer")
    if error_message(envelope) is not None:
        raise PartnerError(_P, FailureKind.FAULT, "PPMS answered with an error object")
    rows = envelope.get("value", [])
    if not isinstance(rows, list):
        raise PartnerError(_P, FailureKind.MALFORMED, "PPMS value is not a list")
    return rows


def _parse_rows(rows: list[Any]) -> list[CommunityProvider]:
    providers, skipped = [], 0
    for row in rows:
        try:
            providers.append(parse_provider(row))
        except MalformedRowError as error:
            skipped += 1
            log.warning("skipped PPMS row: %s", error)
    if rows and not providers:
        raise PartnerError(_P, FailureKind.MALFORMED, f"none of {skipped} PPMS rows could be read")
    return providers
