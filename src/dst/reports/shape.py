"""The shared shape of a report: titles and questions, percentages, the chart and the empty report."""

from __future__ import annotations

from dst.reports.schemas import Cell, Chart, Dataset, FilterOut, Report, ReportFilter

# name -> (title, the question it answers); the order is the order on the reports page.
TITLES: dict[str, tuple[str, str]] = {
    "dst-use": ("DST use", "How many consults needed DST, and how many got a saved decision?"),
    "eligibility-bases": ("Eligibility bases", "On which bases were Veterans eligible for community care?"),
    "best-medical-interest": ("Best medical interest", "How often is best medical interest cited, and why?"),
    "veteran-option": ("Veteran option", "How often do Veterans opt in, opt out or defer the choice?"),
    "forwarding": ("Forwarding", "How often is forwarding requested, and to which consult services?"),
    "partner-errors": ("Partner errors", "How often did a partner system fail while a decision was saved?"),
    "time-to-decision": ("Time to decision", "How many days pass from file entry to the decision?"),
    "access-standards": (
        "Drive-time and wait-time eligibility",
        "Where, and for which services, are Veterans eligible on the drive-time or wait-time standard?",
    ),
}


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def make_report(name: str, f: ReportFilter, **fields: object) -> Report:
    title, question = TITLES[name]
    filters = FilterOut(
        start=f.start, end=f.end, visn=f.visn, station=f.station, clinical_service=f.clinical_service
    )
    return Report.model_validate(
        {"name": name, "title": title, "question": question, "filters": filters, "empty": False, **fields}
    )


def empty_report(name: str, f: ReportFilter, what: str) -> Report:
    """A labelled report with no rows, saying what was not found."""
    return make_report(
        name, f, columns=[], rows=[], empty=True, notes=[f"No {what} in this range and filter."]
    )


def bar_chart(
    rows: list[dict[str, Cell]], label: str, series: dict[str, str], axis: str, kind: str = "bar"
) -> Chart:
    datasets = [Dataset(label=title, data=[_number(r[key]) for r in rows]) for key, title in series.items()]
    return Chart(kind=kind, labels=[str(r[label]) for r in rows], datasets=datasets, axis_label=axis)


def _number(cell: Cell) -> float | int | None:
    return cell if isinstance(cell, int | float) else None
