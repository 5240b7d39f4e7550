"""The one door to the partners: every call gets its timeout, circuit breaker, retry policy and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Protocol, TypeVar

from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.facilities.client import FacilityPage
from dst.partners.facilities.nearby import NearbyAnswer
from dst.partners.resilience import BreakerState, CircuitBreaker, PartnerStats, count_skipped, guarded_call
from dst.partners.seoc.client import SeocClient, SeocListing
from dst.partners.types import CommunityProvider, DriveTime, EeSummary, GeoPoint, Person, Seoc

T = TypeVar("T")


class MviPort(Protocol):
    async def find_by_icn(self, icn: str) -> Person: ...
    async def find_by_edipi(self, edipi: str) -> Person: ...
    async def find_by_dfn(self, station: str, dfn: str) -> Person: ...
    async def find_by_traits(self, given: str, family: str, birth_date: date, ssn: str) -> Person: ...


class EePort(Protocol):
    async def get_ee_summary(self, icn: str) -> EeSummary: ...


class PpmsPort(Protocol):
    async def provider_locator(
        self, point: GeoPoint, radius_miles: float, specialty_codes: Sequence[str], max_results: int = 50
    ) -> list[CommunityProvider]: ...


class RoutingPort(Protocol):
    async def drive_minutes(
        self, origin: GeoPoint, destinations: Sequence[tuple[str, GeoPoint]]
    ) -> list[DriveTime]: ...


class SeocPort(Protocol):
    async def active_seocs(self) -> list[Seoc]: ...


class FacilitiesPort(Protocol):
    def iter_facility_pages(self) -> AsyncIterator[FacilityPage]: ...
    async def nearby(self, point: GeoPoint) -> NearbyAnswer: ...


# A breaker in these states means the partner is down: calls are refused, or one probe is trying.
DOWN_STATES = frozenset({BreakerState.OPEN, BreakerState.PROBING})


class PartnerGateway:
    """Holds one client and one circuit breaker per partner for the life of the app."""

    def __init__(
        self,
        *,
        mvi: MviPort,
        ee: EePort,
        ppms: PpmsPort,
        routing: RoutingPort,
        seoc: SeocPort,
        facilities: FacilitiesPort,
        timeout_s: float,
    ) -> None:
        self.mvi, self.ee, self.ppms, self.routing, self.seoc = mvi, ee, ppms, routing, seoc
        self.facilities = facilities
        self.timeout_s = timeout_s
        self.breakers: dict[Partner, CircuitBreaker] = {p: CircuitBreaker() for p in Partner}
        self.stats: dict[Partner, PartnerStats] = {p: PartnerStats() for p in Partner}

    async def _call(self, partner: Partner, op: Callable[[], Awaitable[T]], retries: int = 0) -> T:
        # Interactive calls are not retried: a clinician would wait two timeouts; a reload retries.
        return await guarded_call(
            partner,
            op,
            timeout_s=self.timeout_s,
            breaker=self.breakers[partner],
            retries=retries,
            stats=self.stats[partner],
        )

    def skip(self, partner: Partner, why: str) -> PartnerError:
        """Count a call not made because an earlier step failed, and name it for the panel."""
        count_skipped(partner, self.stats[partner])
        return PartnerError(partner, FailureKind.SKIPPED, why)

    async def person(self, *, icn: str | None, station: str, dfn: str | None) -> Person:
        if icn:
            return await self._call(Partner.MVI, lambda: self.mvi.find_by_icn(icn))
        assert dfn is not None
        return await self._call(Partner.MVI, lambda: self.mvi.find_by_dfn(station, dfn))

    async def person_by_traits(self, *, given: str, family: str, birth_date: date, ssn: str) -> Person:
        """MVI's attended search: every trait it requires, none of them ever logged."""
        return await self._call(Partner.MVI, lambda: self.mvi.find_by_traits(given, family, birth_date, ssn))

    async def person_by_edipi(self, edipi: str) -> Person:
        return await self._call(Partner.MVI, lambda: self.mvi.find_by_edipi(edipi))

    async def ee_summary(self, icn: str) -> EeSummary:
        return await self._call(Partner.EE, lambda: self.ee.get_ee_summary(icn))

    async def community_providers(
        self, point: GeoPoint, radius_miles: float, specialty_codes: Sequence[str]
    ) -> list[CommunityProvider]:
        return await self._call(
            Partner.PPMS, lambda: self.ppms.provider_locator(point, radius_miles, specialty_codes)
        )

    async def drive_minutes(
        self, origin: GeoPoint, destinations: Sequence[tuple[str, GeoPoint]]
    ) -> list[DriveTime]:
        return await self._call(Partner.ROUTING, lambda: self.routing.drive_minutes(origin, destinations))

    async def active_seocs(self) -> list[Seoc]:
        return await self._call(Partner.SEOC, self.seoc.active_seocs, retries=2)

    async def active_seoc_listing(self) -> SeocListing:
        """The active SEOCs with the records skipped as unreadable (a non-HTTP SEOC port names none),
        through the breaker and with retries."""
        if not isinstance(self.seoc, SeocClient):
            return SeocListing(await self.active_seocs(), [])
        return await self._call(Partner.SEOC, self.seoc.active_listing, retries=2)

    def facility_pages(self) -> AsyncIterator[FacilityPage]:
        """Every page of the national facilities listing (the reference load pages through it)."""
        return self.facilities.iter_facility_pages()

    def down_partners(self) -> frozenset[Partner]:
        """The partners whose breaker is open or probing now."""
        return frozenset(p for p, b in self.breakers.items() if b.state in DOWN_STATES)

    def hold_open(self, partner: Partner, *, until: datetime) -> None:
        """Refuse calls to `partner` until `until` (an announced maintenance window)."""
        self.breakers[partner].force_open(until=until)

    def release(self, partner: Partner) -> None:
        self.breakers[partner].release()
