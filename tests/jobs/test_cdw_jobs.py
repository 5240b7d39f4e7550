"""CDW ETL: waits and mappings from the demo CDW source; a view of the wrong shape keeps the old data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from sqlalchemy import select, text

from dst.cdw.demo import build_demo_cdw, exact_waits
from dst.cdw.source import cdw_engine
from dst.db.base import utcnow
from dst.db.engine import transaction
from dst.demo.network import demo_network
from dst.jobs.registry import job_spec
from dst.jobs.runner import RunSummary, run_spec
from dst.reference.models import ClinicalService, ConsultService, FacilityWaitTime

from harness import BACKEND, settings_for
from job_support import sessions_for


@pytest.fixture
def cdw_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A demo CDW source of this test's own: a SQLite file, or the test's PostgreSQL database itself."""
    url = database_url if BACKEND == "postgresql" else f"sqlite:///{tmp_path / 'cdw.sqlite3'}"
    engine = cdw_engine(settings_for(database_url, cdw_url=url))
    build_demo_cdw(engine, demo_network(), utcnow().date())
    engine.dispose()
    yield url


def _run(database_url: str, cdw_url: str, name: str) -> RunSummary:
    settings = settings_for(database_url, cdw_url=cdw_url)
    return anyio.run(lambda: run_spec(job_spec(name), settings=settings, sessions=sessions_for(database_url)))


def _alter(cdw_url: str, statement: str) -> None:
    engine = cdw_engine(settings_for("sqlite://", cdw_url=cdw_url))
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


def _waits(database_url: str) -> dict[tuple[str, str], tuple[float | None, int | None, float | None]]:
    with sessions_for(database_url)() as session:
        rows = session.execute(
            select(FacilityWaitTime, ClinicalService.name).join(
                ClinicalService, ClinicalService.id == FacilityWaitTime.clinical_service_id
            )
        )
        return {
            (w.facility_id, name): (w.va_average_days, w.va_sample_size, w.cc_average_days)
            for w, name in rows
        }


def test_exact_waits_average_to_the_published_figure() -> None:
    for average in (0.0, 1.0, 7.3, 15.0, 28.9, 44.4):
        waits = exact_waits(average)
        assert len(waits) == 10 and min(waits) >= 0 and sum(waits) / 10 == pytest.approx(average)


def test_wait_times_come_from_completed_new_patient_appointments_of_the_last_30_days(
    database_url: str, cdw_url: str
) -> None:
    summary = _run(database_url, cdw_url, "cdw-wait-times")
    assert summary.outcome == "ok" and summary.written > 1000
    waits = _waits(database_url)
    checked = 0
    for facility in demo_network().facilities:
        new = facility.wait_days.get("cardiology", (None, None))[0]
        if new is None:
            continue
        # Established, cancelled, older and future appointments in the source would each move this.
        va, sample, cc = waits[(facility.facility_id, "CARDIOLOGY")]
        assert (va, sample) == (pytest.approx(new, abs=0.05), 10)
        assert cc == pytest.approx(round(new * 1.1, 1), abs=0.05)  # HSRM: last 90 days only
        checked += 1
    assert checked > 20


def test_a_missing_column_fails_the_job_and_keeps_the_previous_waits(database_url: str, cdw_url: str) -> None:
    before = _waits(database_url)
    assert before
    _alter(cdw_url, "ALTER TABLE dst_appointment DROP COLUMN new_patient")
    summary = _run(database_url, cdw_url, "cdw-wait-times")
    assert summary.outcome == "failed"
    assert summary.error == "CDW view dst_appointment lacks column(s) new_patient; previous data kept"
    assert _waits(database_url) == before


def test_an_extra_column_fails_the_job_and_names_it(database_url: str, cdw_url: str) -> None:
    before = _waits(database_url)
    _alter(cdw_url, "ALTER TABLE dst_clinic ADD COLUMN division_name VARCHAR(40)")
    summary = _run(database_url, cdw_url, "cdw-wait-times")
    assert summary.outcome == "failed"
    assert "dst_clinic has unexpected column(s) division_name" in (summary.error or "")
    assert _waits(database_url) == before


