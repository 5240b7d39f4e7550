"""Gather each dashboard panel concurrently; a failing partner degrades only the panels that need it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import anyio
from pydantic import TypeAdapter
from sqlalchemy.orm import Session, sessionmaker

from dst.consults.cache import PanelCache
from dst.consults.context import RecordContext
from dst.consults.shared import SharedCalls
from dst.db.engine import transaction
from dst.db.threads import run_db
from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.gateway import PartnerGateway
from dst.partners.types import Address, CommunityProvider, DriveTime, EeSummary, GeoPoint, Person
from dst.reference import facilities as facility_queries
from dst.reference.geo import zip_centroid

log = logging.getLogger(__name__)
T = TypeVar("T")

# Search radii of the original tool (GMRC*3*129): 40 miles for PC/MH, 100 miles for specialty care.
# MVI answers that identify no one: E&E's answer is set aside and the Veteran asked for by traits.
IDENTITY_FAILURES = frozenset({FailureKind.NOT_FOUND, FailureKind.MULTIPLE_MATCHES})
IDENTITY_WORDS = {
    FailureKind.NOT_FOUND: "MVI found no Veteran for this consult's patient record.",
    FailureKind.MULTIPLE_MATCHES: "MVI found more than one Veteran for this consult's patient record.",
}
RADIUS_MILES = {"primary-care": 40.0, "mental-health": 40.0, "extended-care": 40.0, "specialty": 100.0}
MAX_FACILITIES_ROUTED = 25
# The panel-cache entries (by kind) a Retry of each partner clears: its own answer and what is built
# on it. E&E places the residence, so drive times and the provider search start from its answer.
_PANELS_OF_PATIENT = ("patient", "facilities", "providers")
RETRY_FORGETS = {
    Partner.MVI: ("mvi", *_PANELS_OF_PATIENT),
    Partner.EE: ("ee", *_PANELS_OF_PATIENT, "routing", "ppms"),
    Partner.ROUTING: ("routing", "facilities"),
    Partner.PPMS: ("ppms", "providers"),
}


@dataclass(frozen=True)
class PatientPanel:
    person: Person | None
    ee: EeSummary | None
    errors: tuple[PartnerError, ...]
    location: GeoPoint | None
    location_source: str | None

    @property
    def address(self) -> Address | None:
        return self.ee.residential_address if self.ee else None


@dataclass(frozen=True)
class FacilityRow:
    facility_id: str
    name: str
    city: str | None
    state: str | None
    phone: str | None
    straight_miles: float
    drive_minutes: float | None
    drive_source: str | None
    drive_method: str | None
    va_wait_days: float | None
    cc_wait_days: float | None
    operating_status: str | None = None


@dataclass(frozen=True)
class FacilitiesPanel:
    rows: tuple[FacilityRow, ...]
    radius_miles: float | None
    errors: tuple[PartnerError, ...] = ()
    note: str | None = None

    @property
    def available(self) -> bool:
        return self.radius_miles is not None and not any(
            e.partner in (Partner.MVI, Partner.EE)
            or e.kind in (FailureKind.NO_GEOCODE, FailureKind.NO_ADDRESS)
            for e in self.errors
        )


@dataclass(frozen=True)
class ProvidersPanel:
    providers: tuple[CommunityProvider, ...]
    radius_miles: float | None
    errors: tuple[PartnerError, ...] = field(default_factory=tuple)
    note: str | None = None


PERSON = TypeAdapter(Person)
EE_SUMMARY = TypeAdapter(EeSummary)
DRIVE_TIMES = TypeAdapter(list[DriveTime])
PROVIDERS = TypeAdapter(list[CommunityProvider])


class Panels:
    def __init__(
        self,
        gateway: PartnerGateway,
        sessions: sessionmaker[Session],
        cache: PanelCache,
        shared: SharedCalls | None = None,
    ) -> None:
        self.gateway = gateway
        self.sessions = sessions
        self.cache = cache
        self.shared = shared
        self._prefetching: set[asyncio.Task[object]] = set()

    async def _one_call(
        self, ctx: RecordContext, call_key: str, compute: Callable[[], Awaitable[T]], adapter: TypeAdapter[T]
    ) -> T:
        """The partner call, made once for this record by whichever DST process claims it first."""
        if self.shared is None:
            return await compute()
        return await self.shared.call(ctx.dst_id, call_key, compute, adapter)

    @staticmethod
    def call_keys(ctx: RecordContext) -> list[str]:
        """The partner calls a record's page view makes (the E&E one when the ICN is known)."""
        keys = [Partner.MVI.value]
        if ctx.icn:
            keys.append(f"{Partner.EE.value}:{ctx.icn}")
        if ctx.service is not None:
            keys += [f"{Partner.ROUTING.value}:{ctx.service.id}", f"{Partner.PPMS.value}:{ctx.service.id}"]
        return keys

    def forget_partner(self, dst_id: str, partner: Partner) -> None:
        """A Retry: this process forgets the partner's answer for the record and every panel built on
        it; the other partners' answers stay, so the refetched panels call only this partner."""
        self.cache.forget_kinds(dst_id, RETRY_FORGETS[partner])

    def prefetch(self, ctx: RecordContext) -> None:
        """Start every panel's partner calls for a record just opened, before its page asks.

        The answers land in the cache under the keys the panel requests use, so a page view still
        calls each partner once; a panel asked for while its call is under way waits for that call.
        """
        for gather in (self.patient, self.facilities, self.providers):
            task: asyncio.Task[object] = asyncio.ensure_future(gather(ctx))
            self._prefetching.add(task)
            task.add_done_callback(self._prefetched)

    async def aclose(self, timeout_s: float) -> None:
        """Let prefetches still under way finish (their partner calls are bounded by the partner
        timeout), so none opens a database connection after the app has disposed of its engine: that
        connection would never be closed. Cancelling would not do: a task waiting for its database
        work on a worker thread lets go of it, and the thread carries on."""
        tasks = list(self._prefetching)
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=timeout_s)
        for task in late:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _prefetched(self, task: asyncio.Task[object]) -> None:
        self._prefetching.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("prefetching a panel failed: %s", type(task.exception()).__name__)

    async def _person(self, ctx: RecordContext) -> Person:
        def call() -> Awaitable[Person]:
            return self.gateway.person(icn=ctx.icn, station=ctx.station, dfn=ctx.dfn)

        return await self.cache.get((ctx.dst_id, "mvi"), lambda: self._one_call(ctx, "mvi", call, PERSON))

    async def _ee(self, icn: str, ctx: RecordContext) -> EeSummary:
        def call() -> Awaitable[EeSummary]:
            return self.gateway.ee_summary(icn)

        return await self.cache.get(
            (ctx.dst_id, "ee", icn), lambda: self._one_call(ctx, f"ee:{icn}", call, EE_SUMMARY)
        )

    async def patient(self, ctx: RecordContext) -> PatientPanel:
        return await self.cache.get((ctx.dst_id, "patient"), lambda: self._gather_patient(ctx))

    async def _gather_patient(self, ctx: RecordContext) -> PatientPanel:
        person: Person | None = None
        ee: EeSummary | None = None
        errors: list[PartnerError] = []

        async def fetch_person() -> None:
            nonlocal person
            try:
                person = await self._person(ctx)
            except PartnerError as exc:
                errors.append(exc)

        async def fetch_ee(icn: str) -> None:
            nonlocal ee
            try:
                ee = await self._ee(icn, ctx)
            except PartnerError as exc:
                errors.append(exc)

        if ctx.icn:  # the ICN is known: ask MVI and E&E at the same time
            async with anyio.create_task_group() as group:
                group.start_soon(fetch_person)
                group.start_soon(fetch_ee, ctx.icn)
        else:
            await fetch_person()
            if person is not None:
                await fetch_ee(person.icn)
            else:
                errors.append(
                    self.gateway.skip(
                        Partner.EE, "E&E was not asked because MVI did not identify the Veteran."
                    )
                )
        if ee is not None and person is None and any(e.kind in IDENTITY_FAILURES for e in errors):
            # MVI could not single out the Veteran: E&E's answer for the ICN the consult carried may be
            # about someone else, so nothing of it is used (the original tool skipped the call).
            ee = None
            errors.append(
                self.gateway.skip(
                    Partner.EE, "E&E's answer was set aside because MVI did not identify the Veteran."
                )
            )
        location, source, problem = locate(ee)
        if problem is not None and ee is not None:
            errors.append(problem)
        return PatientPanel(person, ee, tuple(errors), location, source)

    async def facilities(self, ctx: RecordContext) -> FacilitiesPanel:
        if ctx.service is None:
            return FacilitiesPanel((), None, note="Choose the clinical service to see VA facilities.")
        key = (ctx.dst_id, "facilities", ctx.service.id)
        return await self.cache.get(key, lambda: self._gather_facilities(ctx))

    async def _gather_facilities(self, ctx: RecordContext) -> FacilitiesPanel:
        assert ctx.service is not None
        patient = await self.patient(ctx)
        if patient.location is None or _mvi_failed(patient):
            self.gateway.skip(Partner.ROUTING, "no residence to route from")
            return FacilitiesPanel((), None, errors=patient.errors, note=_no_location_note(patient))
        radius = RADIUS_MILES.get(ctx.service.care_category, 100.0)
        nearby = await run_db(self._nearby, ctx, patient.location, radius)
        nearby = nearby[:MAX_FACILITIES_ROUTED]
        errors = list(patient.errors)
        drive: dict[str, tuple[float | None, str | None, str | None]] = {}
        if nearby:
            try:
                origin = patient.location
                destinations = [(n.facility_id, n.location) for n in nearby]
                service_id = ctx.service.id
                times = await self.cache.get(
                    (ctx.dst_id, "routing", service_id),
                    lambda: self._one_call(
                        ctx,
                        f"routing:{service_id}",
                        lambda: self.gateway.drive_minutes(origin, destinations),
                        DRIVE_TIMES,
                    ),
                )
                drive = {t.destination_id: (t.minutes, t.source, t.method) for t in times}
            except PartnerError as exc:
                errors.append(exc)
        rows = [
            FacilityRow(
                n.facility_id,
                n.name,
                n.city,
                n.state,
                n.phone,
                round(n.miles, 1),
                *drive.get(n.facility_id, (None, None, None)),
                n.va_wait_days,
                n.cc_wait_days,
                n.operating_status,
            )
            for n in nearby
        ]
        rows.sort(key=lambda r: (r.drive_minutes is None, r.drive_minutes or 0.0, r.straight_miles))
        return FacilitiesPanel(tuple(rows), radius, errors=tuple(errors))

    def _nearby(self, ctx: RecordContext, point: GeoPoint, radius: float) -> list[facility_queries.Nearby]:
        assert ctx.service is not None
        # A read-only unit: no BEGIN and ROLLBACK on PostgreSQL, whose ROLLBACK would also make the
        # driver forget every statement it had prepared on that connection.
        with transaction(self.sessions, read_only=True) as session:
            return facility_queries.nearby_offering(
                session,
                service_id=ctx.service.lighthouse_service_id,
                clinical_service_id=ctx.service.id,
                point=point,
                radius_miles=radius,
            )

    async def providers(self, ctx: RecordContext) -> ProvidersPanel:
        if ctx.service is None:
            return ProvidersPanel((), None, note="Choose the clinical service to see community providers.")
        key = (ctx.dst_id, "providers", ctx.service.id)
        return await self.cache.get(key, lambda: self._gather_providers(ctx))

    async def _gather_providers(self, ctx: RecordContext) -> ProvidersPanel:
        assert ctx.service is not None
        patient = await self.patient(ctx)
        if patient.location is None or _mvi_failed(patient):
            self.gateway.skip(Partner.PPMS, "no residence to search around")
            return ProvidersPanel((), None, errors=patient.errors, note=_no_location_note(patient))
        radius = RADIUS_MILES.get(ctx.service.care_category, 100.0)
        try:
            origin, codes, service_id = patient.location, ctx.service.ppms_specialty_codes, ctx.service.id
            found = await self.cache.get(
                (ctx.dst_id, "ppms", service_id),
                lambda: self._one_call(
                    ctx,
                    f"ppms:{service_id}",
                    lambda: self.gateway.community_providers(origin, radius, codes),
                    PROVIDERS,
                ),
            )
        except PartnerError as exc:
            return ProvidersPanel((), radius, errors=(exc,))
        if not found:
            # An empty answer is an answer, not a failure; say so rather than show a blank panel.
            note = f"PPMS lists no community providers within {radius:g} miles."
            return ProvidersPanel((), radius, note=note)
        return ProvidersPanel(tuple(found), radius)


