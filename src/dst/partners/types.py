"""Plain data that partner clients return: DST's own vocabulary, independent of wire formats."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

EARTH_RADIUS_MILES = 3958.8  # mean Earth radius (IUGG)
_HALF_DEGREE = math.pi / 360.0  # half a degree in radians: the haversine works on half-angles


def great_circle_miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Straight-line (great-circle) distance in statute miles, by the haversine; the demo build calls
    it a few hundred thousand times, so it takes plain numbers."""
    sin_dlat = math.sin((lat2 - lat1) * _HALF_DEGREE)
    sin_dlng = math.sin((lng2 - lng1) * _HALF_DEGREE)
    cosines = math.cos(lat1 * 2 * _HALF_DEGREE) * math.cos(lat2 * 2 * _HALF_DEGREE)
    h = sin_dlat * sin_dlat + cosines * sin_dlng * sin_dlng
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lng: float

    def miles_to(self, other: GeoPoint) -> float:
        return great_circle_miles(self.lat, self.lng, other.lat, other.lng)


@dataclass(frozen=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    line3: str | None = None
    city: str | None = None
    state: str | None = None  # two-letter USPS code, upper case
    zip: str | None = None
    country: str | None = None

    @property
    def is_complete(self) -> bool:
        return bool(self.line1 and self.city and self.state and self.zip)


@dataclass(frozen=True)
class Person:
    """A Veteran's identity from MVI."""

    icn: str
    given_name: str
    family_name: str
    birth_date: date | None = None
    gender: str | None = None
    edipi: str | None = None
    ssn_last4: str | None = None
    address: Address | None = None
    # station number (sta3n) -> DFN, from `DFN^PI^<station>^USVHA^A` correlations
    dfns: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VceCode:
    """One E&E community-care eligibility (VCE) code."""

    code: str
    description: str | None
    effective_date: date | None


@dataclass(frozen=True)
class EeSummary:
    """E&E `getEESummary` with requestName CommunityCareInfo."""

    icn: str
    vce_codes: tuple[VceCode, ...]
    residential_address: Address | None
    geocode: GeoPoint | None
    geocode_date: datetime | None = None
    address_change_date: datetime | None = None
    enrollment_status: str | None = None


@dataclass(frozen=True)
class FacilityRecord:
    """A VA facility as the Lighthouse Facilities API v1 describes it."""

    facility_id: str  # e.g. vha_688 or vha_688GA
    name: str
    facility_type: str
    classification: str | None
    visn: str | None
    address: Address
    location: GeoPoint | None
    phone: str | None
    services: tuple[str, ...]  # Lighthouse v1 health service ids, e.g. primaryCare
    # Lighthouse v1 service id -> (new-patient, established-patient) average wait days
    wait_days: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    operating_status: str | None = None

    @property
    def station(self) -> str:
        """The sta3n (first three characters of the station id after `vha_`)."""
        return self.facility_id.removeprefix("vha_")[:3]


@dataclass(frozen=True)
class CommunityProvider:
    """One PPMS ProviderLocator row: a provider at a care site."""

    provider_id: str
    name: str
    care_site: str
    address: Address
    location: GeoPoint
    specialty_codes: tuple[str, ...]
    distance_miles: float | None = None
    drive_minutes: float | None = None
    phone: str | None = None
    network: str | None = None
    accepting_new_patients: bool | None = None
    # PPMS's names for the specialty codes (ProviderSpecialty), in the same order; may be empty.
    specialty_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Seoc:
    """A Standardized Episode of Care."""

    seoc_id: str
    name: str
    category_of_care: str
    service_line: str | None
    description: str | None
    duration_days: int | None
    max_visits: int | None
    procedural_overview: str | None
    disclaimer: str | None
    status: str = "Active"
    version: str | None = None
    effective_date: date | None = None
    end_date: date | None = None


@dataclass(frozen=True)
class DriveTime:
    destination_id: str
    minutes: float | None
    source: str  # "routing" (OSRM table) or "estimate"
    method: str  # how the figure was obtained, shown to the clinician as evidence
