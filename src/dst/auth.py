"""Who is calling: a signed-in person (session) or a machine client (service token), with a role."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PROVIDER = "provider"
    SCHEDULER = "scheduler"  # VCCPE administrative staff
    REPORTING = "reporting"
    ADMIN = "admin"
    AUDITOR = "auditor"
    SERVICE = "service"  # machine clients: VistA, Consult Toolbox, scripts


DEMO_USERS: dict[Role, tuple[str, str]] = {
    Role.PROVIDER: ("demo.provider", "Demo Provider, MD"),
    Role.SCHEDULER: ("demo.scheduler", "Demo Scheduler"),
    Role.REPORTING: ("demo.analyst", "Demo Reporting Analyst"),
    Role.ADMIN: ("demo.admin", "Demo Administrator"),
    Role.AUDITOR: ("demo.auditor", "Demo Auditor"),
}

# Roles allowed to read or change a Veteran's DST record.
CLINICAL_ROLES = frozenset({Role.PROVIDER, Role.SCHEDULER, Role.SERVICE})


@dataclass(frozen=True)
class Principal:
    user_id: str
    display_name: str
    role: Role
    source_ip: str | None = None

    @property
    def is_machine(self) -> bool:
        return self.role is Role.SERVICE


def token_matches(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode(), expected.encode())
