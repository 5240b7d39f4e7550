"""The demo CDW: the source views filled deterministically from the demo network.

Each demo facility's published new-patient wait for a service becomes ten completed new-patient
appointments whose waits average exactly that figure, plus appointments the ETL must leave out
(established patients, cancellations, older than 30 days, not yet seen). Request services give each
station its `<SERVICE> OUTPT` and `COMMUNITY CARE-<SERVICE>` consult services linked to stop codes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from dst.cdw.schema import (
    appointment,
    cdw_metadata,
    clinic,
    community_care_appointment,
    request_service,
    request_service_stop_code,
)
from dst.demo.model import DemoNetwork
from dst.reference.catalog import NATIONAL_CLINICAL_SERVICES, ClinicalServiceSpec

SAMPLE = 10  # completed new-patient appointments per facility and service
COMMUNITY_CARE_STOP_CODE = "669"
Row = dict[str, Any]


def build_demo_cdw(engine: Engine, network: DemoNetwork, today: date) -> dict[str, int]:
    """Drop and recreate the demo views as tables, then fill them; returns row counts per view."""
    cdw_metadata.drop_all(engine)
    cdw_metadata.create_all(engine)
    clinics, appointments, cc = _clinic_rows(network, today)
    services, links = _request_service_rows(network)
    counts = {}
    with engine.begin() as connection:
        for table, rows in (
            (clinic, clinics),
            (appointment, appointments),
            (community_care_appointment, cc),
            (request_service, services),
            (request_service_stop_code, links),
        ):
            if rows:
                connection.execute(insert(table), rows)
            counts[table.name] = len(rows)
    return counts


def exact_waits(average: float, count: int = SAMPLE) -> list[int]:
    """`count` whole-day waits, spread out, whose mean is `average` to one decimal place."""
    total = round(average * count)
    base, extra = divmod(total, count)
    waits = [base + 1 if i < extra else base for i in range(count)]
    for i in range(count // 2):  # move days between pairs: the sum (and so the mean) stays the same
        shift = min(i + 1, waits[count - 1 - i])
        waits[i] += shift
        waits[count - 1 - i] -= shift
    return waits


def _services_offered(
    wait_days: dict[str, tuple[float | None, float | None]],
) -> Iterator[tuple[ClinicalServiceSpec, float]]:
    for spec in NATIONAL_CLINICAL_SERVICES:
        new, _established = wait_days.get(spec.lighthouse_service_id, (None, None))
        if new is not None:
            yield spec, new


def _clinic_rows(network: DemoNetwork, today: date) -> tuple[list[Row], list[Row], list[Row]]:
    clinics: list[Row] = []
    appointments: list[Row] = []
    cc: list[Row] = []
    for facility in network.facilities:
        sta6a = facility.facility_id.removeprefix("vha_")
        for spec, new_wait in _services_offered(facility.wait_days):
            ien = str(len(clinics) + 1)
            secondary = spec.stop_codes[1] if len(spec.stop_codes) > 1 else None
            clinics.append(
                {
                    "sta3n": facility.station,
                    "clinic_ien": ien,
                    "sta6a": sta6a,
                    "clinic_name": f"{sta6a} {spec.name}"[:60],
                    "primary_stop_code": spec.stop_codes[0],
                    "secondary_stop_code": secondary,
                }
            )
            appointments.extend(_appointments(len(appointments), facility.station, ien, new_wait, today))
            cc.extend(_cc_appointments(sta6a, spec.seoc_categories[0], round(new_wait * 1.1, 1), today))
    return clinics, appointments, cc


def _appointments(first_sid: int, sta3n: str, ien: str, average: float, today: date) -> list[Row]:
    def row(offset: int, on: date, wait: int, status: str, new: bool) -> Row:
        return {
            "appointment_sid": first_sid + offset + 1,
            "sta3n": sta3n,
            "clinic_ien": ien,
            "created_on": on - timedelta(days=wait),
            "appointment_on": on,
            "status": status,
            "new_patient": new,
        }

    rows = [
        row(i, today - timedelta(days=1 + 2 * i), w, "COMPLETED", True)
        for i, w in enumerate(exact_waits(average))
    ]
    rows += [
        row(SAMPLE, today - timedelta(days=3), 60, "COMPLETED", False),  # established patient
        row(SAMPLE + 1, today - timedelta(days=4), 90, "CANCELLED", True),
        row(SAMPLE + 2, today - timedelta(days=45), 120, "COMPLETED", True),  # outside 30 days
        row(SAMPLE + 3, today + timedelta(days=9), 40, "SCHEDULED", True),
    ]
    return rows


def _cc_appointments(sta6a: str, category: str, average: float, today: date) -> list[Row]:
    def row(on: date, wait: int) -> Row:
        return {
            "sta6a": sta6a,
            "category_of_care": category,
            "created_on": on - timedelta(days=wait),
            "appointment_on": on,
        }

    rows = [row(today - timedelta(days=3 + 8 * i), w) for i, w in enumerate(exact_waits(average))]
    rows.append(row(today - timedelta(days=120), 200))  # outside the 90-day window
    return rows


def _request_service_rows(network: DemoNetwork) -> tuple[list[Row], list[Row]]:
    services: list[Row] = []
    links: list[Row] = []

    def add(sta3n: str, name: str, codes: tuple[str, ...], usage: str | None = None) -> None:
        ien = str(len(services) + 1)
        services.append(
            {"sta3n": sta3n, "request_service_ien": ien, "service_name": name, "service_usage": usage}
        )
        links.extend({"sta3n": sta3n, "request_service_ien": ien, "stop_code": code} for code in codes)

    for number, station in enumerate(network.stations):
        for spec in NATIONAL_CLINICAL_SERVICES:
            add(station.sta3n, f"{spec.name} OUTPT", spec.stop_codes[:1])
            add(
                station.sta3n,
                spec.community_care_consult_name,
                (COMMUNITY_CARE_STOP_CODE, spec.stop_codes[0]),
            )
        add(station.sta3n, "EYE CLINIC", ("408",))  # a local name the stop code maps to OPTOMETRY
        add(station.sta3n, "DERMATOLOGY (OLD)", ("304",), "DISABLED")
        if number % 10 == 0:
            add(station.sta3n, "HOME BASED PRIMARY CARE", ("170",))  # no catalog stop code: reported
    return services, links
