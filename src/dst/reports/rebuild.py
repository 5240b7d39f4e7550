"""Recount every tally from the decision facts, set-based on the server (after a restore, or for a backfill).

The result must equal what the per-save counting in `tallies.py` produces; a test holds the two to it.
Requires-dst counts are kept: no fact records those calls.
"""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
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
    criterion_measure,
)
from dst.reports.models import DecisionFact, ReportTally

COLUMNS = ["grain", "measure", "period", "visn", "station", "clinical_service", "value", "n"]


def rebuild_tallies(session: Session) -> None:
    """Replace the fact-derived tallies with a fresh count; the caller owns the transaction."""
    session.execute(delete(ReportTally).where(ReportTally.measure.not_in(FROM_FACTS_EXCLUDES)))
    latest = _latest_facts()
    every = select(DecisionFact).subquery("every_fact")
    postgres = session.get_bind().dialect.name == "postgresql"
    for measure, value, where in _record_measures(latest, postgres):
        _count_days(session, latest, measure, value, where)
    _count_days(session, every, SAVES, literal(""), None)
    _count_days(session, every, SAVES_WITH_ERROR, literal(""), _has_errors(every))
    _count_partner_errors(session, postgres)
    _roll_up_months(session, postgres)


def _latest_facts() -> Subquery:
    newer = aliased(DecisionFact)
    superseded = exists().where(
        newer.record_key == DecisionFact.record_key, newer.revision > DecisionFact.revision
    )
    return select(DecisionFact).where(~superseded).subquery("latest_fact")


def _days_between(
    later: ColumnElement[object], earlier: ColumnElement[object], postgres: bool
) -> ColumnElement[int]:
    if postgres:
        return later - earlier  # type: ignore[return-value]  # date - date is whole days
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def _record_measures(
    latest: Subquery, postgres: bool
) -> list[tuple[str, ColumnElement[str], ColumnElement[bool] | None]]:
    c = latest.c
    days = _days_between(c.decided_on, c.file_entry_date, postgres)
    capped = case((days < 0, 0), (days > DAYS_CAP, DAYS_CAP), else_=days)
    measures: list[tuple[str, ColumnElement[str], ColumnElement[bool] | None]] = [
        (DECISIONS, literal(""), None),
        (ELIGIBLE, case((c.eligible.is_(True), "yes"), (c.eligible.is_(False), "no"), else_="unknown"), None),
        (VETERAN_OPTION, c.veteran_option, None),
        (FORWARD, case((c.forward.is_(True), "requested"), else_="not-requested"), None),
        (DAYS_TO_DECISION, cast(capped, String), None),
        (BMI_FACTOR, c.bmi_factor, and_(c.bmi_factor.is_not(None), c.bmi_factor != "")),
        (FORWARD_TO, c.forward_to, and_(c.forward.is_(True), c.forward_to.is_not(None), c.forward_to != "")),
    ]
    for code in CRITERION_CODES:
        status = c.criteria[code].as_string()
        measures.append((criterion_measure(code), status, status.is_not(None)))
    return measures


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
    day = ReportTally.period
    month = cast(func.date_trunc("month", day), Date) if postgres else func.date(day, "start of month")
    query = (
        select(
            literal("month"),
            ReportTally.measure,
            month,
            ReportTally.visn,
            ReportTally.station,
            ReportTally.clinical_service,
            ReportTally.value,
            func.sum(ReportTally.n),
        )
        .where(ReportTally.grain == "day", ReportTally.measure.not_in(FROM_FACTS_EXCLUDES))
        .group_by(
            ReportTally.measure,
            month,
            ReportTally.visn,
            ReportTally.station,
            ReportTally.clinical_service,
            ReportTally.value,
        )
    )
    session.execute(insert(ReportTally).from_select(COLUMNS, query))
