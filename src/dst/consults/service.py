"""DST records: create or reopen from a consult context, find, save decisions (the caller commits)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from dst.auth import Principal, Role
from dst.consults.context import ReferenceSnapshots
from dst.consults.evidence import Assessment
from dst.consults.models import Decision, DstRecord
from dst.consults.schemas import ConsultContext, DecisionIn
from dst.db.base import adopt, utcnow
from dst.db.engine import insert_for
from dst.eligibility import BMI_FACTORS
from dst.errors import Conflict, IdentityConflict, Invalid, NotFound
from dst.reference import service as reference
from dst.reference.models import ClinicalService, SeocEntry

MAX_FUTURE_DAYS = 730


def new_dst_id() -> str:
    """128 random bits in base32: URL-safe, no spaces, no `#`, no `--`, survives upper-casing."""
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")


def get_record(session: Session, dst_id: str) -> DstRecord:
    record = session.scalar(
        select(DstRecord)
        .where(DstRecord.dst_id == dst_id)
        .options(
            selectinload(DstRecord.decisions), selectinload(DstRecord.clinical_service).selectinload("*")
        )
    )
    if record is None:
        raise not_found(dst_id)
    return record


def not_found(dst_id: str) -> NotFound:
    return NotFound(
        f"No DST record has the ID {dst_id!r}. It may have been purged 30 days after its last update."
    )


def resolve_service(session: Session, ctx: ConsultContext, snapshots: ReferenceSnapshots) -> ClinicalService:
    """The record's clinical service: the one named, else the consult service's mapping, found in
    Core statements and taken from the snapshots' held copy (merged into `session`)."""
    if ctx.clinical_service:
        chosen_id = reference.clinical_service_id_by_name(session, ctx.clinical_service)
        chosen = snapshots.clinical_service(session, chosen_id) if chosen_id is not None else None
        if chosen is None:
            raise Invalid(
                f"{ctx.clinical_service!r} is not an official clinical service name.", field="clinicalService"
            )
        return chosen
    chosen_id = reference.consult_service_target(session, station=ctx.station, name=ctx.consult_service)
    chosen = snapshots.clinical_service(session, chosen_id) if chosen_id is not None else None
    if chosen is None:
        raise UnmappedService(
            f"The consult service {ctx.consult_service!r} is not mapped to a clinical service at station "
            f"{ctx.station}. Send clinicalService with the official clinical service name "
            "(GET /api/v1/clinical-services lists them).",
            field="consultService",
        )
    return chosen


class UnmappedService(Invalid):
    """Raised with the name; the caller records it for the administrators' unmapped list."""


def check_context(session: Session, ctx: ConsultContext, today: date, snapshots: ReferenceSnapshots) -> None:
    if not snapshots.known_station(session, ctx.station):
        raise Invalid(f"Station {ctx.station} is not a known VA station number.", field="station")
    if ctx.file_entry_date > today + timedelta(days=1):
        raise Invalid(f"fileEntryDate {ctx.file_entry_date} is in the future.", field="fileEntryDate")


class Opened(NamedTuple):
    record: DstRecord
    created: bool
    filled: list[str]  # identifiers a reopen added to a record that lacked them


def lock_record(session: Session, dst_id: str) -> None:
    """Hold the record's row until the transaction ends (SELECT … FOR UPDATE; SQLite writes one at a
    time anyway and renders no lock)."""
    session.execute(select(DstRecord.dst_id).where(DstRecord.dst_id == dst_id).with_for_update())


