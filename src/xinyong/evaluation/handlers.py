"""The evaluation domain's handlers: real-time re-evaluation (122号 Art.13 系统实时更新)."""

from __future__ import annotations

from typing import Any

from ..core.events import SubjectFact
from ..core.uow import UnitOfWork
from ..messages.evaluation import ReevaluateEveryone, ReevaluateSubject, ReevaluateSubjects
from ..messages.listings import ListingRemoved, SubjectListed
from ..messages.records import RecordCorrected, RecordEntered, RecordWithdrawn
from .service import batch_evaluate, reevaluate_subjects, refresh_subject


def _cause(event: Any) -> dict[str, Any]:
    """Why the subject was re-evaluated, as archived with each change (122号 Art.19)."""
    if isinstance(event, RecordCorrected):
        return {"event": event.archive_kind, "record_id": event.record_id, "supersedes": event.supersedes}
    if isinstance(event, RecordEntered | RecordWithdrawn):
        return {"event": event.archive_kind, "record_id": event.record_id}
    if isinstance(event, SubjectListed | ListingRemoved):
        return {"event": event.archive_kind, "listing_id": event.membership_id}
    return {"event": event.archive_kind}


def request_reevaluation(event: SubjectFact, uow: UnitOfWork) -> None:
    """Queue one re-evaluation of the subject, after the other facts of this unit of work (a record and the
    industry enrolment it causes are both archived before the evaluation that follows from them)."""
    if uow.queued(ReevaluateSubject, subject_id=event.subject_id) is None:
        uow.publish(ReevaluateSubject(event.subject_id, _cause(event)))


def reevaluate_subject(command: ReevaluateSubject, uow: UnitOfWork) -> None:
    refresh_subject(uow, command.subject_id, command.cause)


def reevaluate_everyone(command: ReevaluateEveryone, uow: UnitOfWork) -> None:
    batch_evaluate(uow, command.as_of, store=True)


def reevaluate_listed(command: ReevaluateSubjects, uow: UnitOfWork) -> None:
    """A chunk of a bulk intake: its subjects once, with the batch kernel (docs/decisions.md)."""
    reevaluate_subjects(uow, command.subject_ids, lambda sid: command.causes.get(sid, command.cause),
                        explain=command.explain)