def locate(ee: EeSummary | None) -> tuple[GeoPoint | None, str | None, PartnerError | None]:
    """Where the Veteran lives: E&E's geocode, else the centroid of the residential ZIP code."""
    if ee is None:
        return None, None, None
    if ee.geocode is not None:
        return ee.geocode, "E&E geocode of the residential address", None
    address = ee.residential_address
    if address is None or not (address.zip or address.city):
        return (
            None,
            None,
            PartnerError(
                Partner.EE, FailureKind.NO_ADDRESS, "E&E has no residential address for this Veteran."
            ),
        )
    point = zip_centroid(address.zip or "")
    if point is None:
        return (
            None,
            None,
            PartnerError(
                Partner.EE, FailureKind.NO_GEOCODE, "The residential address could not be placed on the map."
            ),
        )
    return point, "centroid of the residential ZIP code (E&E had no geocode)", None


def _mvi_failed(patient: PatientPanel) -> bool:
    """No drive times or providers are shown for a Veteran MVI has not identified: eligibility does not
    use them (FacilitiesPanel.available), so showing them would contradict it."""
    return any(e.partner is Partner.MVI for e in patient.errors)


def _no_location_note(patient: PatientPanel) -> str:
    mvi = next((e for e in patient.errors if e.partner is Partner.MVI), None)
    if mvi is not None and mvi.kind in IDENTITY_FAILURES:
        return (
            f"{IDENTITY_WORDS[mvi.kind]} DST does not look up the residence, drive times or providers "
            "until the Veteran is identified: search MVI again with the Veteran's traits."
        )
    if mvi is not None:
        return (
            "MVI did not answer, so DST could not confirm who the Veteran is and did not look up drive "
            "times or providers. Reload the page to ask MVI again."
        )
    if any(e.kind is FailureKind.NO_ADDRESS for e in patient.errors):
        return (
            "No address available: E&E has no residential address. Ask the Veteran to update it "
            "(Enterprise Service Desk ticket for E&E) — drive times cannot be computed."
        )
    if any(e.kind is FailureKind.NO_GEOCODE for e in patient.errors):
        return "The residential address could not be placed on the map, so drive times cannot be computed."
    return "The Veteran's residence is not known because a partner system did not answer."
