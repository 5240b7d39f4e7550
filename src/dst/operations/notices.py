"""The words of the banners: upcoming and open maintenance, and partner outages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dst.operations.models import WHOLE_DST, MaintenanceWindow, PartnerOutage
from dst.operations.outages import PARTNER_NAMES, STILL_WORKS
from dst.partners.errors import Partner

WHOLE_DST_STILL_WORKS = (
    "VistA still receives the consult factor text of decisions already saved, and consults can be "
    "ordered without DST."
)


@dataclass(frozen=True)
class Notice:
    kind: str  # maintenance-upcoming | maintenance | outage
    target: str  # a Partner value, or "dst" for the whole tool
    level: str  # the alert style: info or warning
    title: str
    text: str


def target_name(target: str) -> str:
    return "DST" if target == WHOLE_DST else PARTNER_NAMES[Partner(target)]


def _when(moment: datetime) -> str:
    return f"{moment:%a %d %b %Y %H:%M} UTC"


def maintenance_notice(window: MaintenanceWindow, now: datetime) -> Notice:
    name = target_name(window.target)
    still = WHOLE_DST_STILL_WORKS if window.target == WHOLE_DST else STILL_WORKS[Partner(window.target)]
    if window.starts_at <= now:
        return Notice(
            "maintenance",
            window.target,
            "warning",
            f"Maintenance in progress: {name}, until {_when(window.ends_at)}.",
            f"{window.message} {still}",
        )
    return Notice(
        "maintenance-upcoming",
        window.target,
        "info",
        f"Scheduled maintenance: {name}, from {_when(window.starts_at)} to {_when(window.ends_at)}.",
        f"{window.message} {still}",
    )


def outage_notices(outages: list[PartnerOutage], maintained: set[str]) -> list[Notice]:
    """One notice per partner that is down, from its earliest report; maintenance already says so."""
    first: dict[str, PartnerOutage] = {}
    for row in sorted(outages, key=lambda r: r.started_at):
        first.setdefault(row.partner, row)
    notices = []
    for partner, row in first.items():
        if partner in maintained:
            continue
        notices.append(
            Notice(
                "outage",
                partner,
                "warning",
                f"{PARTNER_NAMES[Partner(partner)]} is not answering (since {_when(row.started_at)}).",
                STILL_WORKS[Partner(partner)],
            )
        )
    return notices


def compose(windows: list[MaintenanceWindow], outages: list[PartnerOutage], now: datetime) -> list[Notice]:
    maintenance = [maintenance_notice(w, now) for w in windows]
    maintained = {n.target for n in maintenance if n.kind == "maintenance"}
    return maintenance + outage_notices(outages, maintained)
