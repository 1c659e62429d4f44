"""The subjects domain's handlers."""

from __future__ import annotations

from ..core.uow import UnitOfWork
from ..messages.records import RecordCorrected, RecordEntered, RecordsEntered
from ..messages.subjects import SubjectEnrolled
from . import repository
from .models import Subject
from .service import enrol_in_industry


def enrol_for_record(event: RecordEntered | RecordCorrected, uow: UnitOfWork) -> None:
    """A record of an industry item puts the subject under that industry's evaluation (spec G1-04)."""
    if event.industry:
        enrol_in_industry(uow, event.subject_id, event.industry)


def enrol_for_records(event: RecordsEntered, uow: UnitOfWork) -> None:
    """A bulk chunk's enrolments (spec G1-04), written at once: the chunk names them as SubjectEnrolled facts, in
    the order enrol_for_record would have made them (its subjects locked and their industries read in one query,
    records/bulk.py)."""
    session = uow.session
    enrolled = [f for f in event.facts if isinstance(f, SubjectEnrolled)]
    if not enrolled:
        return
    repository.insert_subject_industries(session, [(f.subject_id, f.industry) for f in enrolled])
    for sid in {f.subject_id for f in enrolled}:  # a loaded collection would not show the new rows
        subject = session.identity_map.get(session.identity_key(Subject, sid))  # only one already loaded
        if subject is not None:
            session.expire(subject, ["industries"])
