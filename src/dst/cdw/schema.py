"""The CDW views the ETL reads, as SQLAlchemy Core tables; a site creates views of these names and columns.

The demo creates them as tables in its own database. At a site they are views over the real CDW
(appointments, VistA clinics #44, request services #123.5 and their stop-code links from GMRC*3*52,
and HSRM community-care appointments); see docs/jobs.md for example view definitions.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, MetaData, String, Table

cdw_metadata = MetaData()

clinic = Table(
    "dst_clinic",
    cdw_metadata,
    Column("sta3n", String(3), nullable=False),
    Column("clinic_ien", String(20), nullable=False),
    Column("sta6a", String(10), nullable=False),  # the division: Lighthouse id is vha_<sta6a>
    Column("clinic_name", String(60), nullable=False),
    Column("primary_stop_code", String(3), nullable=False),
    Column("secondary_stop_code", String(3)),  # the credit stop code, when the clinic has one
)

appointment = Table(
    "dst_appointment",
    cdw_metadata,
    Column("appointment_sid", BigInteger, primary_key=True, autoincrement=False),
    Column("sta3n", String(3), nullable=False),
    Column("clinic_ien", String(20), nullable=False),
    Column("created_on", Date, nullable=False),  # the day the appointment was made
    Column("appointment_on", Date, nullable=False),
    Column("status", String(20), nullable=False),  # COMPLETED, CANCELLED, NO-SHOW, SCHEDULED
    Column("new_patient", Boolean, nullable=False),
)

request_service = Table(
    "dst_request_service",
    cdw_metadata,
    Column("sta3n", String(3), nullable=False),
    Column("request_service_ien", String(20), nullable=False),
    Column("service_name", String(80), nullable=False),
    Column("service_usage", String(20)),  # blank, GROUPER ONLY, TRACKING ONLY or DISABLED
)

request_service_stop_code = Table(
    "dst_request_service_stop_code",
    cdw_metadata,
    Column("sta3n", String(3), nullable=False),
    Column("request_service_ien", String(20), nullable=False),
    Column("stop_code", String(3), nullable=False),
)

# Optional: a site without HSRM data in its CDW leaves this view out; CC waits then stay empty.
community_care_appointment = Table(
    "dst_cc_appointment",
    cdw_metadata,
    Column("sta6a", String(10), nullable=False),
    Column("category_of_care", String(80), nullable=False),  # the SEOC category of care
    Column("created_on", Date, nullable=False),
    Column("appointment_on", Date, nullable=False),
)
