"""PPMS DWS OData rows (ProviderLocator, Specialties) ↔ CommunityProvider."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dst.partners.ppms.specialties import specialty_name
from dst.partners.types import Address, CommunityProvider, GeoPoint

NO_PROVIDERS_PREFIX = "No Providers found"
NO_PROVIDERS_MESSAGE = f"{NO_PROVIDERS_PREFIX} matching radius, type, and service filters"
_SPACES = re.compile(r"\s{2,}")


class MalformedRowError(ValueError):
    """A row lacks a required part; the message names the part only."""


def tidy(value: Any) -> Any:
    """PPMS pads strings with runs of spaces; vets-api squeezes them, and so do we."""
    return _SPACES.sub(" ", value).strip() if isinstance(value, str) else value


def _text(row: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = row.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # identifiers sometimes arrive as numbers
    if value is None or value == "":
        if required:
            raise MalformedRowError(f"missing {key}")
        return None
    if not isinstance(value, str):
        raise MalformedRowError(f"{key} is not text")
    return tidy(value)


def _number(row: Mapping[str, Any], key: str, *, required: bool = False) -> float | None:
    value = row.get(key)
    if value is None:
        if required:
            raise MalformedRowError(f"missing {key}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedRowError(f"{key} is not a number")
    return float(value)


def parse_provider(row: Any) -> CommunityProvider:
    """One ProviderLocator (or PlaceOfServiceLocator) row → CommunityProvider."""
    if not isinstance(row, Mapping):
        raise MalformedRowError("row is not an object")
    lat, lng = _number(row, "Latitude", required=True), _number(row, "Longitude", required=True)
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise MalformedRowError("Latitude/Longitude out of range")
    accepting = row.get("ProviderAcceptingNewPatients", row.get("IsAcceptingNewPatients"))
    code = _text(row, "SpecialtyCode")
    specialty = _text(row, "ProviderSpecialty")
    return CommunityProvider(
        provider_id=_text(row, "ProviderIdentifier", required=True) or "",
        name=_text(row, "ProviderName", required=True) or "",
        care_site=_text(row, "CareSite") or "",
        address=Address(
            line1=_text(row, "CareSiteAddressStreet"),
            city=_text(row, "CareSiteAddressCity"),
            state=_text(row, "CareSiteAddressState"),
            zip=_text(row, "CareSiteAddressZipCode"),
        ),
        location=GeoPoint(lat=lat, lng=lng),
        specialty_codes=(code,) if code else (),
        distance_miles=_number(row, "Miles"),
        drive_minutes=_number(row, "Minutes"),
        phone=_text(row, "CareSitePhoneNumber"),
        network=_text(row, "ProviderNetwork"),
        accepting_new_patients=accepting if isinstance(accepting, bool) else None,
        specialty_names=(specialty or code,) if code else (),
    )


def error_message(body: Any) -> str | None:
    """The OData `{"error": {"message": …}}` text, if the body is one."""
    error = body.get("error") if isinstance(body, Mapping) else None
    message = error.get("message") if isinstance(error, Mapping) else None
    return message if isinstance(message, str) else None


# --- CommunityProvider → ProviderLocator row (used by the fake) ----------------------------------


def provider_row(provider: CommunityProvider, code: str, miles: float, minutes: float) -> dict[str, Any]:
    address = provider.address
    one_line = f"{address.line1 or ''} {address.city or ''}, {address.state or ''} {address.zip or ''}"
    return {
        "Miles": round(miles, 3),
        "Minutes": round(minutes, 3),
        "ProviderName": provider.name,
        "ProviderSpecialty": specialty_name(code),
        "SpecialtyCode": code,
        "PreferredMeansReceivingReferralHSRM": False,
        "PreferredMeansReceivingReferralSecuredEmail": False,
        "PreferredMeansReceivingReferralMail": False,
        "PreferredMeansReceivingReferralDirectMessaging": False,
        "PreferredMeansReceivingReferralFax": True,
        "HPP": "Unknown",
        "CareSite": provider.care_site,
        "CareSiteAddress": tidy(one_line),
        "CareSiteAddressStreet": address.line1,
        "CareSiteAddressCity": address.city,
        "CareSiteAddressState": address.state,
        "CareSiteAddressZipCode": address.zip,
        "CareSitePhoneNumber": provider.phone,
        "WorkHours": None,
        "ProviderGender": "NotSpecified",
        "ProviderNetwork": provider.network,
        "NetworkId": None,
        "ProviderAcceptingNewPatients": provider.accepting_new_patients,
        "ProviderPrimaryCare": False,
        "QualityRanking": None,
        "ProviderIdentifier": provider.provider_id,
        "Latitude": provider.location.lat,
        "Longitude": provider.location.lng,
        "GeoWarning": None,
        "Telehealth": None,
        "SubServices": [],
    }


def specialty_row(code: str, name: str | None = None) -> dict[str, Any]:
    return {
        "SpecialtyCode": code,
        "Name": name or specialty_name(code),
        "Grouping": None,
        "Classification": None,
        "Specialization": None,
        "SpecialtyDescription": None,
    }
