"""All job-run queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import JobRun


def run_of(session: Session, name: str, day: date) -> JobRun | None:
    return session.get(JobRun, (name, day), populate_existing=True)


def last_run_before(session: Session, name: str, day: date) -> date | None:
    """The last day before `day` on which the job ran (its claim), or None."""
    return session.scalar(select(func.max(JobRun.day)).where(JobRun.name == name, JobRun.day < day))
