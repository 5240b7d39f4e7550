"""Put the national reference data DST owns in place (idempotent): clinical services and stations."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dst.reference.catalog import NATIONAL_CLINICAL_SERVICES, ClinicalServiceSpec
from dst.reference.models import ClinicalService, ClinicalServiceStopCode, ClinicalServiceSynonym, Station

STATIONS_CSV = Path(__file__).parent / "data" / "stations.csv"


def sync_national_reference(session: Session) -> None:
    sync_clinical_services(session)
    sync_stations(session)


def sync_clinical_services(session: Session) -> None:
    existing = {cs.name: cs for cs in session.scalars(select(ClinicalService))}
    for spec in NATIONAL_CLINICAL_SERVICES:
        service = existing.get(spec.name) or ClinicalService(name=spec.name)
        session.add(service)
        _apply_spec(session, service, spec)
    session.flush()


def _apply_spec(session: Session, service: ClinicalService, spec: ClinicalServiceSpec) -> None:
    service.care_category = spec.care_category.value
    service.lighthouse_service_id = spec.lighthouse_service_id
    service.ppms_specialty_codes = list(spec.ppms_specialty_codes)
    service.seoc_categories = list(spec.seoc_categories)
    service.community_care_consult_name = spec.community_care_consult_name
    if [s.stop_code for s in service.stop_codes] != list(spec.stop_codes):
        # Delete before insert: the unique constraints would refuse a kept code otherwise.
        service.stop_codes = []
        session.flush()
        service.stop_codes = [
            ClinicalServiceStopCode(stop_code=code, position=i) for i, code in enumerate(spec.stop_codes)
        ]
    if sorted(s.synonym for s in service.synonyms) != sorted(spec.synonyms):
        service.synonyms = []
        session.flush()
        service.synonyms = [ClinicalServiceSynonym(synonym=s) for s in spec.synonyms]


def read_station_rows() -> list[dict[str, str]]:
    with STATIONS_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def sync_stations(session: Session) -> None:
    existing = {s.sta3n: s for s in session.scalars(select(Station))}
    for row in read_station_rows():
        station = existing.get(row["sta3n"]) or Station(sta3n=row["sta3n"])
        station.name = row["name"]
        station.city = row["city"] or None
        station.state = row["state"] or None
        station.visn = row["visn"]
        station.lat = float(row["lat"]) if row["lat"] else None
        station.lng = float(row["lng"]) if row["lng"] else None
        session.add(station)
    session.flush()
