"""The compliance and utilisation reports: each sums tallies for a filter and shapes a table and a chart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from sqlalchemy.orm import Session

from dst.eligibility import BMI_FACTORS, CRITERION_CODES, CRITERION_LABELS, MET, NOT_MET, UNKNOWN
from dst.reports import query
from dst.reports.measures import (
    BMI_FACTOR,
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
)
from dst.reports.schemas import Cell, Column, Report, ReportFilter
from dst.reports.shape import TITLES, bar_chart, empty_report, make_report, percent
from dst.reports.timeliness import access_standards, time_to_decision


def _counted(session: Session, f: ReportFilter, measures: list[str]) -> Counter[tuple[str, str]]:
    """Totals by (measure, value); a missing pair reads as zero."""
    return Counter({(measure, value): n for measure, value, n in query.sums(session, f, measures)})


def dst_use(session: Session, f: ReportFilter) -> Report:
    needed: Counter[str] = Counter()
    saved: Counter[str] = Counter()
    not_needed = 0
    for service, measure, value, n in query.sums(session, f, [REQUIRES_DST, DECISIONS], ["clinical_service"]):
        if measure == DECISIONS:
            saved[service] += n
        elif value == "TRUE":
            needed[service] += n
        else:
            not_needed += n
    if not (needed or saved or not_needed):
        return empty_report("dst-use", f, "requires-dst calls or saved decisions")
    rows: list[dict[str, Cell]] = [
        {
            "clinicalService": s,
            "needed": needed[s],
            "saved": saved[s],
            "savedPercent": percent(saved[s], needed[s]),
        }
        for s in sorted(set(needed) | set(saved))
    ]
    total_needed, total_saved = sum(needed.values()), sum(saved.values())
    return make_report(
        "dst-use",
        f,
        columns=[
            Column(key="clinicalService", label="Clinical service", numeric=False),
            Column(key="needed", label="Consults that needed DST (requires-dst TRUE)"),
            Column(key="saved", label="Records with a saved decision"),
            Column(key="savedPercent", label="Saved per needed (%)"),
        ],
        rows=rows,
        totals={
            "clinicalService": "All services",
            "needed": total_needed,
            "saved": total_saved,
            "savedPercent": percent(total_saved, total_needed),
        },
        chart=bar_chart(
            rows, "clinicalService", {"needed": "Needed DST", "saved": "Saved decision"}, "Consults"
        ),
        notes=[
            f"Consult Toolbox also asked about {not_needed} consult(s) whose service does not need DST.",
            "Consult Toolbox may ask more than once for one consult, so the needed count is of calls; "
            "a record counts once, on the day of its latest decision.",
        ],
    )


def eligibility_bases(session: Session, f: ReportFilter) -> Report:
    measures = [DECISIONS, ELIGIBLE, *(criterion_measure(c) for c in CRITERION_CODES)]
    counts = _counted(session, f, measures)
    decisions = counts[(DECISIONS, "")]
    if not decisions:
        return empty_report("eligibility-bases", f, "saved decisions")
    rows: list[dict[str, Cell]] = []
    for code in CRITERION_CODES:
        met = counts.get((criterion_measure(code), MET), 0)
        rows.append(
            {
                "criterion": CRITERION_LABELS[code],
                "code": code,
                "met": met,
                "notMet": counts.get((criterion_measure(code), NOT_MET), 0),
                "unknown": counts.get((criterion_measure(code), UNKNOWN), 0),
                "metPercent": percent(met, decisions),
            }
        )
    outcome = {v: counts.get((ELIGIBLE, v), 0) for v in ("yes", "no", "unknown")}
    return make_report(
        "eligibility-bases",
        f,
        columns=[
            Column(key="criterion", label="Eligibility basis", numeric=False),
            Column(key="code", label="Code", numeric=False),
            Column(key="met", label="Met"),
            Column(key="notMet", label="Not met"),
            Column(key="unknown", label="Could not be determined"),
            Column(key="metPercent", label="Met (% of decisions)"),
        ],
        rows=rows,
        chart=bar_chart(rows, "criterion", {"met": "Met"}, "Decisions", kind="horizontal-bar"),
        notes=[
            f"{decisions} decision(s): {outcome['yes']} eligible, {outcome['no']} not eligible, "
            f"{outcome['unknown']} undetermined.",
            "A decision can meet several bases, so the met counts add up to more than the decisions.",
        ],
    )


def best_medical_interest(session: Session, f: ReportFilter) -> Report:
    bmi = criterion_measure("best-medical-interest")
    counts = _counted(session, f, [DECISIONS, BMI_FACTOR, bmi])
    decisions = counts[(DECISIONS, "")]
    if not decisions:
        return empty_report("best-medical-interest", f, "saved decisions")
    cited = sum(n for (m, _), n in counts.items() if m == BMI_FACTOR)
    rows: list[dict[str, Cell]] = [
        {"factor": label, "code": code, "decisions": counts[(BMI_FACTOR, code)],
         "percent": percent(counts[(BMI_FACTOR, code)], cited)}
        for code, label in BMI_FACTORS
    ]  # fmt: skip
    return make_report(
        "best-medical-interest",
        f,
        columns=[
            Column(key="factor", label="Best-medical-interest factor", numeric=False),
            Column(key="code", label="Code", numeric=False),
            Column(key="decisions", label="Decisions citing it"),
            Column(key="percent", label="Share of cited factors (%)"),
        ],
        rows=rows,
        totals={"factor": "All factors", "code": "", "decisions": cited, "percent": percent(cited, cited)},
        chart=bar_chart(rows, "factor", {"decisions": "Decisions"}, "Decisions", kind="horizontal-bar"),
        notes=[
            f"Best medical interest was cited in {cited} of {decisions} decision(s) "
            f"({percent(cited, decisions)}%); the criterion was met in {counts[(bmi, MET)]}.",
            "Explanations are free text and are never reported.",
        ],
    )


def veteran_option(session: Session, f: ReportFilter) -> Report:
    counts = {v: n for _, v, n in query.sums(session, f, [VETERAN_OPTION])}
    total = sum(counts.values())
    if not total:
        return empty_report("veteran-option", f, "saved decisions")
    labels = {"opt-in": "Opted in to community care", "opt-out": "Opted out (VA care)", "tbd": "Deferred"}
    rows: list[dict[str, Cell]] = [
        {
            "option": label,
            "code": code,
            "decisions": counts.get(code, 0),
            "percent": percent(counts.get(code, 0), total),
        }
        for code, label in labels.items()
    ]
    return make_report(
        "veteran-option",
        f,
        columns=[
            Column(key="option", label="Veteran's choice", numeric=False),
            Column(key="code", label="Code", numeric=False),
            Column(key="decisions", label="Decisions"),
            Column(key="percent", label="Rate (%)"),
        ],
        rows=rows,
        totals={"option": "All decisions", "code": "", "decisions": total, "percent": 100.0},
        chart=bar_chart(rows, "option", {"decisions": "Decisions"}, "Decisions"),
        notes=["Deferred means the Veteran's choice was recorded as to be decided (TBD)."],
    )


def forwarding(session: Session, f: ReportFilter) -> Report:
    counts = _counted(session, f, [FORWARD, FORWARD_TO])
    requested = counts[(FORWARD, "requested")]
    total = requested + counts[(FORWARD, "not-requested")]
    if not total:
        return empty_report("forwarding", f, "saved decisions")
    targets = sorted(((v, n) for (m, v), n in counts.items() if m == FORWARD_TO), key=lambda t: (-t[1], t[0]))
    rows: list[dict[str, Cell]] = [
        {"target": target, "decisions": n, "percent": percent(n, requested)} for target, n in targets
    ]
    return make_report(
        "forwarding",
        f,
        columns=[
            Column(key="target", label="Forward to (consult service)", numeric=False),
            Column(key="decisions", label="Forwards requested"),
            Column(key="percent", label="Share of requested forwards (%)"),
        ],
        rows=rows,
        totals={"target": "All targets", "decisions": requested, "percent": percent(requested, requested)},
        chart=bar_chart(
            rows, "target", {"decisions": "Forwards requested"}, "Decisions", kind="horizontal-bar"
        ),
        notes=[
            f"Forwarding was requested in {requested} of {total} decision(s) ({percent(requested, total)}%).",
            "DST knows only that forwarding was requested: VistA forwards the consult when it is signed "
            "and does not report the result back, so completed forwards are not counted here.",
        ],
    )


def partner_errors(session: Session, f: ReportFilter) -> Report:
    counts = _counted(session, f, [SAVES, SAVES_WITH_ERROR, PARTNER_ERROR])
    saves, affected = counts[(SAVES, "")], counts[(SAVES_WITH_ERROR, "")]
    if not saves:
        return empty_report("partner-errors", f, "saved decisions")
    codes = sorted(
        ((v, n) for (m, v), n in counts.items() if m == PARTNER_ERROR), key=lambda t: (-t[1], t[0])
    )
    rows: list[dict[str, Cell]] = [
        {"code": code, "partner": code.split("-", 1)[0], "saves": n, "percent": percent(n, saves)}
        for code, n in codes
    ]
    return make_report(
        "partner-errors",
        f,
        columns=[
            Column(key="code", label="Error code", numeric=False),
            Column(key="partner", label="Partner", numeric=False),
            Column(key="saves", label="Saves affected"),
            Column(key="percent", label="Rate (% of saves)"),
        ],
        rows=rows,
        totals={"code": "Any error", "partner": "", "saves": affected, "percent": percent(affected, saves)},
        chart=bar_chart(rows, "code", {"saves": "Saves affected"}, "Saves", kind="horizontal-bar"),
        notes=[
            f"{affected} of {saves} save(s) ({percent(affected, saves)}%) were made while a partner failed.",
            "Every saved revision counts here, because each save ran its own partner calls.",
        ],
    )


BUILDERS: dict[str, Callable[[Session, ReportFilter], Report]] = {
    "dst-use": dst_use,
    "eligibility-bases": eligibility_bases,
    "best-medical-interest": best_medical_interest,
    "veteran-option": veteran_option,
    "forwarding": forwarding,
    "partner-errors": partner_errors,
    "time-to-decision": time_to_decision,
    "access-standards": access_standards,
}
REPORT_NAMES: tuple[str, ...] = tuple(TITLES)


def build(session: Session, name: str, f: ReportFilter) -> Report:
    return BUILDERS[name](session, f)
