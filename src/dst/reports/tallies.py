"""Keep report counts current: what each fact and requires-dst call adds, and the upserts that add it."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from dst.db.engine import dialect_insert
from dst.reports.measures import (
    BMI_FACTOR,
    CELL_COLUMNS,
    DAYS_TO_DECISION,
    DECISIONS,
    ELIGIBLE,
    FORWARD,
    FORWARD_TO,
    PARTNER_ERROR,
    REQUIRES_DST,
    SAVES,
    SAVES_WITH_ERROR,
    VETERAN_OPTION,
    criterion_measure,
    day_band,
    eligible_value,
    forward_value,
)
from dst.reports.models import DecisionFact, ReportTally, report_cell

# (grain, measure, period, visn, station, clinical_service, value)
TallyKey = tuple[str, str, date, str, str, str, str]
Cell = tuple[str, str, str]  # visn, station, clinical service
CELL_KEY = ["grain", "period", "visn", "station", "clinical_service"]
TALLY_TABLE: Table = ReportTally.__table__  # type: ignore[assignment]
TALLY_KEY = ["grain", "measure", "period", "visn", "station", "clinical_service", "value"]


def month_of(day: date) -> date:
    return day.replace(day=1)


def week_of(day: date) -> date:
    """The Monday that starts the day's week."""
    return day - timedelta(days=day.weekday())


def record_measures(fact: DecisionFact) -> list[tuple[str, str]]:
    """What one record's latest decision counts for; replaced when the record gets a new revision."""
    days = (fact.decided_on - fact.file_entry_date).days
    measures = [
        (DECISIONS, ""),
        (ELIGIBLE, eligible_value(fact.eligible)),
        (VETERAN_OPTION, fact.veteran_option),
        (FORWARD, forward_value(fact.forward)),
        (DAYS_TO_DECISION, str(day_band(days))),
    ]
    measures += [(criterion_measure(code), str(status)) for code, status in sorted(fact.criteria.items())]
    if fact.bmi_factor:
        measures.append((BMI_FACTOR, fact.bmi_factor))
    if fact.forward and fact.forward_to:
        measures.append((FORWARD_TO, fact.forward_to))
    return measures


def save_measures(fact: DecisionFact) -> list[tuple[str, str]]:
    """What every save counts for, revisions included: partner failures happened at each save."""
    codes = sorted(set(fact.partner_errors or []))
    measures = [(SAVES, "")]
    if codes:
        measures.append((SAVES_WITH_ERROR, ""))
    return measures + [(PARTNER_ERROR, code) for code in codes]


def _cell(fact: DecisionFact) -> Cell:
    return (fact.visn or "", fact.station, fact.clinical_service)


def _add(counts: Counter[TallyKey], day: date, cell: Cell, measures: list[tuple[str, str]], n: int) -> None:
    for measure, value in measures:
        counts[("day", measure, day, *cell, value)] += n
        counts[("week", measure, week_of(day), *cell, value)] += n
        counts[("month", measure, month_of(day), *cell, value)] += n


def count_fact(session: Session, fact: DecisionFact) -> None:
    """Count a new fact and stop counting the record's previous revision, in the caller's transaction."""
    counts: Counter[TallyKey] = Counter()
    previous = session.scalars(
        select(DecisionFact)
        .where(DecisionFact.record_key == fact.record_key, DecisionFact.revision < fact.revision)
        .order_by(DecisionFact.revision.desc())
        .limit(1)
    ).first()
    if previous is not None:
        _add(counts, previous.decided_on, _cell(previous), record_measures(previous), -1)
    _add(counts, fact.decided_on, _cell(fact), record_measures(fact), 1)
    _add(counts, fact.decided_on, _cell(fact), save_measures(fact), 1)
    upsert(session, counts)


def count_requires_dst(
    session: Session, *, day: date, visn: str, station: str, clinical_service: str | None
) -> None:
    """One requires-dst answer: TRUE when the consult service maps to a clinical service."""
    answer = "TRUE" if clinical_service else "FALSE"
    counts: Counter[TallyKey] = Counter()
    _add(counts, day, (visn, station, clinical_service or ""), [(REQUIRES_DST, answer)], 1)
    upsert(session, counts)


def upsert(session: Session, counts: Counter[TallyKey]) -> None:
    """Add counts: fixed pairs to report_cell, open-ended ones to report_tally.

    Keys go in sorted order so concurrent saves lock rows in the same order and cannot deadlock.
    """
    cells: dict[tuple[object, ...], dict[str, int]] = {}
    tallies = []
    for key, n in sorted(counts.items()):
        grain, measure, period, visn, station, service, value = key
        if n == 0:
            continue
        column = CELL_COLUMNS.get((measure, value))
        if column is None:
            tallies.append({**dict(zip(TALLY_KEY, key, strict=True)), "n": n})
            continue
        row = cells.setdefault(
            (grain, period, visn, station, service), dict.fromkeys(CELL_COLUMNS.values(), 0)
        )
        row[column] += n
    rows = [{**dict(zip(CELL_KEY, k, strict=True)), **v} for k, v in sorted(cells.items())]
    _upsert(session, report_cell, CELL_KEY, rows, list(CELL_COLUMNS.values()))
    _upsert(session, TALLY_TABLE, TALLY_KEY, tallies, ["n"])


def _upsert(
    session: Session, table: Table, key: list[str], rows: list[dict[str, object]], add: list[str]
) -> None:
    if not rows:
        return
    statement = dialect_insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=key, set_={name: table.c[name] + statement.excluded[name] for name in add}
    )
    session.execute(statement, rows)
