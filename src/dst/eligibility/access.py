"""Drive-time and wait-time criteria: can VA meet the 38 CFR 17.4040 access standard for this consult?"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Any, Final, NamedTuple

from dst.eligibility.models import (
    DECIDED_AT_SCHEDULING,
    MET,
    NOT_MET,
    UNKNOWN,
    CriterionResult,
    EligibilityInput,
    FacilityOption,
    iso_day,
    iso_or_none,
)
from dst.eligibility.standards import STAT_WAIT_POLICY, AccessStandard
from dst.reference.catalog import CareCategory

A4 = "38 CFR 17.4010(a)(4)"
ROUTING = "routing"
EE_GEOCODE = "ee-geocode"
ZIP_CENTROID = "zip-centroid"
CLOSED = "CLOSED"
LIMITED = "LIMITED"
# An estimated drive time (1.3 x straight-line miles at 50 mph) within this share of the standard
# either way does not decide drive time. The estimator's two assumptions can each be off: US detour
# indexes run about 1.2-1.4 (about 8% either side of 1.3) and door-to-door average speeds about
# 40-60 mph (20% either side of 50), so the road time may be 0.77 to 1.35 times the estimate.
# 30% either side of the standard covers that range (docs/eligibility.md).
ESTIMATE_MARGIN = 0.30
_MARGIN_PERCENT = round(ESTIMATE_MARGIN * 100)  # 30, as the details and the sentences give it
# Any drive source but "routing" (the straight-line estimator, or a source DST does not know) counts
# as an estimate.

CATEGORY_WORDS: dict[str, str] = {
    CareCategory.PRIMARY_CARE: "primary care",
    CareCategory.MENTAL_HEALTH: "mental health",
    CareCategory.EXTENDED_CARE: "non-institutional extended care",
    CareCategory.SPECIALTY: "specialty care",
}


def service_name(inp: EligibilityInput) -> str:
    return inp.clinical_service or "this clinical service"


def identify_first(inp: EligibilityInput) -> str:
    """What to do when MVI did not identify the Veteran: the fix is the identity, not E&E or the address."""
    if inp.identity_error in ("MVI-NOT-FOUND", "MVI-MULTIPLE-MATCHES"):
        return (
            "Search MVI again with the Veteran's name, date of birth and SSN (Veteran panel); if MVI still "
            "finds no one or more than one Veteran, report it to the Enterprise Service Desk for MVI."
        )
    return (
        "Reload DST to ask MVI again; if it keeps failing, report it to the Enterprise Service Desk for MVI."
    )


def minutes_text(minutes: float) -> str:
    if 0 < minutes < 1e15 and float(minutes).is_integer():
        return str(int(minutes))  # what f"{minutes:.0f}" gives for a whole number, without format()
    return f"{minutes:.0f}" if float(minutes).is_integer() else f"{minutes:.1f}"


_INF: Final = math.inf


class FacilityScan:
    """The facilities offering the service, split once into usable and unusable drive times."""

    # A plain class, not a NamedTuple: on CPython 3.11 building one takes about a third less time
    # (about 120 against 180 ns, timeit).
    offering_count: int
    usable: list[FacilityOption]  # sorted nearest first
    unusable: list[FacilityOption]  # sorted by id
    closed: tuple[FacilityOption, ...]  # Lighthouse shows them CLOSED: they never count
    limited: tuple[FacilityOption, ...]  # LIMITED: they count, with a warning

    def __init__(
        self,
        offering_count: int,
        usable: list[FacilityOption],
        unusable: list[FacilityOption],
        closed: tuple[FacilityOption, ...] = (),
        limited: tuple[FacilityOption, ...] = (),
    ) -> None:
        self.offering_count = offering_count
        self.usable = usable
        self.unusable = unusable
        self.closed = closed
        self.limited = limited


def scan_facilities(facilities: tuple[FacilityOption, ...] | None) -> FacilityScan | None:
    if facilities is None:
        return None
    usable: list[FacilityOption] = []
    unusable: list[FacilityOption] = []
    closed: list[FacilityOption] = []
    limited: list[FacilityOption] = []
    last: float | None = None  # the drive time of the last usable facility
    in_order = True  # usable so far in strictly increasing drive time: already sorted on every field
    for f in facilities:
        if not f.offers_service:
            continue
        if f.operating_status is not None:
            status = _status(f)
            if status == CLOSED:
                closed.append(f)
                continue
            if status == LIMITED:
                limited.append(f)
        minutes = f.drive_minutes
        # Exact types keep bools and strings out; the range test drops negatives, NaN and infinity.
        kind = type(minutes)
        if (kind is int or kind is float) and 0 <= minutes < _INF:  # type: ignore[operator]
            if last is not None and minutes <= last:  # type: ignore[operator]
                in_order = False
            last = minutes
            usable.append(f)
        else:
            unusable.append(f)
    if not in_order:  # facilities usually arrive nearest first; ties need the other fields
        usable.sort(key=_SORT_KEY)
    if len(unusable) > 1:
        unusable.sort(key=_unusable_key)
    if closed or limited:
        closed.sort(key=_unusable_key)
        limited.sort(key=_unusable_key)
    return FacilityScan(len(usable) + len(unusable), usable, unusable, tuple(closed), tuple(limited))


def _status(f: FacilityOption) -> str:
    status = f.operating_status
    return status.strip().upper() if isinstance(status, str) else ""


# Sorting usable facilities on every field keeps the answer and its wording the same whatever
# order they arrived in (drive_minutes is a real number here, never None).
_SORT_KEY = attrgetter("drive_minutes", "facility_id", "name", "drive_source")


def _unusable_key(f: FacilityOption) -> tuple[str, str, str]:
    return (f.facility_id, f.name, repr(f.drive_minutes))


def _describe(f: FacilityOption) -> str:
    status = _status(f) if f.operating_status is not None else ""
    note = f", operating status {status}" if status and status != "NORMAL" else ""
    return f"{f.name}, {minutes_text(float(f.drive_minutes or 0))} min drive ({f.drive_source}{note})"


def residence_problem(inp: EligibilityInput) -> tuple[str, str] | None:
    """Why the point drive times start from may not be the Veteran's home, as (code, sentence)."""
    if inp.residence_source is None:
        return None
    return residence_problem_of(inp.residence_source, inp.geocode_date, inp.address_change_date)


