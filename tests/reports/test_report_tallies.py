"""Report tallies follow saves and requires-dst calls, count the latest revision, and match a rebuild."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from dst.reports.measures import CELL_COLUMNS
from dst.reports.models import ReportTally, report_cell
from dst.reports.query import periods
from dst.reports.rebuild import rebuild_tallies
from dst.reports.timeliness import nearest_rank

from factories import key, ordinary, veteran
from harness import SERVICE, open_record, sign_in


def save(client, dst_id: str, body: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    response = client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={**SERVICE, **key()})
    assert response.status_code == 200, response.text


def first_seoc(client, dst_id: str) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]


def report(client, name: str, **params: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/reports/{name}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def snapshot(session) -> dict[tuple[Any, ...], int]:  # type: ignore[no-untyped-def]
    """Every non-zero count in both tables, by (grain, measure, period, station, service, value, visn)."""
    counts = {
        (r.grain, r.measure, r.period, r.station, r.clinical_service, r.value, r.visn): r.n
        for r in session.scalars(select(ReportTally))
        if r.n
    }
    for row in session.execute(select(report_cell)).mappings():
        for (measure, value), column in CELL_COLUMNS.items():
            if row[column]:
                key = (row["grain"], measure, row["period"], row["station"], row["clinical_service"], value)
                counts[(*key, row["visn"])] = row[column]
    return counts


def tallies(client) -> dict[tuple[Any, ...], int]:  # type: ignore[no-untyped-def]
    with client.app.state.sessions() as session:
        return snapshot(session)


def test_requires_dst_calls_and_saved_decisions_make_the_dst_use_report(client) -> None:
    station = veteran(ordinary).station
    for service in ("ORTHOPEDICS", "ORTHOPEDICS", "NO SUCH CLINIC"):
        response = client.get(
            "/ctb/v1/requires-dst", params={"service": service, "station": station}, headers=SERVICE
        )
        assert response.status_code == 200
    record = open_record(client)
    save(client, record["dstId"], {"veteranOption": "opt-out", "forward": False})
    sign_in(client, "reporting")
    use = report(client, "dst-use")
    assert use["rows"] == [{"clinicalService": "ORTHOPEDICS", "needed": 2, "saved": 1, "savedPercent": 50.0}]
    assert "1 consult(s) whose service does not need DST" in use["notes"][0]
    assert report(client, "dst-use", station=station)["totals"]["needed"] == 2


def test_a_record_counts_once_by_its_latest_revision_but_every_save_counts_for_errors(client) -> None:
    record = open_record(client)
    seoc = first_seoc(client, record["dstId"])
    save(client, record["dstId"], {"veteranOption": "opt-in", "seocId": seoc, "forward": True})
    save(client, record["dstId"], {"veteranOption": "opt-out", "forward": False})
    sign_in(client, "reporting")
    options = {r["code"]: r["decisions"] for r in report(client, "veteran-option")["rows"]}
    assert options == {"opt-in": 0, "opt-out": 1, "tbd": 0}
    forwarding = report(client, "forwarding")
    assert forwarding["rows"] == [] and forwarding["totals"]["decisions"] == 0
    assert "does not report the result back" in " ".join(forwarding["notes"])
    assert report(client, "partner-errors")["notes"][0].endswith(
        "2 save(s) (0.0%) were made while a partner failed."
    )
    assert report(client, "eligibility-bases")["notes"][0].startswith("1 decision(s)")


def test_time_to_decision_counts_days_from_file_entry(client) -> None:
    for days in (0, 10, 10, 25):
        record = open_record(client, fileEntryDate=(date.today() - timedelta(days=days)).isoformat())
        save(client, record["dstId"], {"veteranOption": "opt-out", "forward": False})
    sign_in(client, "reporting")
    timing = report(client, "time-to-decision")
    # UTC today may differ from local today by a day; the spread is what matters
    total = timing["totals"]
    assert total["decisions"] == 4
    assert total["p90"] - total["median"] == 15


def test_tallies_kept_on_save_equal_a_rebuild_from_facts(client) -> None:
    first = open_record(client)
    save(
        client,
        first["dstId"],
        {"veteranOption": "opt-in", "seocId": first_seoc(client, first["dstId"]), "forward": True},
    )
    save(client, first["dstId"], {"veteranOption": "opt-out", "forward": False})
    second = open_record(
        client, service="CARDIOLOGY", fileEntryDate=(date.today() - timedelta(days=3)).isoformat()
    )
    save(
        client,
        second["dstId"],
        {"veteranOption": "opt-in", "seocId": first_seoc(client, second["dstId"]), "forward": True},
    )
    client.get(
        "/ctb/v1/requires-dst",
        params={"service": "CARDIOLOGY", "station": veteran(ordinary).station},
        headers=SERVICE,
    )
    kept = tallies(client)
    assert any(k[1] == "forward-to" for k in kept) and any(k[1] == "requires-dst" for k in kept)
    with client.app.state.sessions() as session:
        rebuild_tallies(session)
        session.commit()
    assert tallies(client) == kept


def test_periods_cover_every_day_once_using_whole_months() -> None:
    start = date(2023, 12, 20)
    for length in (0, 1, 5, 6, 7, 11, 12, 13, 20, 40, 45, 70, 400):
        for shift in range(40):
            first = start + timedelta(days=shift)
            last = first + timedelta(days=length)
            covered: list[date] = []
            for grain, a, b in periods(first, last):
                if grain == "day":
                    covered += [a + timedelta(days=i) for i in range((b - a).days + 1)]
                elif grain == "week":
                    assert a.weekday() == 0 and b.weekday() == 0
                    covered += [a + timedelta(days=i) for i in range((b - a).days + 7)]
                else:
                    month = a
                    while month <= b:
                        nxt = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
                        covered += [month + timedelta(days=i) for i in range((nxt - month).days)]
                        month = nxt
            assert sorted(covered) == [first + timedelta(days=i) for i in range(length + 1)]


def test_nearest_rank_percentiles() -> None:
    from collections import Counter

    assert nearest_rank(Counter({0: 5, 3: 4, 9: 1}), 0.5) == 0
    assert nearest_rank(Counter({0: 5, 3: 4, 9: 1}), 0.9) == 3
    assert nearest_rank(Counter({0: 5, 3: 4, 9: 1}), 0.91) == 9
    assert nearest_rank(Counter(), 0.5) is None


def _fact(key: str, revision: int, **overrides: Any):  # type: ignore[no-untyped-def]
    from dst.reports.models import DecisionFact

    fields: dict[str, Any] = {
        "record_key": key,
        "revision": revision,
        "station": "523",
        "visn": "1",
        "clinical_service": "CARDIOLOGY",
        "care_category": "specialty",
        "urgency": "routine",
        "file_entry_date": date(2026, 1, 30),
        "decided_on": date(2026, 2, 2),
        "decided_role": "provider",
        "eligible": True,
        "criteria": {"drive-time": "met", "wait-time": "unknown", "hardship": "not-met"},
        "bmi_factor": None,
        "veteran_option": "opt-in",
        "forward": False,
        "forward_to": None,
        "partner_errors": [],
        "standards_version": "2019-06-06",
    }
    return DecisionFact(**{**fields, **overrides})


def test_counting_each_fact_equals_a_rebuild_for_errors_revisions_and_edge_dates(database_url: str) -> None:
    from dst.db.engine import build_engine, build_session_factory
    from dst.reports.tallies import count_fact

    facts = [
        _fact(
            "a", 1, partner_errors=["MVI-TIMEOUT", "EE-FAULT", "MVI-TIMEOUT"], forward=True, forward_to="X"
        ),
        _fact("a", 2, decided_on=date(2026, 3, 1), eligible=None, bmi_factor="distance"),
        _fact(
            "b", 1, visn=None, station="999", file_entry_date=date(2024, 1, 1), decided_on=date(2026, 2, 28)
        ),
        _fact("c", 1, file_entry_date=date(2026, 2, 5), partner_errors=["PPMS-UNAVAILABLE"]),
        _fact("c", 2, eligible=False, veteran_option="opt-out", partner_errors=["PPMS-UNAVAILABLE"]),
        _fact("c", 3, veteran_option="tbd", clinical_service="AUDIOLOGY"),
    ]
    engine = build_engine(database_url)
    sessions = build_session_factory(engine)
    try:
        with sessions() as session:
            for fact in facts:
                session.add(fact)
                count_fact(session, fact)
                session.flush()
            session.commit()
            kept = snapshot(session)
            rebuild_tallies(session)
            session.commit()
            rebuilt = snapshot(session)
    finally:
        engine.dispose()
    assert rebuilt == kept
    assert kept[("day", "partner-error", date(2026, 2, 2), "523", "CARDIOLOGY", "MVI-TIMEOUT", "1")] == 1
    assert kept[("month", "saves", date(2026, 2, 1), "523", "CARDIOLOGY", "", "1")] == 3
    assert kept[("month", "decisions", date(2026, 2, 1), "523", "AUDIOLOGY", "", "1")] == 1
    assert kept[("day", "days-to-decision", date(2026, 2, 28), "999", "CARDIOLOGY", "366", "")] == 1
    assert ("day", "decisions", date(2026, 2, 2), "523", "CARDIOLOGY", "", "1") not in kept
