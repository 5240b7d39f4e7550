"""Synthetic Veteran identities: names, ICN, EDIPI, never-issued SSNs, DFNs, homes and E&E codes."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from dst.demo.model import DemoVeteran, EeBehaviour, MviBehaviour
from dst.demo.names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from dst.demo.places import Place, seeded_rng
from dst.partners.types import Address, GeoPoint, VceCode

VCE_DESCRIPTIONS: dict[str, str] = {
    "G": "Grandfathered",
    "N": "State No Full-Service VA",
    "U": "Urgent Care",
    "B": "Basic",
    "H": "Hardship",
    "X": "Ineligible",
    "ND": "Not determined Community",
}
ICN_PREFIX = "9000"  # real ICNs start 10..; this prefix marks every demo Veteran at a glance
_MISSION_ACT_START = date(2019, 6, 6)
_RESIDENTIAL_STREETS = (
    "Oak Street",
    "Pine Street",
    "Cedar Lane",
    "Hillcrest Drive",
    "Sunset Boulevard",
    "Lincoln Avenue",
    "Jefferson Street",
    "River Road",
    "Meadow Lane",
    "Forest Drive",
)


def icn_for(number: int) -> str:
    """10 digits, 'V', 6 digits, as MPI formats an ICN. The suffix is a hash, not MPI's checksum."""
    base = f"{ICN_PREFIX}{number:06d}"
    suffix = int(hashlib.sha256(base.encode()).hexdigest(), 16) % 1_000_000
    return f"{base}V{suffix:06d}"


def vce(code: str, effective: date | None) -> VceCode:
    return VceCode(code=code, description=VCE_DESCRIPTIONS[code], effective_date=effective)


@dataclass(frozen=True)
class Home:
    """Where a Veteran lives as E&E holds it: the address and whether it carries a geocode."""

    place: Place | None
    geocoded: bool = True
    exact: bool = False  # geocode at the ZIP centroid itself instead of a nearby street
    complete: bool = True  # False leaves the ZIP out, which DST must show as "No address available"


class VeteranFactory:
    """Hands out identities in order, so the same calls always give the same Veterans."""

    def __init__(self, seed: int) -> None:
        self.rng = seeded_rng(seed, "veterans")
        self.issued = 0
        self.dfns: Counter[str] = Counter()

    def effective_date(self) -> date:
        """A date on which a code took effect: after the MISSION Act began, before the demo's today."""
        return _MISSION_ACT_START + timedelta(days=self.rng.randrange(2_200))

    def codes(self, *letters: str) -> tuple[VceCode, ...]:
        return tuple(vce(letter, self.effective_date()) for letter in letters)

    def _address(self, home: Home) -> tuple[Address | None, GeoPoint | None]:
        place = home.place
        if place is None:
            return None, None
        line1 = f"{self.rng.randint(10, 9989)} {self.rng.choice(_RESIDENTIAL_STREETS)}"
        zip_code = place.zip if home.complete else None
        address = Address(line1=line1, city=place.city, state=place.state, zip=zip_code, country="USA")
        if not home.geocoded:
            return address, None
        jitter = 0.0 if home.exact else 0.01
        lat = round(place.lat + self.rng.uniform(-jitter, jitter), 5)
        lng = round(place.lng + self.rng.uniform(-jitter, jitter), 5)
        return address, GeoPoint(lat, lng)

    def veteran(
        self,
        *,
        station: str,
        home: Home,
        scenario: str,
        codes: tuple[VceCode, ...] = (),
        gender: str | None = None,
        mvi: MviBehaviour = "ok",
        ee: EeBehaviour = "ok",
    ) -> DemoVeteran:
        self.issued += 1
        self.dfns[station] += 1
        rng = self.rng
        sex = gender or ("F" if rng.random() < 0.15 else "M")
        given = rng.choice(FEMALE_GIVEN_NAMES if sex == "F" else MALE_GIVEN_NAMES)
        address, geocode = self._address(home)
        return DemoVeteran(
            icn=icn_for(self.issued),
            edipi=f"99{self.issued:08d}",
            given_name=given,
            family_name=rng.choice(FAMILY_NAMES),
            birth_date=date(1938, 1, 1) + timedelta(days=rng.randrange(62 * 365)),
            gender="F" if sex == "F" else "M",
            ssn=f"000{100_000 + self.issued:06d}",  # area 000 is never issued by SSA
            station=station,
            dfn=str(7_000 + self.dfns[station]),
            address=address,
            geocode=geocode,
            vce_codes=codes,
            scenario=scenario,
            mvi_behaviour=mvi,
            ee_behaviour=ee,
        )
