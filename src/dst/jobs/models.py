"""Job history (one row per run) and job claims (one row per job, so replicas never run it twice)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dst.db.base import Base, UtcDateTime, utcnow


class JobRun(Base):
    """One start of a job: when, on which host, how much it read and wrote, and how it ended.

    `outcome` is `running`, `ok`, `warnings` (finished, with skipped records named in `warnings`),
    `failed` (nothing written; `error` says why), `already-running` (another replica held the claim)
    or `abandoned` (the process died; its lease ran out and a later run found it).
    """

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(40), index=True)
    holder: Mapped[str] = mapped_column(String(120))
    trigger: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(20))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)


class JobClaim(Base):
    """Who may run a job now: taken with a conditional UPDATE, held for a renewable lease."""

    __tablename__ = "job_claim"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(120))
    run_id: Mapped[int | None] = mapped_column(Integer)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
