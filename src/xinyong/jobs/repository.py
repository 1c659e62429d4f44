"""All job-run queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from .models import JobRun


def run_of(session: Session, name: str, day: date) -> JobRun | None:
    return session.get(JobRun, (name, day), populate_existing=True)