def residence_problem_of(
    source: str | None, geocode_date: datetime | None, address_change_date: datetime | None
) -> tuple[str, str] | None:
    if source == ZIP_CENTROID:
        return ZIP_CENTROID, (
            "E&E has no geocode for the residential address, so drive times were measured from the "
            "centre of its ZIP code, which can be miles from the Veteran's home"
        )
    if source == EE_GEOCODE and _older(geocode_date, address_change_date):
        geocoded, changed = _day(geocode_date), _day(address_change_date)
        return "stale-geocode", (
            f"E&E's geocode (dated {geocoded}) is older than the residential address change ({changed}), "
            "so it may still place the Veteran at a previous address"
        )
    return None


def _older(geocoded: datetime | None, changed: datetime | None) -> bool:
    if not isinstance(geocoded, datetime) or not isinstance(changed, datetime):
        return False
    if (geocoded.tzinfo is None) != (changed.tzinfo is None):
        geocoded, changed = geocoded.replace(tzinfo=None), changed.replace(tzinfo=None)
    return geocoded < changed


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if isinstance(moment, datetime) else "unknown"


class StandardWords(NamedTuple):
    """The evidence phrases for one access standard, worded once and reused for every consult."""

    drive_citation: str  # "38 CFR 17.4010(a)(4); 38 CFR 17.4040(a)(2)(i)"
    wait_citation: str
    rule: str  # "specialty care standard 60 min (38 CFR 17.4040(a)(2)(i))"
    within: str  # "within 60 min, the specialty care standard (38 CFR 17.4040(a)(2)(i))"


_WORDS: dict[int, tuple[AccessStandard, StandardWords]] = {}


def standard_words(standard: AccessStandard) -> StandardWords:
    cached = _WORDS.get(id(standard))
    if cached is not None and cached[0] is standard:
        return cached[1]
    category = CATEGORY_WORDS.get(standard.care_category, str(standard.care_category))
    minutes, cite = standard.drive_minutes, standard.drive_citation
    words = StandardWords(
        f"{A4}; {cite}",
        f"{A4}; {standard.wait_citation}",
        f"{category} standard {minutes} min ({cite})",
        f"within {minutes} min, the {category} standard ({cite})",
    )
    if len(_WORDS) > 64:
        _WORDS.clear()
    _WORDS[id(standard)] = (standard, words)
    return words


