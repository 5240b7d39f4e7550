"""Timeliness and access reports: days from file entry to decision, drive-time and wait-time eligibility."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from sqlalchemy.orm import Session

from dst.eligibility import MET, UNKNOWN
from dst.reports import query
from dst.reports.measures import DAYS_CAP, DAYS_TO_DECISION, DECISIONS, criterion_measure
from dst.reports.schemas import Cell, Chart, Column, Report, ReportFilter
from dst.reports.shape import bar_chart, empty_report, make_report, percent

CHART_STATIONS = 25


def nearest_rank(histogram: Counter[int], fraction: float) -> int | None:
    """The smallest value with at least `fraction` of the counts at or below it."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = math.ceil(fraction * total), 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return days
    return None  # unreachable: the ranks add up to total


def time_to_decision(session: Session, f: ReportFilter) -> Report:
    by_service: defaultdict[str, Counter[int]] = defaultdict(Counter)
    for service, _, value, n in query.sums(session, f, [DAYS_TO_DECISION], ["clinical_service"]):
        by_service[service][int(value)] += n
    if not by_service:
        return empty_report("time-to-decision", f, "saved decisions")
    overall: Counter[int] = Counter()
    for histogram in by_service.values():
        overall.update(histogram)

    def row(name: str, histogram: Counter[int]) -> dict[str, Cell]:
        return {"clinicalService": name, "decisions": sum(histogram.values()),
                "median": nearest_rank(histogram, 0.5), "p90": nearest_rank(histogram, 0.9)}  # fmt: skip

    rows = [row(name, by_service[name]) for name in sorted(by_service)]
    return make_report(
        "time-to-decision",
        f,
        columns=[
            Column(key="clinicalService", label="Clinical service", numeric=False),
            Column(key="decisions", label="Decisions"),
            Column(key="median", label="Median days"),
            Column(key="p90", label="90th percentile days"),
        ],
        rows=rows,
        totals=row("All services", overall),
        chart=bar_chart(rows, "clinicalService", {"median": "Median", "p90": "90th percentile"}, "Days"),
        notes=[
            "Whole days from the consult's file entry date to the latest decision (UTC date); "
            "percentiles by nearest rank. Up to 30 days the figure is exact; beyond that it is the last "
            f"day of its band (weeks to 93 days, then 120, 150, 180, 270, 365), and {DAYS_CAP} means "
            f"{DAYS_CAP} days or more.",
        ],
    )


def access_standards(session: Session, f: ReportFilter) -> Report:
    drive, wait = criterion_measure("drive-time"), criterion_measure("wait-time")
    cells: defaultdict[tuple[str, str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
    by = ["visn", "station", "clinical_service"]
    for visn, station, service, measure, value, n in query.sums(session, f, [DECISIONS, drive, wait], by):
        cells[(visn, station, service)][(measure, value)] += n
    if not cells:
        return empty_report("access-standards", f, "saved decisions")
    names = query.station_names(session)
    rows = [_access_row(key, counts, names, drive, wait) for key, counts in sorted(cells.items())]
    return make_report(
        "access-standards",
        f,
        columns=[
            Column(key="visn", label="VISN", numeric=False),
            Column(key="station", label="Station", numeric=False),
            Column(key="clinicalService", label="Clinical service", numeric=False),
            Column(key="decisions", label="Decisions"),
            Column(key="driveMet", label="Drive time met"),
            Column(key="driveUnknown", label="Drive time undetermined"),
            Column(key="drivePercent", label="Drive time met (%)"),
            Column(key="waitMet", label="Wait time met"),
            Column(key="waitUnknown", label="Wait time undetermined"),
            Column(key="waitPercent", label="Wait time met (%)"),
        ],
        rows=rows,
        chart=_station_chart(rows),
        notes=[
            "Met means the Veteran was eligible on that standard: the average drive time or the wait at "
            "the VA exceeded the access standard for the care category.",
            f"The chart shows the {CHART_STATIONS} stations with the most decisions; the table lists all.",
        ],
    )


def _access_row(
    key: tuple[str, str, str], counts: Counter[tuple[str, str]], names: dict[str, str], drive: str, wait: str
) -> dict[str, Cell]:
    visn, station, service = key
    decisions = counts[(DECISIONS, "")]
    return {
        "visn": visn,
        "station": f"{station} {names.get(station, '')}".strip(),
        "clinicalService": service,
        "decisions": decisions,
        "driveMet": counts[(drive, MET)],
        "driveUnknown": counts[(drive, UNKNOWN)],
        "drivePercent": percent(counts[(drive, MET)], decisions),
        "waitMet": counts[(wait, MET)],
        "waitUnknown": counts[(wait, UNKNOWN)],
        "waitPercent": percent(counts[(wait, MET)], decisions),
    }


def _station_chart(rows: list[dict[str, Cell]]) -> Chart:
    totals: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        for key in ("decisions", "driveMet", "waitMet"):
            totals[str(r["station"])][key] += int(r[key] or 0)
    busiest = sorted(totals.items(), key=lambda t: (-t[1]["decisions"], t[0]))[:CHART_STATIONS]
    station_rows: list[dict[str, Cell]] = [
        {
            "station": s,
            "drive": percent(c["driveMet"], c["decisions"]),
            "wait": percent(c["waitMet"], c["decisions"]),
        }
        for s, c in busiest
    ]
    return bar_chart(
        station_rows,
        "station",
        {"drive": "Drive time met (%)", "wait": "Wait time met (%)"},
        "% of decisions",
    )
