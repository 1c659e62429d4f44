"""The handler table: which handlers react to which message, in order, inside the publishing unit of work.

Order matters where it shows: a fact is archived first (its entry precedes what follows from it), the subject is
enrolled in an industry before it is re-evaluated, and re-evaluation is queued once per subject, after the facts
of the same unit of work (122号 Art.13 实时更新, 122号 Art.19 全流程可追溯).

The domains above the core of 122号 (cases, commitments, downstream sync) declare what they react to in their own
`handlers.REACTIONS`; they are appended here, in this order, after the core reactions to the same message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .archive.handlers import archive_changes, archive_fact, archive_records, archive_registered
from .cases.handlers import REACTIONS as CASES
from .commitments.handlers import REACTIONS as COMMITMENTS
from .core.events import Message, SubjectFact
from .core.uow import Handler
from .evaluation.handlers import (
    reevaluate_everyone,
    reevaluate_listed,
    reevaluate_subject,
    request_reevaluation,
)
from .inspections.handlers import REACTIONS as INSPECTIONS
from .messages.evaluation import EvaluationsChanged, ReevaluateEveryone, ReevaluateSubject, ReevaluateSubjects
from .messages.listings import ListingRemoved, SubjectListed
from .messages.records import RecordCorrected, RecordEntered, RecordsEntered, RecordWithdrawn
from .messages.subjects import NationalGradeRecorded, SubjectRegistered, SubjectsRegistered
from .outbox.handlers import REACTIONS as OUTBOX
from .subjects.handlers import enrol_for_record, enrol_for_records
from .supervision.handlers import REACTIONS as SUPERVISION

CORE: dict[type[Message], Sequence[Handler]] = {
    # every archivable fact (subclasses of SubjectFact) goes to the subject's hash chain (122号 Art.19)
    SubjectFact: [archive_fact],
    SubjectRegistered: [request_reevaluation],
    NationalGradeRecorded: [request_reevaluation],  # 122号 Art.13: the base of a period follows the dated level
    RecordEntered: [enrol_for_record, request_reevaluation],
    RecordCorrected: [enrol_for_record, request_reevaluation],
    RecordWithdrawn: [request_reevaluation],
    # a chunk of a bulk intake: archived in one go, enrolled in bulk; bulk.py then re-evaluates its subjects once
    RecordsEntered: [archive_records, enrol_for_records],
    # a chunk of a subjects import: archived in one go; subjects/bulk.py then re-evaluates its subjects once
    SubjectsRegistered: [archive_registered],
    # 122号 Art.16(1): a listing fires the fuse at once, a removal lifts it from its day (G1-05, G1-15)
    SubjectListed: [request_reevaluation],
    ListingRemoved: [request_reevaluation],
    EvaluationsChanged: [archive_changes],
    ReevaluateSubject: [reevaluate_subject],
    ReevaluateSubjects: [reevaluate_listed],
    ReevaluateEveryone: [reevaluate_everyone],
}


def compose(*tables: Mapping[type[Message], Sequence[Handler]]) -> dict[type[Message], Sequence[Handler]]:
    out: dict[type[Message], list[Handler]] = {}
    for table in tables:
        for message, handlers in table.items():
            out.setdefault(message, []).extend(handlers)
    return {message: tuple(handlers) for message, handlers in out.items()}


# the outbox last: it shares what the other reactions of the same unit of work decided (44号 Task 14)
HANDLERS = compose(CORE, CASES, COMMITMENTS, SUPERVISION, INSPECTIONS, OUTBOX)
