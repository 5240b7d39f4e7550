"""SEOC API v2 JSON (`{"Seocs": [{"Seoc": {...}}]}`) ↔ Seoc; dates are MM-DD-YYYY."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from dst.partners.types import Seoc

DATE_FORMAT = "%m-%d-%Y"
_VERSION_SUFFIX = re.compile(r"_(\d+(?:\.\d+)+)$")  # PMR_ACUPUNCTURE INITIAL_1.0.4 → 1.0.4


class MalformedSeocError(ValueError):
    """A SEOC record lacks a required part."""


def _text(record: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        if required:
            raise MalformedSeocError(f"missing {key}")
        return None
    if not isinstance(value, str):
        raise MalformedSeocError(f"{key} is not text")
    return value


def _whole(record: Mapping[str, Any], key: str) -> int | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedSeocError(f"{key} is not a whole number")
    return value


def parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, DATE_FORMAT).date()
    except ValueError as error:
        raise MalformedSeocError("date is not MM-DD-YYYY") from error


def format_date(day: date | None) -> str | None:
    return day.strftime(DATE_FORMAT) if day else None


def derived_status(effective: date | None, end: date | None, today: date) -> str:
    """The full list carries no status field: an ended SEOC is Discontinued, a future one Date Hold."""
    if end is not None and end <= today:
        return "Discontinued"
    if effective is not None and effective > today:
        return "Date Hold"
    return "Active"


def records(body: Any) -> list[Any]:
    """The `Seoc` objects inside the `Seocs` envelope."""
    if not isinstance(body, Mapping) or not isinstance(body.get("Seocs"), list):
        raise MalformedSeocError("answer has no Seocs list")
    return [item.get("Seoc") if isinstance(item, Mapping) else None for item in body["Seocs"]]


def parse_seoc(record: Any, *, status: str | None = None, today: date | None = None) -> Seoc:
    """One `Seoc` object; `status` is given for /v2/seoc/active, otherwise derived from the dates."""
    if not isinstance(record, Mapping):
        raise MalformedSeocError("record is not an object")
    seoc_id = _text(record, "seocId", required=True) or ""
    effective = parse_date(_text(record, "effectiveDate"))
    end = parse_date(_text(record, "endDate"))
    suffix = _VERSION_SUFFIX.search(seoc_id)
    return Seoc(
        seoc_id=seoc_id,
        name=_text(record, "name", required=True) or "",
        category_of_care=_text(record, "categoryOfCare", required=True) or "",
        service_line=_text(record, "serviceLine"),
        description=_text(record, "description"),
        duration_days=_whole(record, "duration"),
        max_visits=_whole(record, "maxAllowableVisits"),
        procedural_overview=_text(record, "proceduralOverview"),
        disclaimer=_text(record, "disclaimer"),
        status=status or derived_status(effective, end, today or date.today()),
        version=_text(record, "versionNumber") or (suffix.group(1) if suffix else None),
        effective_date=effective,
        end_date=end,
    )


# --- Seoc → JSON (used by the fake) ----------------------------------------------------------


def preview_text(seoc: Seoc) -> str:
    """The printable summary the manual shows, CRLF line breaks as the API sends them."""
    lines = [
        "VHA Office of Community Care - Standardized Episode of Care",
        seoc.name,
        "",
        f"SEOC ID:{seoc.seoc_id}",
        f"Description:{seoc.description or ''}",
        f"Duration:{seoc.duration_days or ''} days",
        "",
        "Procedural Overview:",
        seoc.procedural_overview or "",
        "",
        seoc.disclaimer or "",
    ]
    return "\r\n".join(lines)


def active_json(seoc: Seoc) -> dict[str, Any]:
    return {
        "seocId": seoc.seoc_id,
        "name": seoc.name,
        "serviceLine": seoc.service_line,
        "categoryOfCare": seoc.category_of_care,
        "description": seoc.description,
        "duration": seoc.duration_days,
        "proceduralOverview": seoc.procedural_overview,
        "disclaimer": seoc.disclaimer,
        "previewText": preview_text(seoc),
    }


def full_json(seoc: Seoc, number: int) -> dict[str, Any]:
    return {
        "id": number,
        "seocKey": number,
        "name": seoc.name,
        "seocId": seoc.seoc_id,
        "versionNumber": seoc.version,
        "description": seoc.description,
        "effectiveDate": format_date(seoc.effective_date),
        "endDate": format_date(seoc.end_date),
        "duration": seoc.duration_days,
        "REV": False,
        "PRCT": False,
        "proceduralOverview": seoc.procedural_overview,
        "maxAllowableVisits": seoc.max_visits,
        "disclaimer": seoc.disclaimer,
        "QASP": None,
        "categoryOfCare": seoc.category_of_care,
        "serviceLine": seoc.service_line,
        "hptcs": [],
        "services": [],
    }