def open_record(
    session: Session,
    ctx: ConsultContext,
    principal: Principal,
    today: date,
    *,
    turned_on: Callable[[Session, str], bool],
    snapshots: ReferenceSnapshots,
) -> Opened:
    """Reopen the record for this station and consult number, or create one where `turned_on(session,
    station)` says DST is on (the staged rollout, dst.operations.enablement, asked by the workflow).

    A reopen that names another Veteran raises IdentityConflict and changes nothing (see
    `reconcile_identity`).
    """
    check_context(session, ctx, today, snapshots)
    service = resolve_service(session, ctx, snapshots)
    existing = _find_by_consult(session, ctx)
    if existing is not None:
        return Opened(existing, False, _refresh_context(existing, ctx, service))
    if not turned_on(session, ctx.station):
        raise Conflict(
            f"DST is turned off at station {ctx.station}, so no DST record was created. Existing records "
            "stay readable; order the consult without DST or ask the DST administrators."
        )
    values = {
        "station": ctx.station,
        "dfn": ctx.dfn,
        "icn": ctx.icn,
        "consult_service": ctx.consult_service,
        "clinical_service_id": service.id if service is not None else None,
        "urgency": ctx.urgency,
        "clinically_indicated_date": ctx.clinically_indicated_date,
        "file_entry_date": ctx.file_entry_date,
        "consult_number": ctx.consult_number,
        "order_number": ctx.order_number,
        "signed": ctx.signed,
        "launched_by": principal.user_id,
        "version": 1,
    }
    record, created = _insert_new(session, values, ctx)
    if not created:
        # Another launch for the same consult won the race: reopen theirs, under the same rules.
        return Opened(record, False, _refresh_context(record, ctx, service))
    # A new record has no decisions and the service it was given: reading them back needs no query.
    set_committed_value(record, "decisions", [])
    set_committed_value(record, "clinical_service", service)
    return Opened(record, True, [])


def _insert_new(session: Session, values: dict[str, Any], ctx: ConsultContext) -> tuple[DstRecord, bool]:
    """The new record and True, or the record another launch made for the consult meanwhile and
    False: one INSERT ... ON CONFLICT DO NOTHING ... RETURNING, where catching the unique violation
    would need a savepoint around it (two more round trips on PostgreSQL). A clash of random DST
    IDs (128 bits) is drawn again."""
    statement = _CREATE[session.get_bind().dialect.name == "postgresql"]
    for _ in range(3):
        created = session.connection().execute(statement, {"dst_id": new_dst_id(), **values}).first()
        if created is not None:
            return adopt(session, DstRecord, created), True
        existing = _find_by_consult(session, ctx)
        if existing is not None:
            return existing, False
    raise RuntimeError("DST could not create a record: every DST ID it drew was taken")


def find_by_consult(session: Session, ctx: ConsultContext) -> DstRecord | None:
    """The record a launch with this context would reopen, if any."""
    return _find_by_consult(session, ctx)


def _find_by_consult(session: Session, ctx: ConsultContext) -> DstRecord | None:
    if not ctx.consult_number:
        return None
    found = (
        session.connection()
        .execute(_BY_CONSULT, {"station": ctx.station, "consult_number": ctx.consult_number})
        .first()
    )
    return adopt(session, DstRecord, found) if found is not None else None


# Core statements built once (their compiled forms are cached), the rows adopted as ORM objects:
# the ORM's own INSERT … RETURNING and SELECT of a record cost several times the statement.
_RECORDS = cast(Table, DstRecord.__table__)
_CREATE = {
    postgres: insert_for(postgres, _RECORDS).on_conflict_do_nothing().returning(*_RECORDS.c)
    for postgres in (False, True)
}
_BY_CONSULT = select(*_RECORDS.c).where(
    _RECORDS.c.station == bindparam("station"), _RECORDS.c.consult_number == bindparam("consult_number")
)


IDENTIFIERS = ("icn", "dfn")


