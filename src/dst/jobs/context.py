"""What a job receives (settings, sessions, partners, progress) and what it hands back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from dst.config import Settings
from dst.partners.gateway import PartnerGateway

MAX_NAMED_WARNINGS = 200  # the history names this many skipped records, then counts the rest


class JobError(Exception):
    """A job could not finish; the message is shown to operators in the history and the CLI."""


@dataclass
class JobOutcome:
    read: int = 0
    written: int = 0
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def named_warnings(self) -> list[str]:
        if len(self.warnings) <= MAX_NAMED_WARNINGS:
            return list(self.warnings)
        rest = len(self.warnings) - MAX_NAMED_WARNINGS
        return [*self.warnings[:MAX_NAMED_WARNINGS], f"… and {rest} more"]


# progress(done, total or None, what) — total None means the size is not known yet
Progress = Callable[[int, int | None, str], None]
GatewayOpener = Callable[[], AbstractAsyncContextManager[PartnerGateway]]


@dataclass
class JobContext:
    settings: Settings
    sessions: sessionmaker[Session]
    open_gateway: GatewayOpener
    report_progress: Progress
    heartbeat: Callable[[], None]

    def progress(self, done: int, total: int | None, what: str) -> None:
        """Report progress and keep the claim's lease alive (long jobs call this between batches)."""
        self.heartbeat()
        self.report_progress(done, total, what)


JobBody = Callable[[JobContext], Awaitable[JobOutcome]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    summary: str
    cron: str  # minute hour day-of-month month day-of-week, in UTC
    body: JobBody
