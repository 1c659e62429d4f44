"""One row per daily job and day it ran (`xinyong jobs run`, `xinyong serve`): the claim that makes the jobs
idempotent — a job that has a row for a day does not run again that day (issue 8 item 6)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base


class JobRun(Base):
    __tablename__ = "job_runs"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    result: Mapped[str] = mapped_column(Text, default="")  # what it did, as printed (JSON of its counts)
    by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