def drive_time(
    inp: EligibilityInput, scan: FacilityScan | None, standard: AccessStandard | None, no_standard: str
) -> CriterionResult:
    """Met when no VA facility offering the service is within the drive-time standard."""
    if standard is None:
        return CriterionResult("drive-time", UNKNOWN, no_standard, A4, {})
    words = standard_words(standard)
    citation = words.drive_citation
    if scan is None and inp.identity_error:
        text = (
            f"Drive times were not looked up because MVI did not identify the Veteran "
            f"({inp.identity_error}). {identify_first(inp)}"
        )
        return CriterionResult(
            "drive-time", UNKNOWN, text, citation, {"standard_minutes": standard.drive_minutes}
        )
    if scan is None:
        why = f" ({inp.facilities_error})" if inp.facilities_error else ""
        text = (
            f"Drive times to VA facilities are unavailable{why}. Retry the facility search; if it keeps "
            "failing, check the Veteran's residential address in the Enrollment System."
        )
        return CriterionResult(
            "drive-time", UNKNOWN, text, citation, {"standard_minutes": standard.drive_minutes}
        )
    usable, unusable = scan.usable, scan.unusable
    limit = standard.drive_minutes
    # usable is sorted nearest first, so the facilities within the standard are a prefix of it.
    within: list[FacilityOption] = []
    rows: list[dict[str, Any]] = []
    for f in usable:  # one pass, each drive time read once
        minutes = f.drive_minutes
        if minutes <= limit:  # type: ignore[operator]
            within.append(f)
        rows.append(
            {
                "facility_id": f.facility_id,
                "name": f.name,
                "drive_minutes": minutes,
                "drive_source": f.drive_source,
                "operating_status": f.operating_status,
            }
        )
    problem = residence_problem(inp)
    details: dict[str, Any] = {
        "standard_minutes": limit,
        "nearest": rows[0] if rows else None,
        "within_standard": rows[: len(within)],
        "out_of_standard": rows[len(within) :],
        "no_drive_time": [{"facility_id": f.facility_id, "name": f.name} for f in unusable],
        "closed": [{"facility_id": f.facility_id, "name": f.name} for f in scan.closed],
        "residence_source": inp.residence_source,
        "residence_problem": problem[0] if problem else None,
        "estimate_margin_percent": _MARGIN_PERCENT,
    }
    status, text, estimated = _drive_outcome(service_name(inp), words, limit, scan, within, problem)
    details["decided_on_estimate"] = estimated
    return CriterionResult("drive-time", status, text, citation, details)


def _drive_outcome(
    service: str,
    words: StandardWords,
    limit: int,
    scan: FacilityScan,
    within: list[FacilityOption],
    problem: tuple[str, str] | None,
) -> tuple[str, str, bool]:
    """(status, evidence, whether an estimate decided it)."""
    rule, within_words = words.rule, words.within
    usable, unusable = scan.usable, scan.unusable
    if problem is not None:
        nearest = f"nearest: {_describe(usable[0])}" if usable else "no VA facility offering it was found"
        text = (
            f"{problem[1]}; DST does not decide drive time from it (nor does VA's community care "
            "eligibility service). Ask the Enrollment System team to geocode the current residential "
            f"address, then reopen DST. For {service}, {nearest}; {rule}."
        )
        return UNKNOWN, text, False
    low, high = limit * (1 - ESTIMATE_MARGIN), limit * (1 + ESTIMATE_MARGIN)
    # A routed time within the standard, or an estimate well inside it, shows VA meets the standard.
    # (within is sorted nearest first, so the first such facility is the nearest one.)
    for f in within:
        if f.drive_source == ROUTING or f.drive_minutes <= low:  # type: ignore[operator]
            # "Within 30 minutes" includes exactly 30: a facility at the standard means VA meets it.
            text = f"Nearest VA facility offering {service}: {_describe(f)}; {rule}.{_estimate_note(f)}"
            return NOT_MET, text, f.drive_source != ROUTING
    near = next((f for f in usable if f.drive_source != ROUTING and f.drive_minutes <= high), None)  # type: ignore[operator]
    if near is not None:
        text = (
            f"The drive time to {_describe(near)} is a straight-line estimate within "
            f"{_MARGIN_PERCENT}% of the {limit}-minute standard, too close for an "
            f"estimate to decide ({rule}; 38 CFR 17.4040(b) calls for GIS software). Check the drive "
            "with a GIS routing tool, or ask a DST administrator to set up GIS routing for DST, then "
            "reopen DST."
        )
        return UNKNOWN, text, False
    if unusable:
        nearest = f"nearest with a drive time: {_describe(usable[0])}" if usable else "none has a drive time"
        text = (
            f"{_count(len(unusable))} offering {service} without a usable drive time could be "
            f"{within_words}; {nearest}. Retry the facility search or check the Veteran's residential "
            "address."
        )
        return UNKNOWN, text, False
    if usable:
        f = usable[0]
        nearest = f"nearest: {_describe(f)}.{_estimate_note(f)}"
        text = f"No VA facility offering {service} is {within_words}; {nearest}"
        return MET, text, f.drive_source != ROUTING
    return MET, f"No VA facility offering {service} was found near the Veteran's residence; {rule}.", False


