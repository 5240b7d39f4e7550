"""What the workflows need from the running app, handed to them explicitly instead of a web request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from dst.audit.batch import AuditBatcher
from dst.consults.context import ReferenceSnapshots
from dst.consults.panels import Panels
from dst.db.threads import in_transaction

T = TypeVar("T")


@dataclass(frozen=True)
class Runtime:
    """The database, the partner panels, the reference snapshots, the group-committed audit and the
    calendar: built once by the app factory, given to each route through `web.deps.RuntimeDep`."""

    sessions: sessionmaker[Session]
    panels: Panels
    snapshots: ReferenceSnapshots
    audit: AuditBatcher
    today: Callable[[], date] = field(default=date.today)

    async def transaction(self, work: Callable[[Session], T], *, read_only: bool = False) -> T:
        """`work` in one transaction on a database thread (see dst.db.threads)."""
        return await in_transaction(self.sessions, work, read_only=read_only)
