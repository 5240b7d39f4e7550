"""Recount every tally from the decision facts, set-based on the server (after a restore, or for a backfill).

The result must equal what the per-save counting in `tallies.py` produces; a test holds the two to it.
Requires-dst counts are kept: no fact records those calls.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Subquery,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Session, aliased

from dst.eligibility import CRITERION_CODES
from dst.reports.measures import (
    BMI_FACTOR,
    CELL_COLUMNS,
    CRITERION_PREFIX,
    DAY_BANDS,
    DAYS_CAP,
    DAYS_TO_DECISION,
    DECISIONS,
    ELIGIBLE,
    FORWARD,
    FORWARD_TO,
    FROM_FACTS_EXCLUDES,
    PARTNER_ERROR,
    SAVES,
    SAVES_WITH_ERROR,
    VETERAN_OPTION,
)
from dst.reports.models import DecisionFact, ReportTally, report_cell

COLUMNS = ["grain", "measure", "period", "visn", "station", "clinical_service", "value", "n"]
CELL_KEY = ["grain", "period", "visn", "station", "clinical_service"]


def rebuild_tallies(session: Session) -> None:
    """Replace the fact-derived counts with a fresh count; the caller owns the transaction."""
    postgres = session.get_bind().dialect.name == "postgresql"
    session.execute(delete(report_cell))
    session.execute(delete(ReportTally).where(ReportTally.measure.not_in(FROM_FACTS_EXCLUDES)))
    _count_cells(session, _facts_marked_latest(postgres))
    _roll_up_cell_months(session, postgres)
    latest = _latest_facts()
    c = latest.c
    forwarded = and_(c.forward.is_(True), c.forward_to.is_not(None), c.forward_to != "")
    _count_days(session, latest, FORWARD_TO, c.forward_to, forwarded)
    _count_partner_errors(session, postgres)
    _roll_up_months(session, postgres)


def _latest_facts() -> Subquery:
    return select(DecisionFact).where(_is_latest(DecisionFact)).subquery("latest_fact")


def _is_latest(fact: Any) -> ColumnElement[bool]:
    newer = aliased(DecisionFact)
    return ~exists().where(newer.record_key == fact.record_key, newer.revision > fact.revision)


def _days_between(later: Any, earlier: Any, postgres: bool) -> ColumnElement[int]:
    if postgres:
        return later - earlier  # date - date is a whole number of days
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def _facts_marked_latest(postgres: bool) -> Subquery:
    """Every fact once, with what the cell counts need read out of it (JSON read once per fact)."""
    f = DecisionFact
    days = _days_between(f.decided_on, f.file_entry_date, postgres)
    columns = [
        f.decided_on,
        func.coalesce(f.visn, "").label("visn"),
        f.station,
        f.clinical_service,
        f.eligible,
        f.veteran_option,
        f.forward,
        f.bmi_factor,
        case((days < 0, 0), (days > DAYS_CAP, DAYS_CAP), else_=days).label("days"),
        (func.coalesce(func.json_array_length(f.partner_errors), 0) > 0).label("has_error"),
        _is_latest(f).label("latest"),
        *(f.criteria[code].as_string().label(f"c_{i}") for i, code in enumerate(CRITERION_CODES)),
    ]
    # OFFSET 0 keeps the planner from folding this subquery into the counts, which would run the
    # latest-revision probe and the JSON reads once per count column instead of once per fact.
    return select(*columns).offset(0).subquery("fact")


def _condition(fact: Subquery, measure: str, value: str) -> ColumnElement[bool]:
    c = fact.c
    if measure == SAVES:
        return literal(True)
    if measure == SAVES_WITH_ERROR:
        return c.has_error.is_(True)
    if measure == DECISIONS:
        return c.latest
    return and_(c.latest, _latest_condition(fact, measure, value))


def _latest_condition(fact: Subquery, measure: str, value: str) -> ColumnElement[bool]:
    c = fact.c
    if measure == ELIGIBLE:
        return {"yes": c.eligible.is_(True), "no": c.eligible.is_(False)}.get(value, c.eligible.is_(None))
    if measure == VETERAN_OPTION:
        return c.veteran_option == value
    if measure == FORWARD:
        return c.forward.is_(value == "requested")
    if measure == BMI_FACTOR:
        return c.bmi_factor == value
    if measure == DAYS_TO_DECISION:
        low = next(lo for lo, high in DAY_BANDS if str(high) == value)
        return c.days.between(low, int(value))
    code = measure.removeprefix(CRITERION_PREFIX)
    return c[f"c_{CRITERION_CODES.index(code)}"] == value


def _count_cells(session: Session, fact: Subquery) -> None:
    c = fact.c
    keys = [c.decided_on, c.visn, c.station, c.clinical_service]
    counts = [func.sum(case((_condition(fact, *pair), 1), else_=0)) for pair in CELL_COLUMNS]
    query = select(literal("day"), *keys, *counts).group_by(*keys)
    session.execute(insert(report_cell).from_select([*CELL_KEY, *CELL_COLUMNS.values()], query))


def _month_of(day: Any, postgres: bool) -> ColumnElement[Any]:
    return cast(func.date_trunc("month", day), Date) if postgres else func.date(day, "start of month")


def _week_of(day: Any, postgres: bool) -> ColumnElement[Any]:
    """The Monday that starts the week (ISO weeks on both databases)."""
    return cast(func.date_trunc("week", day), Date) if postgres else func.date(day, "-6 days", "weekday 1")


ROLL_UPS = (("week", _week_of), ("month", _month_of))


def _roll_up_cell_months(session: Session, postgres: bool) -> None:
    t = report_cell
    for grain, period_of in ROLL_UPS:
        keys = [period_of(t.c.period, postgres), t.c.visn, t.c.station, t.c.clinical_service]
        counts = [func.sum(t.c[name]) for name in CELL_COLUMNS.values()]
        query = select(literal(grain), *keys, *counts).where(t.c.grain == "day").group_by(*keys)
        session.execute(insert(report_cell).from_select([*CELL_KEY, *CELL_COLUMNS.values()], query))


def _count_days(
    session: Session,
    source: Subquery,
    measure: str,
    value: ColumnElement[str],
    where: ColumnElement[bool] | None,
) -> None:
    c = source.c
    visn = func.coalesce(c.visn, "")
    query = select(
        literal("day"),
        literal(measure),
        c.decided_on,
        visn,
        c.station,
        c.clinical_service,
        value,
        func.count(),
    ).group_by(c.decided_on, visn, c.station, c.clinical_service, value)
    if where is not None:
        query = query.where(where)
    session.execute(insert(ReportTally).from_select(COLUMNS, query))


def _has_errors(source: Subquery) -> ColumnElement[bool]:
    return func.coalesce(func.json_array_length(source.c.partner_errors), 0) > 0


_PARTNER_ERRORS_SQL = """
INSERT INTO report_tally (grain, measure, period, visn, station, clinical_service, value, n)
SELECT 'day', :measure, decided_on, visn, station, clinical_service, code, count(*)
FROM (
    SELECT DISTINCT f.id, f.decided_on, coalesce(f.visn, '') AS visn, f.station, f.clinical_service,
           {code} AS code
    FROM decision_fact f, {elements}
) AS per_save
GROUP BY decided_on, visn, station, clinical_service, code
"""
_ERROR_CODES = {  # postgres? -> (set-returning function, its element column)
    True: ("json_array_elements_text(f.partner_errors) AS e(code)", "e.code"),
    False: ("json_each(f.partner_errors) AS e", "e.value"),
}


def _count_partner_errors(session: Session, postgres: bool) -> None:
    """One count per distinct code per save, like the per-save counting."""
    elements, code = _ERROR_CODES[postgres]
    sql = _PARTNER_ERRORS_SQL.format(elements=elements, code=code)  # constants only, no input
    session.execute(text(sql), {"measure": PARTNER_ERROR})


def _roll_up_months(session: Session, postgres: bool) -> None:
    t = ReportTally
    for grain, period_of in ROLL_UPS:
        period = period_of(t.period, postgres)
        keys = [t.measure, period, t.visn, t.station, t.clinical_service, t.value]
        query = (
            select(literal(grain), *keys, func.sum(t.n))
            .where(t.grain == "day", t.measure.not_in(FROM_FACTS_EXCLUDES))
            .group_by(*keys)
        )
        session.execute(insert(ReportTally).from_select(COLUMNS, query))
