"""Load_Facilities and Load_SEOC: a partner failing half-way keeps the old data; bad records are named."""

from __future__ import annotations

from typing import Any

import anyio
from sqlalchemy import select

from dst.demo.network import demo_network
from dst.jobs.models import JobRun
from dst.jobs.registry import job_spec
from dst.jobs.runner import RunSummary, run_spec
from dst.reference.models import Facility, SeocEntry

from harness import settings_for
from job_support import count, facilities_app, gateway_with, seoc_app, sessions_for


def _run(database_url: str, name: str, **partners: Any) -> RunSummary:
    settings = settings_for(database_url)
    opener = gateway_with(settings, **partners)
    return anyio.run(
        lambda: run_spec(
            job_spec(name), settings=settings, sessions=sessions_for(database_url), open_gateway=opener
        )
    )


def _history(database_url: str, run_id: int | None) -> JobRun:
    with sessions_for(database_url)() as session:
        run = session.get(JobRun, run_id)
        assert run is not None
        return run


def test_facilities_partner_failing_half_way_through_paging_keeps_the_previous_facilities(
    database_url: str,
) -> None:
    sessions = sessions_for(database_url)
    before = count(sessions, Facility)
    records = list(demo_network().facilities[:40])
    summary = _run(database_url, "load-facilities", facilities=facilities_app(records, fail_on_page=3))
    assert summary.outcome == "failed"
    assert "failed while paging" in (summary.error or "") and "previous facilities kept" in (
        summary.error or ""
    )
    assert count(sessions, Facility) == before > 40
    assert _history(database_url, summary.run_id).outcome == "failed"


def test_a_malformed_facility_is_skipped_counted_and_named(database_url: str) -> None:
    records = list(demo_network().facilities[:25])
    bad_id = records[0].facility_id

    def drop_name(item: dict[str, Any]) -> None:
        del item["attributes"]["name"]

    summary = _run(database_url, "load-facilities", facilities=facilities_app(records, malform=drop_name))
    assert summary.outcome == "warnings"
    assert (summary.read, summary.written) == (25, 24)
    assert summary.warnings == [f"skipped facility {bad_id}: missing name"]
    run = _history(database_url, summary.run_id)
    assert run.warnings == summary.warnings and run.rows_read == 25 and run.rows_written == 24
    with sessions_for(database_url)() as session:
        loaded = set(session.scalars(select(Facility.facility_id)))
    assert loaded == {r.facility_id for r in records[1:]}


def test_a_malformed_seoc_is_skipped_and_named(database_url: str) -> None:
    seocs = list(demo_network().seocs[:6])

    def drop_category(item: dict[str, Any]) -> None:
        del item["categoryOfCare"]

    summary = _run(database_url, "load-seoc", seoc=seoc_app(seocs, malform=drop_category))
    assert summary.outcome == "warnings"
    assert summary.warnings == [f"skipped SEOC {seocs[0].seoc_id}: missing categoryOfCare"]
    with sessions_for(database_url)() as session:
        assert set(session.scalars(select(SeocEntry.seoc_id))) == {s.seoc_id for s in seocs[1:]}


def test_seoc_service_down_keeps_the_previous_seocs(database_url: str) -> None:
    sessions = sessions_for(database_url)
    before = count(sessions, SeocEntry)
    summary = _run(database_url, "load-seoc", seoc=seoc_app([], status=503))
    assert summary.outcome == "failed" and "previous SEOCs kept" in (summary.error or "")
    assert count(sessions, SeocEntry) == before > 0


def test_an_empty_seoc_list_never_empties_the_table(database_url: str) -> None:
    sessions = sessions_for(database_url)
    before = count(sessions, SeocEntry)
    summary = _run(database_url, "load-seoc", seoc=seoc_app([]))
    assert summary.outcome == "failed" and count(sessions, SeocEntry) == before


def test_the_load_keeps_lighthouse_operating_status_for_the_nearest_facility_search(
    database_url: str,
) -> None:
    from dataclasses import replace

    from dst.reference.facilities import nearby_offering

    records = list(demo_network().facilities[:25])
    health = next(r for r in records if r.location is not None and r.services)
    records = [replace(r, operating_status="CLOSED") if r is health else r for r in records]
    summary = _run(database_url, "load-facilities", facilities=facilities_app(records))
    assert summary.outcome == "ok", summary.error
    assert health.location is not None
    with sessions_for(database_url)() as session:
        assert session.get(Facility, health.facility_id).operating_status == "CLOSED"  # type: ignore[union-attr]
        found = nearby_offering(
            session,
            service_id=health.services[0],
            clinical_service_id=1,
            point=health.location,
            radius_miles=1.0,
        )
    assert [(n.facility_id, n.operating_status) for n in found if n.facility_id == health.facility_id] == [
        (health.facility_id, "CLOSED")
    ]