def identity_problem(record: DstRecord, ctx: ConsultContext) -> IdentityConflict | None:
    """Does the context name the record's Veteran? None when it does (or cannot contradict it).

    - An identifier both sides have must be equal; any difference is a conflict.
    - An identifier the caller omits is not compared and stays as it is.
    - An identifier the record lacks may be filled in only when another identifier the caller sent
      matches the record's: a DFN-only record accepts the ICN from a launch that carries the same DFN,
      but not from one that sends the ICN alone, since nothing then shows it is the same Veteran.
    """
    sent: dict[str, str | None] = {"icn": ctx.icn, "dfn": ctx.dfn}
    held: dict[str, str | None] = {"icn": record.icn, "dfn": record.dfn}
    differing = [name for name in IDENTIFIERS if sent[name] and held[name] and sent[name] != held[name]]
    matching = [name for name in IDENTIFIERS if sent[name] and held[name] == sent[name]]
    unconfirmed = [name for name in IDENTIFIERS if sent[name] and not held[name]]
    where = f"Consult {record.consult_number} at station {record.station}"
    if differing:
        detail = (
            f"{where} already has a DST record for another Veteran: the {_names(differing)} sent "
            f"{'does' if len(differing) == 1 else 'do'} not match the record's. DST never changes who a "
            "record is about, so nothing was opened or changed. Check the patient selected in CPRS and "
            "the consult number; a consult for another Veteran needs its own consult number."
        )
        fields = differing
    elif unconfirmed and not matching:
        needed = _names([name for name in IDENTIFIERS if held[name]])
        detail = (
            f"{where} has a DST record that identifies its Veteran by {needed} only, and this request "
            f"did not send the {needed}, so DST cannot confirm that the {_names(unconfirmed)} sent "
            f"belongs to the same Veteran. Nothing was opened or changed. Send the {needed} as well."
        )
        fields = unconfirmed
    else:
        return None
    return IdentityConflict(
        detail,
        fields=fields,
        dst_id=record.dst_id,
        station=record.station,
        record_identity=held,
        sent_identity=sent,
    )


def _names(fields: list[str]) -> str:
    return " and ".join(name.upper() for name in fields)


def _fill_identity(record: DstRecord, ctx: ConsultContext) -> list[str]:
    """Add identifiers the record lacks (identity_problem has confirmed them); never replace one."""
    problem = identity_problem(record, ctx)
    if problem is not None:
        raise problem
    if record.released_to_hsrm:
        return []  # read-only: a missing identifier stays missing
    filled: list[str] = []
    for name in IDENTIFIERS:
        value = getattr(ctx, name)
        if value and not getattr(record, name):
            setattr(record, name, value)
            filled.append(name)
    return filled


def _refresh_context(record: DstRecord, ctx: ConsultContext, service: ClinicalService) -> list[str]:
    """CPRS is the source of the consult context; the user's entries and the Veteran stay as they were."""
    filled = _fill_identity(record, ctx)
    changed = {
        "signed": record.signed != ctx.signed and ctx.signed,
        "order": ctx.order_number is not None and record.order_number != ctx.order_number,
        "identity": bool(filled),
    }
    record.signed = record.signed or ctx.signed
    record.order_number = ctx.order_number or record.order_number
    if record.clinical_service_id is None:
        record.clinical_service = service
        changed["service"] = True
    if any(changed.values()):
        record.version += 1
        record.updated_at = utcnow()
    return filled


def set_clinical_service(
    session: Session, record: DstRecord, name: str, expected_version: int | None
) -> None:
    service = reference.clinical_service_by_name(session, name)
    if service is None:
        raise Invalid(f"{name!r} is not an official clinical service name.", field="clinicalService")
    _bump_version(session, record, expected_version)
    record.clinical_service = service


