"""The subjects domain's handlers."""

from __future__ import annotations

from ..core.uow import UnitOfWork
from ..messages.records import RecordCorrected, RecordEntered
from .service import enrol_in_industry


def enrol_for_record(event: RecordEntered | RecordCorrected, uow: UnitOfWork) -> None:
    """A record of an industry item puts the subject under that industry's evaluation (spec G1-04)."""
    if event.industry:
        enrol_in_industry(uow, event.subject_id, event.industry)
