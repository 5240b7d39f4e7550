"""Staged rollout: is DST turned on at a station now? The most specific rule in force wins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from dst.audit.service import record_event
from dst.auth import Principal
from dst.errors import Invalid
from dst.operations.models import EnablementRule
from dst.reference.models import Station

SCOPES = ("station", "visn", "national")  # most specific first
BACKDATE_GRACE = timedelta(minutes=5)  # a rule "from now" typed a moment ago is not in the past


@dataclass(frozen=True)
class Standing:
    """Whether DST is on at a station, and which rule says so (None: the built-in national default)."""

    station: str
    enabled: bool
    rule: EnablementRule | None

    @property
    def because(self) -> str:
        if self.rule is None:
            return "enabled nationally by default"
        where = {"national": "nationally", "visn": f"for VISN {self.rule.scope_key}"}.get(
            self.rule.scope, f"for station {self.rule.scope_key}"
        )
        state = "enabled" if self.rule.enabled else "turned off"
        return f"{state} {where} from {self.rule.effective_from:%Y-%m-%d %H:%M} UTC"


def standing(session: Session, *, station: str, at: datetime) -> Standing:
    """DST's state at a station; an unknown station is reported by the caller, not here."""
    enabled, rule_id = _deciding(session, station, at)
    return Standing(station, enabled, session.get(EnablementRule, rule_id) if rule_id is not None else None)


def is_enabled(session: Session, *, station: str, at: datetime) -> bool:
    """Asked at every launch: the rules are read as plain rows, no rule object is loaded."""
    return _deciding(session, station, at)[0]


_RULES = cast(Table, EnablementRule.__table__).c
# One statement for every scope, built once; a station without a VISN asks for VISN "", which no
# rule has (check_scope accepts only VISNs that stations name).
_IN_FORCE = select(_RULES.id, _RULES.scope, _RULES.enabled, _RULES.effective_from).where(
    or_(
        and_(_RULES.scope == "station", _RULES.scope_key == bindparam("station")),
        and_(_RULES.scope == "visn", _RULES.scope_key == bindparam("visn")),
        and_(_RULES.scope == "national", _RULES.scope_key == ""),
    ),
    _RULES.effective_from <= bindparam("at"),
)


def _deciding(session: Session, station: str, at: datetime) -> tuple[bool, int | None]:
    """(enabled, the deciding rule's id): the latest rule in force of the most specific scope, or
    the built-in national default (True, None)."""
    row = session.get(Station, station)  # held by the launch's station check: usually no query
    visn = row.visn if row is not None and row.visn else ""
    rules = session.connection().execute(_IN_FORCE, {"station": station, "visn": visn, "at": at}).all()
    for scope in SCOPES:
        in_scope = [r for r in rules if r.scope == scope]
        if in_scope:
            rule = max(in_scope, key=lambda r: (r.effective_from, r.id))
            return rule.enabled, rule.id
    return True, None


def check_scope(session: Session, scope: str, key: str) -> str:
    """The normalized key of a scope, or Invalid naming what is wrong."""
    key = key.strip()
    if scope == "national":
        return ""
    if scope == "station":
        if session.get(Station, key) is None:
            raise Invalid(f"Station {key or '(blank)'} is not a known VA station number.", field="key")
        return key
    if scope == "visn":
        spellings = {key, key.lstrip("0"), key.zfill(2)} if key.isdigit() else {key}
        known = session.scalar(select(Station.visn).where(Station.visn.in_(spellings)).limit(1))
        if known is None:
            raise Invalid(f"VISN {key or '(blank)'} has no known stations.", field="key")
        return known
    raise Invalid("Scope must be station, visn or national.", field="scope")


def add_rule(
    session: Session,
    *,
    scope: str,
    key: str,
    enabled: bool,
    effective_from: datetime,
    note: str,
    principal: Principal,
    now: datetime,
    records_at: Callable[[Session, str, str], int],
) -> tuple[EnablementRule, int]:
    """Record a rule (audited) and return it with the count of existing records it leaves readable
    (`records_at(session, scope, key)`, from the records' owner, dst.consults.records)."""
    key = check_scope(session, scope, key)
    if effective_from < now - BACKDATE_GRACE:
        raise Invalid("The effective date is in the past; choose now or a later time.", field="effectiveFrom")
    rule = EnablementRule(
        scope=scope,
        scope_key=key,
        enabled=enabled,
        effective_from=effective_from,
        note=note.strip()[:200],
        created_by=principal.user_id,
        created_at=now,
    )
    session.add(rule)
    session.flush()
    kept = 0 if enabled else records_at(session, scope, key)
    record_event(
        session,
        principal=principal,
        action="set-enablement",
        station=key if scope == "station" else None,
        detail={
            "rule": rule.id,
            "scope": scope,
            "key": key,
            "enabled": enabled,
            "effectiveFrom": effective_from.isoformat(),
            "recordsKeptReadable": kept,
        },
    )
    return rule, kept


def history(session: Session, limit: int = 200) -> list[EnablementRule]:
    query = select(EnablementRule).order_by(EnablementRule.effective_from.desc(), EnablementRule.id.desc())
    return list(session.scalars(query.limit(limit)))


def turned_off_stations(session: Session, *, at: datetime) -> list[Standing]:
    """Every known station where DST is off now, for the console's summary."""
    if session.scalar(select(EnablementRule.id).where(EnablementRule.enabled.is_(False)).limit(1)) is None:
        return []  # the usual case: no rule ever turned DST off
    stations = session.scalars(select(Station.sta3n).order_by(Station.sta3n))
    standings = (standing(session, station=s, at=at) for s in stations)
    return [s for s in standings if not s.enabled]
