"""Named partner failures: the codes reach the page, the consult factor text and the reports."""

from __future__ import annotations

from enum import StrEnum


class Partner(StrEnum):
    MVI = "mvi"
    EE = "ee"
    FACILITIES = "facilities"
    PPMS = "ppms"
    SEOC = "seoc"
    ROUTING = "routing"
    CDW = "cdw"


class FailureKind(StrEnum):
    TIMEOUT = "timeout"  # no answer within the partner's timeout
    UNAVAILABLE = "unavailable"  # connection refused, 5xx
    REJECTED = "rejected"  # 4xx: our request or our credentials were refused
    MALFORMED = "malformed"  # the answer did not parse or lacked required parts
    FAULT = "fault"  # SOAP fault or application-level error ack (MVI AR/AE)
    NOT_FOUND = "not-found"  # the person or record is not known to the partner
    MULTIPLE_MATCHES = "multiple-matches"  # MVI found more than one person
    NO_ADDRESS = "no-address"  # E&E has no usable residential address
    NO_GEOCODE = "no-geocode"  # the residence could not be placed on the map
    CIRCUIT_OPEN = "circuit-open"  # recent failures: DST is not calling the partner for a while
    MAINTENANCE = "maintenance"  # a scheduled maintenance window is open
    SKIPPED = "skipped"  # not called because an earlier step failed


class PartnerError(Exception):
    """A partner call that did not yield usable data. The message never carries PHI."""

    def __init__(self, partner: Partner, kind: FailureKind, message: str) -> None:
        super().__init__(message)
        self.partner = partner
        self.kind = kind
        self.message = message

    @property
    def code(self) -> str:
        """Stable code such as `MVI-TIMEOUT`, used in consult factor text and reports."""
        return f"{self.partner.value}-{self.kind.value}".upper()

    def __repr__(self) -> str:
        return f"PartnerError({self.code}: {self.message})"
