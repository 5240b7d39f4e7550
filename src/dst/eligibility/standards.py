"""Access standards of 38 CFR 17.4040 as versioned data, looked up by care category, urgency and date."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from dst.reference.catalog import CareCategory

ROUTINE = "routine"
STAT = "stat"
URGENCIES = (ROUTINE, STAT)


@dataclass(frozen=True, slots=True)
class AccessStandard:
    """One row of the access-standard table: the drive and wait limits VA must meet."""

    version: str
    effective_from: date
    care_category: CareCategory
    urgency: str  # "routine" | "stat"
    drive_minutes: int
    wait_days: int
    citation: str
    drive_citation: str = ""
    wait_citation: str = ""
    # A VA policy wait limit applied beside the regulation's (stat consults: 1 day). It is never an
    # access standard of 17.4040: the engine reports it under its own basis code, STAT_WAIT_POLICY.
    policy_wait_days: int | None = None
    policy_basis: str = ""


STAT_WAIT_POLICY = "stat-wait-policy"


# 84 FR 26278 (June 5, 2019) made 38 CFR 17.4040 effective June 6, 2019. The 2020 guidance
# (85 FR 42724) explained how drive time is calculated but left the values unchanged, so it is
# the same version. A future "or shorter" set (for example from the ACCESS Act) is a new block
# of rows with a later effective_from; no code changes.
_V2019 = "38-CFR-17.4040/2019-06-06"
_FROM_2019 = date(2019, 6, 6)
_PC_MH_EC = "38 CFR 17.4040(a)(1)"
_SPECIALTY = "38 CFR 17.4040(a)(2)"
# The regulation has no stat standard: its 20- and 28-day standards apply to every consult, stat
# or not. DST's VCCPE-Admin guide also applies 1 day to stat consults, because a stat consult must be
# completed within 24 hours. DST keeps that as VA policy data beside the regulation's standard and
# reports it under its own basis code, so nobody mistakes it for the regulation (docs/eligibility.md).
_STAT_POLICY = (
    "DST policy for stat consults (1 day, VCCPE-Admin workflow); not an access standard: "
    "38 CFR 17.4040 sets none for stat consults"
)


def _rows(category: CareCategory, drive: int, wait: int, paragraph: str) -> tuple[AccessStandard, ...]:
    routine = AccessStandard(
        _V2019, _FROM_2019, category, ROUTINE, drive, wait, paragraph, f"{paragraph}(i)", f"{paragraph}(ii)"
    )
    stat = replace(routine, urgency=STAT, policy_wait_days=1, policy_basis=_STAT_POLICY)
    return routine, stat


ACCESS_STANDARDS: tuple[AccessStandard, ...] = (
    *_rows(CareCategory.PRIMARY_CARE, 30, 20, _PC_MH_EC),
    *_rows(CareCategory.MENTAL_HEALTH, 30, 20, _PC_MH_EC),
    *_rows(CareCategory.EXTENDED_CARE, 30, 20, _PC_MH_EC),
    *_rows(CareCategory.SPECIALTY, 60, 28, _SPECIALTY),
)


@dataclass(frozen=True, slots=True)
class _TableIndex:
    """Rows grouped by (category, urgency), newest first, so a lookup is a short scan."""

    by_key: dict[tuple[str, str], tuple[AccessStandard, ...]]
    newest_first: tuple[AccessStandard, ...]


# Indexed by the table's identity: evaluate() runs tens of thousands of times a second and the
# table is almost always the module's own constant. The table is kept in the value so its id stays valid.
_INDEXES: dict[int, tuple[tuple[AccessStandard, ...], _TableIndex]] = {}


def _index(table: tuple[AccessStandard, ...]) -> _TableIndex:
    cached = _INDEXES.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1]
    newest_first = tuple(sorted(table, key=lambda row: row.effective_from, reverse=True))
    by_key: dict[tuple[str, str], list[AccessStandard]] = {}
    for row in newest_first:
        by_key.setdefault((str(row.care_category), row.urgency), []).append(row)
    index = _TableIndex({k: tuple(v) for k, v in by_key.items()}, newest_first)
    if len(_INDEXES) > 16:
        _INDEXES.clear()
    _INDEXES[id(table)] = (table, index)
    return index


def standard_for(
    care_category: CareCategory | str | None,
    urgency: str,
    on: date,
    table: tuple[AccessStandard, ...] = ACCESS_STANDARDS,
) -> AccessStandard | None:
    """The standard in effect on `on` for this category and urgency, or None if there is none."""
    if care_category is None:
        return None
    for row in _index(table).by_key.get((str(care_category), urgency), ()):
        if row.effective_from <= on:
            return row
    return None


def standards_version_on(on: date, table: tuple[AccessStandard, ...] = ACCESS_STANDARDS) -> str | None:
    """The version label of the newest standard set in effect on `on`."""
    for row in _index(table).newest_first:
        if row.effective_from <= on:
            return row.version
    return None


STANDARDS_VERSION_ON = standards_version_on
