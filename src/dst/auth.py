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
    SERVICE = "service"  # DST_SERVICE_TOKEN: any machine client, as before per-client tokens
    VISTA = "vista"  # DST_VISTA_TOKEN: VistA GMRC reading consult factors
    CTB = "ctb"  # DST_CTB_TOKEN: Consult Toolbox (requires-dst counted, launches, records)
    SCRIPT = "script"  # DST_SCRIPTS_TOKEN: scripts and scheduled checks using the records API
    ADMIN_API = "admin-api"  # DST_ADMIN_API_TOKEN: automation of the operations console's API


DEMO_USERS: dict[Role, tuple[str, str]] = {
    Role.PROVIDER: ("demo.provider", "Demo Provider, MD"),
    Role.SCHEDULER: ("demo.scheduler", "Demo Scheduler"),
    Role.REPORTING: ("demo.analyst", "Demo Reporting Analyst"),
    Role.ADMIN: ("demo.admin", "Demo Administrator"),
    Role.AUDITOR: ("demo.auditor", "Demo Auditor"),
}

# Where the authenticate-first middleware leaves the caller it admitted (ASGI scope["state"]), so the
# audit of what a route then refuses names them.
CALLER_STATE = "dst.caller"
# The principal `require_principal` admitted in the authenticate-first middleware, so the route's own
# dependency does not compare the tokens again (scope["state"] is the request's alone).
REQUIRED_STATE = "dst.required-principal"

# Roles held by machine clients (a bearer token); sign-in never grants one.
MACHINE_ROLES = frozenset({Role.SERVICE, Role.VISTA, Role.CTB, Role.SCRIPT, Role.ADMIN_API})
PERSON_ROLES = tuple(r for r in Role if r not in MACHINE_ROLES)
# Roles allowed to read or change a Veteran's DST record.
CLINICAL_ROLES = frozenset({Role.PROVIDER, Role.SCHEDULER, Role.SERVICE, Role.CTB, Role.SCRIPT})
# Callers whose requires-dst questions count in reports and name unmapped services (docs/security.md).
COUNTED_CTB_ROLES = frozenset({Role.CTB, Role.SERVICE, Role.PROVIDER, Role.SCHEDULER})
# Each per-client token setting, the role it carries and the user id the audit trail shows.
CLIENT_TOKENS: dict[str, tuple[Role, str]] = {
    "vista_token": (Role.VISTA, "vista"),
    "ctb_token": (Role.CTB, "ctb"),
    "scripts_token": (Role.SCRIPT, "scripts"),
    "admin_api_token": (Role.ADMIN_API, "admin-api"),
}


@dataclass(frozen=True)
class Principal:
    user_id: str
    display_name: str
    role: Role
    source_ip: str | None = None

    @property
    def is_machine(self) -> bool:
        return self.role in MACHINE_ROLES


def token_matches(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode(), expected.encode())