def _bump_version(session: Session, record: DstRecord, expected: int | None) -> None:
    """Conditional UPDATE: of two saves based on the same version, exactly one wins."""
    base = expected if expected is not None else record.version
    result = session.execute(
        update(DstRecord)
        .where(DstRecord.id == record.id, DstRecord.version == base)
        .values(version=base + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(record)
        raise Conflict(_stale_message(record, base))
    session.refresh(record)


def _stale_message(record: DstRecord, base: int) -> str:
    latest = record.decision
    who = f" by {latest.decided_by} at {latest.decided_at:%Y-%m-%d %H:%M} UTC" if latest else ""
    what = ""
    if latest is not None:
        what = (
            f" The saved decision now reads: Veteran option {latest.veteran_option}, "
            f"SEOC {latest.seoc_id or 'none'}, forward {'yes' if latest.forward else 'no'}"
            f"{' to ' + latest.forward_to if latest.forward and latest.forward_to else ''}."
        )
    return (
        f"This DST record changed after you opened it (your version {base}, now version {record.version})"
        f"{who}.{what} Reload the record, review the changes and save again."
    )


def save_decision(
    session: Session,
    record: DstRecord,
    body: DecisionIn,
    principal: Principal,
    assessment: Assessment,
    *,
    today: date,
    expected_version: int | None,
) -> Decision:
    """Validate the decision against the rules of the original tool and record it as a new revision."""
    if record.released_to_hsrm:
        raise Conflict("This consult was released to HSRM (ICR factor); its DST record is read-only.")
    service = record.clinical_service
    if service is None:
        raise Invalid("Choose the clinical service before saving the decision.", field="clinicalService")
    result = assessment.result
    _check_scheduler_fields(record, body, principal, today)
    seoc = _check_seoc(session, record, body, basic_ineligible=result.basic_ineligible)
    forward_to = _check_forwarding(session, record, body, basic_ineligible=result.basic_ineligible)
    _check_bmi(record, body, bmi_offered=result.bmi_offered, basic_ineligible=result.basic_ineligible)
    _bump_version(session, record, expected_version)
    decision = Decision(
        record=record,
        revision=len(record.decisions) + 1,
        veteran_option=body.veteran_option,
        seoc_id=seoc.seoc_id if seoc else None,
        seoc_name=seoc.name if seoc else None,
        forward=body.forward,
        forward_to=forward_to,
        bmi_factor=body.bmi.factor if body.bmi else None,
        bmi_explanation=body.bmi.explanation if body.bmi else None,
        next_available_date=body.next_available_date,
        veteran_agreed_later_date=body.veteran_agreed_later_date,
        **_agreement_witness(record, body, principal),
        clinical_service_name=service.name,
        primary_stop_code=service.primary_stop_code,
        eligibility=result.to_dict(),
        evidence=assessment.evidence,
        partner_errors=list(assessment.partner_errors),
        standards_version=result.standards_version,
        decided_by=principal.display_name,
        decided_role=principal.role.value,
        decided_at=utcnow(),
    )
    session.add(decision)
    session.flush()
    return decision


def _agreement_witness(record: DstRecord, body: DecisionIn, principal: Principal) -> dict[str, Any]:
    """Keep the first witness while the agreed date stands; a new date is a new agreement."""
    agreed = body.veteran_agreed_later_date
    if agreed is None:
        return {"agreement_recorded_by": None, "agreement_recorded_at": None}
    earlier = record.decision
    if earlier is not None and earlier.veteran_agreed_later_date == agreed and earlier.agreement_recorded_by:
        return {
            "agreement_recorded_by": earlier.agreement_recorded_by,
            "agreement_recorded_at": earlier.agreement_recorded_at,
        }
    return {"agreement_recorded_by": principal.display_name, "agreement_recorded_at": utcnow()}


def _check_scheduler_fields(record: DstRecord, body: DecisionIn, principal: Principal, today: date) -> None:
    scheduling = {
        "nextAvailableDate": body.next_available_date,
        "veteranAgreedLaterDate": body.veteran_agreed_later_date,
    }
    given = [name for name, value in scheduling.items() if value is not None]
    if given and principal.role not in (Role.SCHEDULER, Role.SERVICE):
        raise Invalid(
            f"Only scheduling staff (VCCPE administrative workflow) record {', '.join(given)}.",
            field=given[0],
        )
    for name, value in scheduling.items():
        if value is None:
            continue
        if value < record.file_entry_date:
            raise Invalid(
                f"{name} {value} is before the consult's file entry date {record.file_entry_date}.",
                field=name,
            )
        if value > today + timedelta(days=MAX_FUTURE_DAYS):
            raise Invalid(f"{name} {value} is more than two years ahead; check the date.", field=name)
    _check_agreed_before_available(body)


def _check_agreed_before_available(body: DecisionIn) -> None:
    """An agreed date before VA's next available appointment is most often a typing slip: it makes
    wait time met (VA cannot schedule even by the agreed date), so it is saved only once confirmed."""
    agreed, available = body.veteran_agreed_later_date, body.next_available_date
    if agreed is None or available is None or agreed >= available or body.agreed_date_confirmed:
        return
    raise Invalid(
        f"The date the Veteran agreed to ({agreed}) is before VA's next available appointment "
        f"({available}), so VA has no appointment on it and wait time would be met. Check both dates "
        "with the Veteran; if the Veteran did agree to that date, tick the confirmation and save again.",
        field="veteranAgreedLaterDate",
    )


def _check_seoc(
    session: Session, record: DstRecord, body: DecisionIn, *, basic_ineligible: bool
) -> SeocEntry | None:
    assert record.clinical_service is not None
    if body.seoc_id is None:
        if body.veteran_option in ("tbd", "opt-in") and not basic_ineligible:
            raise Invalid(
                "A SEOC is required when the Veteran's option is TBD/deferred or opt-in.", field="seocId"
            )
        return None
    seoc = session.get(SeocEntry, body.seoc_id)
    if seoc is None:
        raise Invalid(
            f"SEOC {body.seoc_id!r} is not an active SEOC. GET /api/v1/dst/{record.dst_id}/seocs lists "
            "the SEOCs for this clinical service.",
            field="seocId",
        )
    categories = record.clinical_service.seoc_categories
    if categories and seoc.category_of_care not in categories:
        raise Invalid(
            f"SEOC {seoc.seoc_id} ({seoc.category_of_care}) is not a SEOC for "
            f"{record.clinical_service.name}.",
            field="seocId",
        )
    return seoc


def _check_forwarding(
    session: Session, record: DstRecord, body: DecisionIn, *, basic_ineligible: bool
) -> str | None:
    assert record.clinical_service is not None
    if not body.forward:
        if body.forward_to:
            raise Invalid(
                "forwardTo is given but forward is false; set forward to true or leave forwardTo out.",
                field="forwardTo",
            )
        return None
    if basic_ineligible:
        raise Invalid(
            "The Veteran lacks basic community care eligibility (E&E code X): the record can only "
            "document that; the consult cannot be forwarded to community care.",
            field="forward",
        )
    if body.veteran_option == "opt-out":
        raise Invalid(
            "The Veteran opted out of community care, so the consult cannot be forwarded to it.",
            field="forward",
        )
    if body.seoc_id is None:
        raise Invalid("Choose a SEOC before forwarding the consult to community care.", field="seocId")
    target = body.forward_to or reference.default_forward_target(
        session, station=record.station, clinical_service=record.clinical_service
    )
    target = " ".join(target.upper().split())
    if not target.startswith(reference.COMMUNITY_CARE_PREFIX):
        raise Invalid(
            f"The forwarding target {target!r} must be a community care consult service "
            f"(its name begins with {reference.COMMUNITY_CARE_PREFIX!r}).",
            field="forwardTo",
        )
    known = reference.community_care_services(session, record.station)
    if known and target not in known:
        raise Invalid(
            f"{target!r} is not a consult service at station {record.station}; VistA could not "
            f"forward to it. Known community care services: {', '.join(known)}.",
            field="forwardTo",
        )
    return target


def _check_bmi(record: DstRecord, body: DecisionIn, *, bmi_offered: bool, basic_ineligible: bool) -> None:
    if body.bmi is None:
        return
    if body.bmi.factor not in dict(BMI_FACTORS):
        raise Invalid(
            f"{body.bmi.factor!r} is not a best-medical-interest factor. Use one of: "
            f"{', '.join(code for code, _ in BMI_FACTORS)}.",
            field="bmi.factor",
        )
    previous = record.decision
    unchanged = previous is not None and (previous.bmi_factor, previous.bmi_explanation) == (
        body.bmi.factor,
        body.bmi.explanation,
    )
    if unchanged:
        return  # a BMI recorded before signing stays, read-only
    if basic_ineligible:
        raise Invalid(
            "Best medical interest cannot be recorded for a Veteran without basic community care "
            "eligibility.",
            field="bmi",
        )
    if record.signed:
        raise Invalid("Best medical interest can only be recorded before the consult is signed.", field="bmi")
    if not bmi_offered:
        raise Invalid(
            "Best medical interest is only recorded when the Veteran is not otherwise eligible; this "
            "Veteran is already eligible on another criterion.",
            field="bmi",
        )
