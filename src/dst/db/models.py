"""Imports every ORM model so metadata is complete for Alembic and for table creation in tests."""

from dst.audit.models import AuditEvent
from dst.consults.models import Decision, DstRecord, IdempotencyKey
from dst.jobs.models import JobClaim, JobRun  # noqa: F401 - registers the job tables
from dst.reference.models import (
    ClinicalService,
    ClinicalServiceStopCode,
    ClinicalServiceSynonym,
    ConsultService,
    Facility,
    FacilityService,
    FacilityWaitTime,
    SeocEntry,
    Station,
)
from dst.reports.models import DecisionFact

__all__ = [
    "AuditEvent",
    "ClinicalService",
    "ClinicalServiceStopCode",
    "ClinicalServiceSynonym",
    "ConsultService",
    "Decision",
    "DecisionFact",
    "DstRecord",
    "Facility",
    "FacilityService",
    "FacilityWaitTime",
    "IdempotencyKey",
    "SeocEntry",
    "Station",
]
