"""Imports every ORM model so metadata is complete for Alembic and for table creation in tests."""

from dst.audit.models import AuditEvent
from dst.consults.models import Decision, DstRecord, IdempotencyKey, PartnerCall
from dst.jobs.models import JobClaim, JobRun  # noqa: F401 - registers the job tables
from dst.operations.models import EnablementRule, MaintenanceWindow, MappingOverride, PartnerOutage
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
from dst.web.sessions import WebSession

__all__ = [
    "AuditEvent",
    "ClinicalService",
    "ClinicalServiceStopCode",
    "ClinicalServiceSynonym",
    "ConsultService",
    "Decision",
    "DecisionFact",
    "DstRecord",
    "EnablementRule",
    "Facility",
    "FacilityService",
    "FacilityWaitTime",
    "IdempotencyKey",
    "MaintenanceWindow",
    "MappingOverride",
    "PartnerCall",
    "PartnerOutage",
    "SeocEntry",
    "Station",
    "WebSession",
]
