"""Check report filters and sum tallies over a date range: whole months from monthly rows, the rest by day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import Session

from dst.errors import Invalid
from dst.reference.models import ClinicalService, Station
from dst.reports.measures import CELL_COLUMNS
from dst.reports.models import report_cell
from dst.reports.schemas import ReportFilter
from dst.reports.tallies import TALLY_TABLE

DEFAULT_DAYS = 30
MAX_YEARS = 20  # a ten-year range is a fair question; a century is a typo


def check_filter(
    session: Session,
    *,
    start: str | None,
    end: str | None,
    visn: str | None,
    station: str | None,
    clinical_service: str | None,
    today: date,
) -> ReportFilter:
    """Read the filter a person or client sent; every problem is named in one message."""
    problems: list[str] = []
    last = _parse_date(end, "to", problems) or today
    first = _parse_date(start, "from", problems) or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        problems.append(f"The range ends ({last}) before it starts ({first}); swap the dates.")
    elif (last - first).days > MAX_YEARS * 366:
        problems.append(f"The range spans more than {MAX_YEARS} years; choose a shorter range.")
    visn = _known_visn(session, (visn or "").strip(), problems)
    station = _known_station(session, (station or "").strip(), visn, problems)
    service = _known_service(session, (clinical_service or "").strip(), problems)
    if problems:
        raise Invalid(" ".join(problems))
    return ReportFilter(first, last, visn, station, service)


def _parse_date(raw: str | None, name: str, problems: list[str]) -> date | None:
    if not raw or not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        problems.append(f"'{raw[:20]}' is not a date for {name}; use YYYY-MM-DD.")
        return None


def _known_visn(session: Session, raw: str, problems: list[str]) -> str | None:
    if not raw:
        return None
    number = raw.upper().removeprefix("VISN").strip().lstrip("0")
    if number.isdigit() and session.scalar(select(Station.sta3n).where(Station.visn == number).limit(1)):
        return number
    problems.append(f"VISN '{raw[:20]}' is not a VISN with a DST station.")
    return None


def _known_station(session: Session, raw: str, visn: str | None, problems: list[str]) -> str | None:
    if not raw:
        return None
    row = session.get(Station, raw) if raw.isdigit() and len(raw) == 3 else None
    if row is None:
        problems.append(f"Station '{raw[:20]}' is not a known VA station number (three digits, such as 523).")
        return None
    if visn and row.visn != visn:
        problems.append(f"Station {row.sta3n} is in VISN {row.visn}, not VISN {visn}.")
    return row.sta3n


def _known_service(session: Session, raw: str, problems: list[str]) -> str | None:
    if not raw:
        return None
    name = session.scalar(select(ClinicalService.name).where(func.upper(ClinicalService.name) == raw.upper()))
    if name is None:
        problems.append(f"'{raw[:80]}' is not a clinical service in the national catalog.")
    return name


def periods(start: date, end: date) -> list[tuple[str, date, date]]:
    """(grain, first period, last period) pieces that cover start..end exactly once.

    Whole months come from monthly rows; the partial months at either end from weekly rows for the
    whole weeks inside them and daily rows for the rest, so no range reads more than 12 daily rows
    per station and service.
    """
    first_month = start if start.day == 1 else _next_month(start)
    after = end + timedelta(days=1)
    end_month = after if after.day == 1 else after.replace(day=1)  # exclusive
    if first_month >= end_month:
        return _weeks_and_days(start, end)
    pieces = [("month", first_month, end_month - timedelta(days=1))]
    if start < first_month:
        pieces += _weeks_and_days(start, first_month - timedelta(days=1))
    if end_month <= end:
        pieces += _weeks_and_days(end_month, end)
    return pieces


def _weeks_and_days(start: date, end: date) -> list[tuple[str, date, date]]:
    first_monday = start + timedelta(days=(7 - start.weekday()) % 7)
    last_monday = end - timedelta(days=(end.weekday() + 1) % 7 + 6)  # the last week ending by `end`
    if first_monday > last_monday:
        return [("day", start, end)]
    pieces = [("week", first_monday, last_monday)]
    if start < first_monday:
        pieces.append(("day", start, first_monday - timedelta(days=1)))
    if last_monday + timedelta(days=6) < end:
        pieces.append(("day", last_monday + timedelta(days=7), end))
    return pieces


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def sums(
    session: Session, f: ReportFilter, measures: Sequence[str], by: Sequence[str] = ()
) -> list[tuple[Any, ...]]:
    """Rows of (*by, measure, value, total) for the filter; `by` names key columns; zero totals left out."""
    pairs = [(pair, column) for pair, column in CELL_COLUMNS.items() if pair[0] in measures]
    open_ended = [m for m in measures if not any(pair[0] == m for pair, _ in pairs)]
    rows = _cell_sums(session, f, pairs, by) if pairs else []
    return rows + (_tally_sums(session, f, open_ended, by) if open_ended else [])


def _filtered(
    query: Select[Any], table: Any, f: ReportFilter, grain: str, first: date, last: date
) -> Select[Any]:
    query = query.where(table.c.grain == grain, table.c.period.between(first, last))
    if f.visn:
        query = query.where(table.c.visn == f.visn)
    if f.station:
        query = query.where(table.c.station == f.station)
    if f.clinical_service:
        query = query.where(table.c.clinical_service == f.clinical_service)
    return query


def _cell_sums(
    session: Session, f: ReportFilter, pairs: list[tuple[tuple[str, str], str]], by: Sequence[str]
) -> list[tuple[Any, ...]]:
    t = report_cell
    wanted = [*(t.c[name] for name in by), *(t.c[column] for _, column in pairs)]
    union = union_all(
        *(_filtered(select(*wanted), t, f, *piece) for piece in periods(f.start, f.end))
    ).subquery("cells")
    keys = [union.c[name] for name in by]
    query = select(*keys, *(func.sum(union.c[column]) for _, column in pairs)).group_by(*keys)
    rows = []
    for row in session.execute(query):
        group = tuple(row[: len(by)])
        rows += [(*group, m, v, n) for ((m, v), _), n in zip(pairs, row[len(by) :], strict=True) if n]
    return rows


def _tally_sums(
    session: Session, f: ReportFilter, measures: Sequence[str], by: Sequence[str]
) -> list[tuple[Any, ...]]:
    t = TALLY_TABLE
    wanted = [*(t.c[name] for name in by), t.c.measure, t.c.value, t.c.n]
    union = union_all(
        *(
            _filtered(select(*wanted).where(t.c.measure.in_(measures)), t, f, *p)
            for p in periods(f.start, f.end)
        )
    ).subquery("tally")
    keys = [union.c[name] for name in (*by, "measure", "value")]
    total = func.sum(union.c.n)
    # A superseded revision leaves zero counts behind; they are not part of any report.
    query = select(*keys, total).group_by(*keys).having(total != 0)
    return [tuple(row) for row in session.execute(query)]


def station_names(session: Session) -> dict[str, str]:
    return {row.sta3n: row.name for row in session.execute(select(Station.sta3n, Station.name))}


def visns(session: Session) -> list[str]:
    found = session.scalars(select(Station.visn).distinct()).all()
    return sorted(found, key=lambda v: int(v) if v.isdigit() else 999)


def stations(session: Session) -> list[tuple[str, str, str]]:
    rows = session.execute(select(Station.sta3n, Station.name, Station.visn).order_by(Station.sta3n))
    return [(s, n, v) for s, n, v in rows]


def clinical_services(session: Session) -> list[str]:
    return list(session.scalars(select(ClinicalService.name).order_by(ClinicalService.name)))