def _estimate_note(f: FacilityOption) -> str:
    if f.drive_source == ROUTING:
        return ""
    percent = _MARGIN_PERCENT
    return (
        f" The drive time is a straight-line estimate, not a GIS routing (38 CFR 17.4040(b)); it is more "
        f"than {percent}% from the standard, so it decides."
    )


def drive_warnings(scan: FacilityScan | None) -> list[str]:
    """Facilities set aside for bad drive times, and decisions that rest on an estimate."""
    if scan is None:
        return []
    warnings = [
        f"Drive time to {f.name} ({f.facility_id}) is missing or invalid ({f.drive_minutes!r}); "
        "it was not used."
        for f in scan.unusable
    ]
    if scan.closed or scan.limited:
        warnings.extend(_status_warnings(scan))
    nearest = scan.usable[0] if scan.usable else None
    if nearest is not None and nearest.drive_source != ROUTING:
        warnings.append(
            f"The nearest drive time ({nearest.name}) is an {nearest.drive_source}, not a GIS routing; "
            "38 CFR 17.4040(b) calls for geographic information system software."
        )
    return warnings


def _status_warnings(scan: FacilityScan) -> list[str]:
    closed = [
        f"{f.name} ({f.facility_id}) offers the service but Lighthouse shows it CLOSED; it was not counted."
        for f in scan.closed
    ]
    limited = [
        f"{f.name} ({f.facility_id}) has operating status LIMITED in Lighthouse; it still counts toward "
        "VA meeting the drive-time standard. Confirm with the facility that it offers this care now."
        for f in scan.limited
    ]
    return closed + limited


def wait_time(
    inp: EligibilityInput, standard: AccessStandard | None, no_standard: str
) -> tuple[CriterionResult, date | None]:
    """Met when VA's next available appointment is after the wait-time eligibility date."""
    if standard is None:
        return CriterionResult("wait-time", UNKNOWN, no_standard, A4, {}), None
    words = standard_words(standard)
    return _wait_result(inp, standard.wait_days, standard.wait_citation, "wait-time", words.wait_citation)


def stat_wait_policy(inp: EligibilityInput, standard: AccessStandard | None) -> CriterionResult | None:
    """The VA policy wait limit for stat consults, judged like wait time but under its own basis code.

    None when no policy applies. Its citation is the policy, never 38 CFR 17.4010(a)(4) or 17.4040.
    """
    if standard is None or standard.policy_wait_days is None:
        return None
    basis = standard.policy_basis
    result, _ = _wait_result(inp, standard.policy_wait_days, basis, STAT_WAIT_POLICY, basis)
    return result


def _wait_result(
    inp: EligibilityInput, days: int, cite: str, code: str, citation: str
) -> tuple[CriterionResult, date | None]:
    """The wait limit of `days` days (its rule `cite`), judged and reported under `code`."""
    start = inp.file_entry_date
    if start is None or start > inp.as_of:
        text = _bad_start_text(inp, start)
        return CriterionResult(code, UNKNOWN, text, citation, {"standard_days": days}), None
    standard_date = start + _days(days)
    anchor, anchor_kind = _anchor(inp, standard_date)
    dates = _WaitDates(iso_day(start), iso_day(standard_date), iso_day(anchor), standard_date)
    details: dict[str, Any] = {
        "standard_days": days,
        "file_entry_date": dates.start,
        "standard_date": dates.standard,
        "wait_time_eligibility_date": dates.anchor,
        "anchor": anchor_kind,
        "next_available_date": iso_or_none(inp.next_available_date),
        "veteran_agreed_later_date": iso_or_none(inp.veteran_agreed_later_date),
        "clinically_indicated_date": iso_or_none(inp.clinically_indicated_date),
    }
    status, text = _wait_outcome(inp, days, cite, anchor, anchor_kind, dates)
    if status == UNKNOWN and inp.next_available_date is None:
        details["decided_at"] = DECIDED_AT_SCHEDULING
    return CriterionResult(code, status, text, citation, details), anchor


class _WaitDates:
    """The wait-time dates as ISO text, formatted once for both details and evidence."""

    start: str
    standard: str
    anchor: str
    standard_day: date  # file entry + standard days, as a date

    def __init__(self, start: str, standard: str, anchor: str, standard_day: date) -> None:
        self.start = start
        self.standard = standard
        self.anchor = anchor
        self.standard_day = standard_day


_DAY_SPANS: dict[int, timedelta] = {}


