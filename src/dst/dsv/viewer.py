"""The viewer session's facts: which patient, from which EHR, for which user, until when."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from dst.auth import Principal, Role


@dataclass(frozen=True)
class Viewer:
    sid: str  # random id of this viewer session, tying its audit events together
    icn: str
    edipi: str
    patient_reference: str  # the EHR's own reference, e.g. Patient/12724066
    iss: str
    user: str  # fhirUser from the EHR's identity token
    station: str | None
    expires_at: float

    def principal(self, source_ip: str | None) -> Principal:
        # "Practitioner/123@ehr.example.org": the EHR's user reference, scoped by the EHR's host.
        who = "/".join(self.user.rstrip("/").split("/")[-2:])
        actor = f"{who}@{urlsplit(self.iss).netloc}"[:80]
        return Principal(actor, "EHR user (viewer)", Role.PROVIDER, source_ip)