def test_without_a_community_care_view_va_waits_load_and_cc_stays_empty(
    database_url: str, cdw_url: str
) -> None:
    _alter(cdw_url, "DROP TABLE dst_cc_appointment")
    summary = _run(database_url, cdw_url, "cdw-wait-times")
    assert summary.outcome == "warnings"
    assert summary.warnings == ["the CDW has no dst_cc_appointment view: community-care waits left empty"]
    waits = _waits(database_url).values()
    assert all(cc is None for _, _, cc in waits) and any(va is not None for va, _, _ in waits)


def _mapping(database_url: str, station: str, name: str) -> ConsultService | None:
    with sessions_for(database_url)() as session:
        return session.scalar(
            select(ConsultService).where(ConsultService.station == station, ConsultService.name == name)
        )


def _service_id(database_url: str, name: str) -> int:
    with sessions_for(database_url)() as session:
        found = session.scalar(select(ClinicalService.id).where(ClinicalService.name == name))
        assert found is not None
        return found


def test_consult_services_map_by_stop_code_and_overrides_survive_reloads(
    database_url: str, cdw_url: str
) -> None:
    sessions = sessions_for(database_url)
    dermatology = _service_id(database_url, "DERMATOLOGY")
    with transaction(sessions) as session:
        row = session.scalar(
            select(ConsultService).where(
                ConsultService.station == "688", ConsultService.name == "CARDIOLOGY OUTPT"
            )
        )
        assert row is not None
        row.source, row.clinical_service_id = "override", dermatology
        session.add(ConsultService(station="688", name="EYE CLINIC", source="seen"))
        session.execute(
            text(
                "DELETE FROM consult_service WHERE station = '688' AND name = 'EYE CLINIC' AND source = 'cdw'"
            )
        )

    summary = _run(database_url, cdw_url, "cdw-mappings")
    assert summary.outcome == "warnings"
    assert (
        "no catalog stop code for consult service 'HOME BASED PRIMARY CARE' at station 358"
        in summary.warnings
    )

    override = _mapping(database_url, "688", "CARDIOLOGY OUTPT")
    assert override is not None and (override.source, override.clinical_service_id) == (
        "override",
        dermatology,
    )
    eye = _mapping(database_url, "688", "EYE CLINIC")  # was only "seen"; CDW now maps it by stop code 408
    assert eye is not None and eye.source == "cdw"
    assert eye.clinical_service_id == _service_id(database_url, "OPTOMETRY")
    community = _mapping(database_url, "688", "COMMUNITY CARE-CARDIOLOGY")
    assert community is not None and community.community_care
    assert _mapping(database_url, "688", "DERMATOLOGY (OLD)") is None  # DISABLED in VistA
    assert _mapping(database_url, "358", "HOME BASED PRIMARY CARE") is None


def test_a_name_cdw_no_longer_lists_loses_its_cdw_mapping(database_url: str, cdw_url: str) -> None:
    _alter(cdw_url, "DELETE FROM dst_request_service WHERE sta3n = '688' AND service_name = 'EYE CLINIC'")
    assert _mapping(database_url, "688", "EYE CLINIC") is not None
    summary = _run(database_url, cdw_url, "cdw-mappings")
    assert summary.outcome == "warnings"
    assert _mapping(database_url, "688", "EYE CLINIC") is None
    assert _mapping(database_url, "688", "PODIATRY OUTPT") is not None


def test_missing_request_service_view_fails_and_keeps_mappings(database_url: str, cdw_url: str) -> None:
    _alter(cdw_url, "DROP TABLE dst_request_service_stop_code")
    with sessions_for(database_url)() as session:
        before = session.scalar(select(text("count(*)")).select_from(ConsultService))
    summary = _run(database_url, cdw_url, "cdw-mappings")
    assert summary.outcome == "failed"
    assert summary.error == "CDW view dst_request_service_stop_code does not exist"
    with sessions_for(database_url)() as session:
        assert session.scalar(select(text("count(*)")).select_from(ConsultService)) == before
