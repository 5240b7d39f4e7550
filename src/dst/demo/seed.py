"""`dst demo seed`: load the demo network into DST the way production jobs would load real data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dst.config import Settings
from dst.db.engine import build_engine, build_session_factory, transaction
from dst.demo.network import demo_network
from dst.jobs.loads import load_facilities, load_seocs
from dst.partners.registry import build_gateway
from dst.reference.facilities import replace_wait_times
from dst.reference.models import ClinicalService, ConsultService, Station
from dst.reference.seed import sync_national_reference


async def seed_demo(settings: Settings) -> dict[str, int]:
    engine = build_engine(settings.database_url)
    sessions = build_session_factory(engine)
    try:
        with transaction(sessions) as session:
            sync_national_reference(session)
        async with build_gateway(settings) as gateway:
            facilities = await load_facilities(gateway, sessions)
            seocs = await load_seocs(gateway, sessions)
        with transaction(sessions) as session:
            waits = seed_wait_times(session)
            consult_services = seed_consult_services(session)
        # Fresh planner statistics: without them SQLite walks every facility offering the service
        # instead of the nearby latitude band on the dashboard's facility query.
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    finally:
        engine.dispose()
    return {
        "facilities": facilities.written,
        "seocs": seocs.written,
        "wait times": waits,
        "consult services": consult_services,
    }


def seed_wait_times(session: Session) -> int:
    """Stand in for the CDW wait-time ETL: the demo network's per-service new-patient waits."""
    by_lighthouse_id = {s.lighthouse_service_id: s for s in session.scalars(select(ClinicalService))}
    rows = []
    for facility in demo_network().facilities:
        for service_id, (new, _established) in facility.wait_days.items():
            service = by_lighthouse_id.get(service_id)
            if service is not None and new is not None:
                rows.append((facility.facility_id, service.id, new, 12, round(new * 1.1, 1)))
    return replace_wait_times(session, rows, as_of=date.today(), source="demo")


def seed_consult_services(session: Session) -> int:
    """Each demo station's consult services, including its `COMMUNITY CARE-…` forwarding targets."""
    services = list(session.scalars(select(ClinicalService)))
    existing = {(c.station, c.name) for c in session.scalars(select(ConsultService))}
    count = 0
    for station in session.scalars(select(Station)):
        for service in services:
            for name, community in (
                (f"{service.name} OUTPT", False),
                (service.community_care_consult_name, True),
            ):
                if (station.sta3n, name) not in existing:
                    session.add(
                        ConsultService(
                            station=station.sta3n,
                            name=name,
                            clinical_service_id=service.id,
                            source="demo",
                            community_care=community,
                        )
                    )
                    count += 1
    return count
