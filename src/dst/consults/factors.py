"""Consult factor text: the `^`-joined `XXX-Label: value` lines VistA files as the consult comment.

Every code is documented in docs/consult-factors.md. Values are cleaned so no `^`, `|` or line break
from any source can split or inject a line in VistA, and no value can carry a token that steers
routine GMRCDST (the duplicate guard's `DST ID:` and `CSC-` tokens, the auto-forward tokens).

GMRCDST runs on every order event of a signed consult. Its duplicate guard (DUPID) reads the filed
comment lines in order; a `CSC-Consult primary stop code:` line sets EDATA, the first line holding
`DST ID:` with this ID stops the scan, and only counts as "already loaded" when EDATA was set before
it. So the CSC line comes first and the `DST ID:` line second, and a record without a saved decision
sends neither token: its comment must not stop a later event from fetching the real decision.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from dst.consults.models import Decision, DstRecord
from dst.eligibility import BMI_FACTORS, EligibilityResult
from dst.eligibility.models import ELIGIBLE, NOT_ELIGIBLE, PENDING_SCHEDULING, UNDETERMINED

UNSAFE = re.compile(r"[\^|\x00-\x1f\x7f]+")
# The strings GMRCDST looks for inside any comment line (`[` is M's "contains").
VISTA_TOKENS = ("DST ID:", "CSC-Consult primary stop code:", "DAF-DST Forwarding:", "AFD-DST Forward to")
_TOKEN = re.compile(
    "|".join(r"\s*".join(re.escape(word) for word in token.split()) for token in VISTA_TOKENS), re.IGNORECASE
)
OPTION_TEXT = {"tbd": "TBD/DEFERRED", "opt-in": "OPT-IN", "opt-out": "OPT-OUT"}
STATUS_TEXT = {"met": "MET", "not-met": "NOT MET", "unknown": "UNKNOWN"}
# The CCE value for each result state. PENDING is not UNKNOWN: nothing failed, wait time is simply
# decided later, by the scheduler (docs/consult-factors.md).
ELIGIBLE_TEXT = {
    ELIGIBLE: "YES",
    NOT_ELIGIBLE: "NO",
    PENDING_SCHEDULING: "PENDING - no criterion met at ordering; wait time is decided at scheduling",
    UNDETERMINED: "UNKNOWN",
}


@dataclass(frozen=True)
class Factor:
    code: str
    label: str


# The order here is the order of the lines.
CSC = Factor("CSC", "Consult primary stop code")
DST_ID = Factor("", "DST ID")
DSR = Factor("DSR", "DST record")
CLS = Factor("CLS", "Clinical service")
URG = Factor("URG", "Urgency")
FED = Factor("FED", "File entry date")
CCE = Factor("CCE", "Community care eligible")
ELB = Factor("ELB", "Eligibility basis")
ESC = Factor("ESC", "E&E eligibility codes")
DTE = Factor("DTE", "Drive time")
RES = Factor("RES", "Residence used for drive time")
WTE = Factor("WTE", "Wait time")
SWP = Factor("SWP", "Stat wait policy")
NAA = Factor("NAA", "Next available appointment")
VAL = Factor("VAL", "Veteran agreed to later date")
BMI = Factor("BMI", "Best medical interest")
BME = Factor("BME", "BMI explanation")
VCO = Factor("VCO", "Veteran community care option")
SEO = Factor("SEO", "SEOC")
DAF = Factor("DAF", "DST Forwarding")
AFD = Factor("AFD", "DST Forward to")
DER = Factor("DER", "DST partner errors")
STV = Factor("STV", "Access standards version")
DBY = Factor("DBY", "DST decision by")
DDT = Factor("DDT", "DST decision date")
DSS = Factor("DSS", "DST decision status")

ALL_FACTORS = (
    CSC,
    DST_ID,
    DSR,
    CLS,
    URG,
    FED,
    CCE,
    ELB,
    ESC,
    DTE,
    RES,
    WTE,
    SWP,
    NAA,
    VAL,
    BMI,
    BME,
    VCO,
    SEO,
    DAF,
    AFD,
    DER,
    STV,
    DBY,
    DDT,
    DSS,
)


def clean(value: object) -> str:
    """One safe ASCII line, whole: separators and control characters become spaces, and a token
    GMRCDST acts on loses its `-` and `:` so it reads as plain words.

    Values are never cut: VistA files each piece as one comment line whatever its length.
    """
    text = str(value).replace("\u2014", "-").replace("\u2013", "-").replace("\u2026", "...")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _TOKEN.sub(_defuse, UNSAFE.sub(" ", text))
    return " ".join(text.split())


def vista_token_in(text: str) -> str | None:
    """The first GMRCDST token the text holds, in any case or spacing, or None."""
    found = _TOKEN.search(text)
    return found.group(0) if found else None


def _defuse(match: re.Match[str]) -> str:
    return match.group(0).replace("-", " ").replace(":", " ")


def line(factor: Factor, value: object) -> str:
    if factor is DST_ID:
        return f"DST ID:{clean(value)}"
    return f"{factor.code}-{factor.label}: {clean(value)}"


def consult_factor_text(record: DstRecord, decision: Decision | None, *, as_asked: str | None = None) -> str:
    """The answer to VistA. `as_asked` is the ID exactly as VistA asked for it (see vista.py)."""
    if decision is None:
        return "^".join(unsaved_lines(record))
    return "^".join(consult_factor_lines(record, decision, as_asked=as_asked))


def unsaved_lines(record: DstRecord) -> list[str]:
    """A record opened but never saved: what it is about, and no token of the duplicate guard.

    Neither `CSC-` nor `DST ID:` is sent, so this comment cannot count as loaded data nor stop the
    guard's scan before a later comment's CSC line: VistA fetches again at the consult's next event
    and files the decision once one is saved. No eligibility is claimed.
    """
    service = record.clinical_service
    return [
        line(DSR, record.dst_id),
        line(CLS, service.name if service else record.consult_service),
        line(URG, record.urgency.upper()),
        line(FED, record.file_entry_date.isoformat()),
        line(
            DSS,
            "NOT SAVED - DST was opened for this consult but no decision was saved yet; "
            "VistA files the decision at the consult's next event once it is saved",
        ),
        line(DAF, "NO"),
    ]


def consult_factor_lines(record: DstRecord, decision: Decision, *, as_asked: str | None = None) -> list[str]:
    result = EligibilityResult.from_dict(decision.eligibility)
    lines = [
        line(CSC, decision.primary_stop_code),
        line(DST_ID, as_asked or record.dst_id),
        line(CLS, decision.clinical_service_name),
        line(URG, record.urgency.upper()),
        line(FED, record.file_entry_date.isoformat()),
        line(CCE, ELIGIBLE_TEXT[result.state]),
        line(ELB, ", ".join(c.upper() for c in result.basis) or "NONE"),
        line(ESC, _ee_codes(decision)),
        line(DTE, _criterion(result, "drive-time")),
        *[line(RES, text) for text in _residence(decision)],
        line(WTE, _criterion(result, "wait-time")),
        *[line(SWP, f"{STATUS_TEXT[p.status]} - {p.evidence} ({p.citation})") for p in result.policy],
    ]
    if decision.next_available_date:
        lines.append(line(NAA, decision.next_available_date.isoformat()))
    if decision.veteran_agreed_later_date:
        lines.append(line(VAL, decision.veteran_agreed_later_date.isoformat()))
    if decision.bmi_factor:
        lines.append(line(BMI, dict(BMI_FACTORS).get(decision.bmi_factor, decision.bmi_factor)))
        lines.append(line(BME, decision.bmi_explanation or ""))
    lines.append(line(VCO, OPTION_TEXT[decision.veteran_option]))
    if decision.seoc_id:
        lines.append(line(SEO, f"{decision.seoc_name} ({decision.seoc_id})"))
    lines.append(line(DAF, "YES" if decision.forward else "NO"))
    if decision.forward and decision.forward_to:
        lines.append(line(AFD, decision.forward_to))
    if decision.partner_errors:
        lines.append(line(DER, ", ".join(decision.partner_errors)))
    lines.append(line(STV, decision.standards_version))
    lines.append(line(DBY, f"{decision.decided_by} ({decision.decided_role})"))
    lines.append(line(DDT, _timestamp(decision.decided_at)))
    return lines


def _criterion(result: EligibilityResult, code: str) -> str:
    criterion = result.criterion(code)
    return f"{STATUS_TEXT[criterion.status]} - {criterion.evidence}"


def _residence(decision: Decision) -> list[str]:
    """Where the drive times start from; nothing for decisions saved before DST recorded it."""
    residence = decision.evidence.get("residence") or {}
    source, problem = residence.get("source"), residence.get("problem")
    # ISO date-times in the evidence; the day is enough in the comment.
    geocoded = (residence.get("geocodeDate") or "")[:10] or "on an unknown date"
    changed = (residence.get("addressChangeDate") or "")[:10] or "on an unknown date"
    if source == "zip-centroid":
        return ["ZIP CODE CENTROID - E&E had no geocode; drive time not decided from it"]
    if source != "ee-geocode":
        return []
    if problem == "stale-geocode":
        stale = f"STALE E&E GEOCODE - geocoded {geocoded}, address changed {changed}"
        return [f"{stale}; drive time not decided from it"]
    return [f"E&E GEOCODE of the residential address (geocoded {geocoded})"]


def _ee_codes(decision: Decision) -> str:
    codes = decision.evidence.get("eeCodes")
    if codes is None:
        return "NOT AVAILABLE"
    if not codes:
        return "NONE"
    return ", ".join(
        f"{c['code']} (effective {c['effectiveDate']})" if c.get("effectiveDate") else c["code"]
        for c in codes
    )


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def consult_text_snippet(dst_id: str) -> str:
    """What CTB places in Reason for Request (DESIGN §5)."""
    return f"DST ID:{dst_id}#"