def _days(days: int) -> timedelta:
    """timedelta(days=days), made once per day count: building one with a keyword costs more."""
    span = _DAY_SPANS.get(days)
    if span is None:
        span = _DAY_SPANS[days] = timedelta(days=days)
    return span


def _bad_start_text(inp: EligibilityInput, start: date | None) -> str:
    if start is None:
        return (
            "The consult's file entry date is missing. The wait-time clock starts on the date of request "
            "(the file entry date, per VA OIG), not the clinically indicated date; reopen DST from the "
            "consult so the file entry date can be read."
        )
    return (
        f"The file entry date {start.isoformat()} is after today ({inp.as_of.isoformat()}), which "
        "cannot be right; check the consult's file entry date."
    )


def _anchor(inp: EligibilityInput, standard_date: date) -> tuple[date, str]:
    # The standard is "within N days of the date of request unless a later date has been agreed to by
    # the veteran": an agreed later date moves the limit, it does not switch the criterion off.
    agreed, cid = inp.veteran_agreed_later_date, inp.clinically_indicated_date
    if agreed is not None and agreed > standard_date:
        return agreed, "veteran-agreed"
    if cid is not None and cid > standard_date:
        return cid, "clinically-indicated"
    return standard_date, "file-entry"


def _limit_text(days: int, cite: str, kind: str, dates: _WaitDates) -> str:
    if kind == "veteran-agreed":
        return (
            f"later date {dates.anchor} the Veteran agreed to in consultation with the VA provider "
            f"(the {days}-day date was {dates.standard}; {cite})"
        )
    if kind == "clinically-indicated":
        return (
            f"clinically indicated date {dates.anchor}, if the Veteran agreed to it as a later date "
            f"(otherwise the {days}-day date {dates.standard}; {cite})"
        )
    unit = "day" if days == 1 else "days"
    return f"wait-time eligibility date {dates.anchor} ({days} {unit} from file entry {dates.start}, {cite})"


def _wait_outcome(
    inp: EligibilityInput, days: int, cite: str, anchor: date, kind: str, dates: _WaitDates
) -> tuple[str, str]:
    limit = _limit_text(days, cite, kind, dates)
    available = inp.next_available_date
    if available is None:
        return UNKNOWN, (
            "No next available VA appointment is recorded yet, so wait time is decided at scheduling: "
            "the scheduler records VA's next available appointment at a facility within the drive-time "
            f"standard and compares it with the {limit}."
        )
    if inp.file_entry_date is not None and available < inp.file_entry_date:
        return UNKNOWN, (
            f"The next available appointment {iso_day(available)} is before the file entry date "
            f"{dates.start}; re-enter the next available appointment."
        )
    if available > anchor:
        return MET, f"VA's next available appointment {iso_day(available)} is after the {limit}."
    if kind == "clinically-indicated" and available > dates.standard_day:
        # Only the Veteran's agreement can move the limit to the CID, and none is recorded: the
        # answer turns on it, so it stays unknown rather than becoming a silent "no".
        return UNKNOWN, (
            f"VA's next available appointment {iso_day(available)} is after the {days}-day "
            f"date {dates.standard} but not after the clinically indicated date {dates.anchor}. If the "
            f"Veteran agreed to that later date VA meets the limit; if not, VA does not meet it "
            f"({cite}). Record whether the Veteran agreed to the later date."
        )
    return NOT_MET, f"VA's next available appointment {iso_day(available)} is on or before the {limit}."


def agreed_date_warnings(inp: EligibilityInput, standard: AccessStandard | None) -> list[str]:
    """An agreed date that cannot do what it is recorded for: say so beside the answer."""
    agreed, start = inp.veteran_agreed_later_date, inp.file_entry_date
    if agreed is None or standard is None or start is None:
        return []
    days = standard.wait_days
    standard_date = start + timedelta(days=days)
    warnings = []
    if agreed <= standard_date:
        warnings.append(
            f"The date the Veteran agreed to ({agreed.isoformat()}) is not later than the {days}-day "
            f"date {standard_date.isoformat()} (file entry date {start.isoformat()} plus {days} days), "
            "so it does not move the wait-time limit: only a later date the Veteran agrees to does "
            f"({standard.wait_citation})."
        )
    available = inp.next_available_date
    if available is not None and agreed < available:
        warnings.append(
            f"The date the Veteran agreed to ({agreed.isoformat()}) is before VA's next available "
            f"appointment ({iso_day(available)}): VA has no appointment on that date, so check with "
            "the Veteran which date they agreed to."
        )
    return warnings


def _count(n: int) -> str:
    return "1 VA facility" if n == 1 else f"{n} VA facilities"
