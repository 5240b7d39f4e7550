"""The Load_Facilities and Load_SEOC jobs: every page read first, then one all-or-nothing write."""

from __future__ import annotations

from dst.db.engine import transaction
from dst.jobs.context import JobContext, JobError, JobOutcome
from dst.jobs.loads import LoadReport, store_facilities, store_seocs
from dst.partners.errors import PartnerError
from dst.partners.gateway import PartnerGateway
from dst.partners.types import FacilityRecord


async def load_facilities(context: JobContext) -> JobOutcome:
    """Lighthouse Facilities v1, every page; a failure on any page keeps yesterday's facilities."""
    async with context.open_gateway() as gateway:
        try:
            records, report, missing = await _read_every_page(context, gateway)
        except PartnerError as error:
            raise JobError(
                f"Lighthouse Facilities failed while paging; previous facilities kept: {error}"
            ) from error
    if not records:
        raise JobError("Lighthouse Facilities listed no readable facility; previous facilities kept")
    with transaction(context.sessions) as session:
        store_facilities(session, records, report)
    outcome = JobOutcome(report.read, report.written, [f"skipped facility {s}" for s in report.skipped])
    outcome.warnings.extend(f"no wait times for facility {f} (its /services call failed)" for f in missing)
    return outcome


async def _read_every_page(
    context: JobContext, gateway: PartnerGateway
) -> tuple[list[FacilityRecord], LoadReport, list[str]]:
    report = LoadReport()
    records: list[FacilityRecord] = []
    missing: list[str] = []
    async for page in gateway.facility_pages():
        records.extend(page.records)
        report.read += len(page.records) + len(page.skipped)
        report.skipped.extend(f"{s.facility_id or '?'}: {s.reason}" for s in page.skipped)
        missing.extend(page.wait_times_missing)
        context.progress(page.number, page.total_pages, f"facility pages ({len(records)} facilities)")
    return records, report, missing


async def load_seocs(context: JobContext) -> JobOutcome:
    """Active SEOCs; a malformed record is skipped and named, an unreadable answer keeps the old list."""
    async with context.open_gateway() as gateway:
        try:
            listing = await gateway.active_seoc_listing()
        except PartnerError as error:
            raise JobError(f"SEOC service failed; previous SEOCs kept: {error}") from error
    if not listing.seocs:
        raise JobError("the SEOC service listed no active SEOC; previous SEOCs kept")
    report = LoadReport(read=len(listing.seocs) + len(listing.skipped))
    with transaction(context.sessions) as session:
        store_seocs(session, listing.seocs, report)
    context.progress(report.written, report.written, "SEOCs stored")
    return JobOutcome(report.read, report.written, [f"skipped SEOC {s}" for s in listing.skipped])
