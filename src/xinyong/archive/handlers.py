"""The archive's handlers: every subject fact becomes an entry of the subject's hash chain (122号 Art.19
一主体一档案，一事件一记录, 全流程可追溯)."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.events import SubjectFact
from ..core.uow import UnitOfWork
from ..messages.evaluation import EVALUATION_CHANGED, ChangedColumns, EvaluationsChanged
from ..messages.records import RecordsEntered
from ..messages.subjects import SubjectsRegistered
from .service import append, append_many, append_texts, lock_archive, trend_of_change


def archive_fact(event: SubjectFact, uow: UnitOfWork) -> None:
    append(uow, event.subject_id, event.subject_code, event.archive_kind, event.summary, event.payload())


def archive_changes(event: EvaluationsChanged, uow: UnitOfWork) -> None:
    """A batch's changes, appended in bulk after every concurrent real-time writer of the archive; a batch chunk's
    columns (ChangedColumns) with the texts they render, without an object per change."""
    lock_archive(uow.session)
    ev = event.evaluations
    if not isinstance(ev, ChangedColumns):
        append_many(uow, [(c.subject_id, c.subject_code, c.archive_kind, c.summary, c.payload()) for c in ev])
        return
    trends = [trend_of_change(scope, new[1], new[2], None if old is None else old[1],
                              None if old is None else old[2], old is None)
              for scope, new, old in zip(ev.scope, ev.new, ev.old, strict=True)]
    append_texts(uow, ev.subject_id, ev.subject_code, [EVALUATION_CHANGED] * len(ev), ev.summaries(),
                 ev.payload_texts(), trends)


def archive_records(event: RecordsEntered, uow: UnitOfWork) -> None:
    """A bulk chunk's record facts, appended in one go in the order the single path appends them (the chunk's
    subjects are locked first, records/bulk.py; then the archive, as archive_changes does)."""
    _append_facts(uow, event.facts)


def archive_registered(event: SubjectsRegistered, uow: UnitOfWork) -> None:
    """An import chunk's new subjects: each one's subject_created entry opens its chain, appended in one go."""
    _append_facts(uow, event.facts)


def _append_facts(uow: UnitOfWork, facts: Sequence[SubjectFact]) -> None:
    lock_archive(uow.session)
    append_many(uow, [(f.subject_id, f.subject_code, f.archive_kind, f.summary, f.payload()) for f in facts])
