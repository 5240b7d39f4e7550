"""Dates on the pages as the VA design system writes them ("December 30, 2026"); the API keeps ISO."""

from __future__ import annotations

import re
from datetime import date, datetime

ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def long_date(value: date | str | None, missing: str = "") -> str:
    """A date, or an ISO date string, in words; text that is not a date is returned as it is."""
    if value is None or value == "":
        return missing
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        day = value.date() if isinstance(value, datetime) else value
    return f"{day:%B} {day.day}, {day.year}"


def dates_in_words(text: str) -> str:
    """Every ISO date inside a sentence written in words."""
    return ISO_DATE.sub(lambda m: long_date(m.group(0)), text)
