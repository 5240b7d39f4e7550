"""A plain snapshot of a DST record and its reference data, so async panel code never touches the ORM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.orm import object_session

from dst.consults.models import DstRecord
from dst.reference.models import ClinicalService

if TYPE_CHECKING:
    from dst.operations.designations import DesignationInfo


@dataclass(frozen=True)
class ServiceInfo:
    id: int
    name: str
    care_category: str
    lighthouse_service_id: str
    ppms_specialty_codes: tuple[str, ...]
    seoc_categories: tuple[str, ...]
    primary_stop_code: str
    community_care_consult_name: str

    @classmethod
    def of(cls, service: ClinicalService) -> ServiceInfo:
        return cls(
            id=service.id,
            name=service.name,
            care_category=service.care_category,
            lighthouse_service_id=service.lighthouse_service_id,
            ppms_specialty_codes=tuple(service.ppms_specialty_codes),
            seoc_categories=tuple(service.seoc_categories),
            primary_stop_code=service.primary_stop_code,
            community_care_consult_name=service.community_care_consult_name,
        )


@dataclass(frozen=True)
class Entries:
    """The user's saved entries that feed the eligibility rules."""

    next_available_date: date | None = None
    veteran_agreed_later_date: date | None = None
    bmi_factor: str | None = None
    bmi_explanation: str | None = None


@dataclass(frozen=True)
class RecordContext:
    dst_id: str
    station: str
    icn: str | None
    dfn: str | None
    consult_service: str
    urgency: str
    file_entry_date: date
    clinically_indicated_date: date | None
    signed: bool
    released_to_hsrm: bool
    version: int
    service: ServiceInfo | None
    entries: Entries
    # VA designations of this service at this station (any dates); the rules pick those in force.
    designations: tuple[DesignationInfo, ...] = ()

    @classmethod
    def of(cls, record: DstRecord) -> RecordContext:
        decision = record.decision
        entries = Entries()
        if decision is not None:
            entries = Entries(
                next_available_date=decision.next_available_date,
                veteran_agreed_later_date=decision.veteran_agreed_later_date,
                bmi_factor=decision.bmi_factor,
                bmi_explanation=decision.bmi_explanation,
            )
        return cls(
            dst_id=record.dst_id,
            station=record.station,
            icn=record.icn,
            dfn=record.dfn,
            consult_service=record.consult_service,
            urgency=record.urgency,
            file_entry_date=record.file_entry_date,
            clinically_indicated_date=record.clinically_indicated_date,
            signed=record.signed,
            released_to_hsrm=record.released_to_hsrm,
            version=record.version,
            service=ServiceInfo.of(record.clinical_service) if record.clinical_service else None,
            entries=entries,
            designations=_designations(record),
        )


def _designations(record: DstRecord) -> tuple[DesignationInfo, ...]:
    session = object_session(record)
    if session is None or record.clinical_service_id is None:
        return ()
    from dst.operations.designations import for_service  # the console's table; imported late, no cycle

    return for_service(session, station=record.station, clinical_service_id=record.clinical_service_id)
