"""Lighthouse Facilities JSON (v1 camelCase, v0 snake_case) ↔ FacilityRecord."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dst.partners.facilities.services import display_name, normalize_service_id
from dst.partners.types import Address, FacilityRecord, GeoPoint

WaitDays = dict[str, tuple[float | None, float | None]]


class MalformedRecordError(ValueError):
    """One facility record lacks a required part; the message names the part, never a person."""


def _pick(attributes: Mapping[str, Any], *names: str) -> Any:
    """The first present key among the v1 and v0 spellings of one field."""
    for name in names:
        if name in attributes:
            return attributes[name]
    return None


def _text(value: Any, what: str, *, required: bool = False) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # e.g. `visn: 10`: a number where text was expected is still usable
    if value is None or value == "":
        if required:
            raise MalformedRecordError(f"missing {what}")
        return None
    if not isinstance(value, str):
        raise MalformedRecordError(f"{what} is not text")
    return value


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedRecordError(f"{what} is not a number")
    return float(value)


def parse_address(attributes: Mapping[str, Any]) -> Address:
    address = attributes.get("address") or {}
    physical = address.get("physical") if isinstance(address, Mapping) else None
    if not isinstance(physical, Mapping):
        return Address()
    state = _text(physical.get("state"), "address state")
    return Address(
        line1=_text(_pick(physical, "address1", "address_1"), "address line"),
        line2=_text(_pick(physical, "address2", "address_2"), "address line"),
        line3=_text(_pick(physical, "address3", "address_3"), "address line"),
        city=_text(physical.get("city"), "address city"),
        state=state.upper() if state else None,
        zip=_text(physical.get("zip"), "address zip"),
    )


def parse_location(attributes: Mapping[str, Any]) -> GeoPoint | None:
    lat, lng = _number(attributes.get("lat"), "lat"), _number(attributes.get("long"), "long")
    if lat is None or lng is None:
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise MalformedRecordError("lat/long out of range")
    return GeoPoint(lat=lat, lng=lng)


def parse_services(attributes: Mapping[str, Any]) -> tuple[str, ...]:
    """`services.health` is a list of names (v0, 2022 v1) or of `{serviceId}` objects (current v1)."""
    services = attributes.get("services") or {}
    health = services.get("health") if isinstance(services, Mapping) else None
    if health is None:
        return ()
    if not isinstance(health, list):
        raise MalformedRecordError("services.health is not a list")
    ids = []
    for entry in health:
        raw = entry.get("serviceId") if isinstance(entry, Mapping) else entry
        ids.append(normalize_service_id(_text(raw, "service id", required=True) or ""))
    return tuple(dict.fromkeys(ids))


def parse_wait_rows(rows: Any, *, service_key: str = "service") -> WaitDays:
    """Rows of `{service, new, established}` (v0 `wait_times.health`, 2022 v1 `waitTimes.health`)."""
    if not isinstance(rows, list):
        raise MalformedRecordError("wait times are not a list")
    waits: WaitDays = {}
    for row in rows:
        if not isinstance(row, Mapping):
            raise MalformedRecordError("wait time row is not an object")
        service = _text(row.get(service_key), "wait time service", required=True) or ""
        waits[normalize_service_id(service)] = (
            _number(row.get("new"), "new-patient wait"),
            _number(row.get("established"), "established-patient wait"),
        )
    return waits


def inline_wait_days(attributes: Mapping[str, Any]) -> WaitDays | None:
    """Wait times carried in the facility itself, or None when the record has no wait-time block."""
    block = _pick(attributes, "waitTimes", "wait_times")
    if block is None:
        return None
    if not isinstance(block, Mapping):
        raise MalformedRecordError("wait times block is not an object")
    return parse_wait_rows(block.get("health") or [])


def parse_detailed_services(body: Any) -> WaitDays:
    """v1 `/facilities/{id}/services`: `data[].serviceInfo.serviceId` with `waitTime.{new,established}`."""
    rows = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(rows, list):
        raise MalformedRecordError("services answer has no data list")
    waits: WaitDays = {}
    for item in rows:
        # vets-api reads serviceInfo at the top of each item; accept a JSON:API attributes wrapper too.
        row = item.get("attributes", item) if isinstance(item, Mapping) else None
        info = row.get("serviceInfo") if isinstance(row, Mapping) else None
        wait = row.get("waitTime") if isinstance(row, Mapping) else None
        if not isinstance(info, Mapping):
            raise MalformedRecordError("service without serviceInfo")
        if not isinstance(wait, Mapping):
            continue  # services without wait data are simply not measured
        new, established = _number(wait.get("new"), "new"), _number(wait.get("established"), "established")
        if new is not None or established is not None:
            service = _text(info.get("serviceId"), "service id", required=True) or ""
            waits[normalize_service_id(service)] = (new, established)
    return waits


def facility_id_of(item: Any) -> str | None:
    raw = item.get("id") if isinstance(item, Mapping) else None
    return raw if isinstance(raw, str) and raw else None


def parse_facility(item: Any) -> FacilityRecord:
    """One JSON:API `data` item → FacilityRecord (wait times from the record itself, if any)."""
    if not isinstance(item, Mapping):
        raise MalformedRecordError("record is not an object")
    attributes = item.get("attributes")
    if not isinstance(attributes, Mapping):
        raise MalformedRecordError("missing attributes")
    facility_id = _text(item.get("id"), "id", required=True) or ""
    phone = attributes.get("phone")
    status = _pick(attributes, "operatingStatus", "operating_status")
    return FacilityRecord(
        facility_id=facility_id,
        name=_text(attributes.get("name"), "name", required=True) or "",
        facility_type=_text(
            _pick(attributes, "facilityType", "facility_type"), "facility type", required=True
        )
        or "",
        classification=_text(attributes.get("classification"), "classification"),
        visn=_text(attributes.get("visn"), "visn"),
        address=parse_address(attributes),
        location=parse_location(attributes),
        phone=_text(phone.get("main"), "phone") if isinstance(phone, Mapping) else None,
        services=parse_services(attributes),
        wait_days=inline_wait_days(attributes) or {},
        operating_status=_text(status.get("code"), "operating status")
        if isinstance(status, Mapping)
        else None,
    )


# --- FacilityRecord → v1 JSON (used by the fake) -----------------------------------------------


def facility_json(record: FacilityRecord, base_url: str, *, inline_wait_times: bool) -> dict[str, Any]:
    link = f"{base_url}/facilities/{record.facility_id}"
    attributes: dict[str, Any] = {
        "name": record.name,
        "facilityType": record.facility_type,
        "classification": record.classification,
        "lat": record.location.lat if record.location else None,
        "long": record.location.lng if record.location else None,
        "address": {"physical": _address_json(record.address)},
        "phone": {"main": record.phone} if record.phone else {},
        "services": {
            "health": [
                {"name": display_name(s), "serviceId": s, "link": f"{link}/services/{s}"}
                for s in record.services
            ],
            "link": f"{link}/services",
        },
        "mobile": False,
        "operatingStatus": {"code": record.operating_status or "NORMAL"},
        "visn": record.visn,
    }
    if inline_wait_times:
        # The 2022 v1 shape; current v1 keeps wait times only under /services (see client.py).
        attributes["waitTimes"] = {
            "health": [
                {"service": s, "new": new, "established": est} for s, (new, est) in record.wait_days.items()
            ]
        }
    return {"id": record.facility_id, "type": "va_facilities", "attributes": attributes}


def _address_json(address: Address) -> dict[str, Any]:
    fields = {
        "zip": address.zip,
        "city": address.city,
        "state": address.state,
        "address1": address.line1,
        "address2": address.line2,
        "address3": address.line3,
    }
    return {key: value for key, value in fields.items() if value is not None}


def detailed_services_json(record: FacilityRecord, base_url: str) -> dict[str, Any]:
    link = f"{base_url}/facilities/{record.facility_id}/services"
    rows = []
    for service in record.services:
        new, established = record.wait_days.get(service, (None, None))
        rows.append(
            {
                "id": f"{record.facility_id}_{service}",
                "type": "va_health_service",
                "serviceInfo": {"name": display_name(service), "serviceId": service, "serviceType": "health"},
                "waitTime": {"new": new, "established": established, "effectiveDate": None},
                "link": f"{link}/{service}",
            }
        )
    return {"data": rows, "links": {"self": link}}
