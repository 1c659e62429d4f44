"""Set-based registration of a chunk of subjects (`xinyong import --subjects`, 122号 Art.8 人工录入; issue 10 item 1):
the chunk's rows are checked at once (one query for the registered subjects of its codes, the industries read
once), the new subjects, their national grades and industry memberships inserted with one executemany each, their
subject_created entries archived in one go and the chunk's subjects evaluated once with the batch kernel — the
same end state as `service.register_or_match` row by row (tests/subjects/test_bulk_import.py): the same subjects,
grades, memberships, archive entries (kinds, summaries, payloads, order within each chain), stored evaluations,
outbox rows and per-row outcomes. What differs is only what is not content: ids and timestamps, the chain hashes
that cover the timestamps, and the interleaving of different subjects' entries in the archive table.

Rows of the chunk that name the same code are taken as the single path takes them: the first registers the
subject, a later one of the same content is that subject ("existing"), one of other content a conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import IntegrityError

from ..core.uow import UnitOfWork
from ..errors import DomainError, Problem
from ..messages.evaluation import ReevaluateSubjects
from ..messages.subjects import SUBJECT_CREATED, SubjectRegistered, SubjectsRegistered
from ..reference import repository as reference_repo
from ..rules.identifiers import normalize_code
from . import repository
from .schemas import SubjectIn
from .service import (
    content,
    grade_effective_on,
    other_content,
    register_or_match,
    same_content,
    subject_problems,
)


@dataclass
class Registered:
    """What became of one row: created, the same subject already there (neither created nor `problems`), or
    refused with its problems."""

    index: int  # the caller's position of the row (spreadsheet row number)
    code: str = ""
    created: bool = False
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _New:
    out: Registered
    data: SubjectIn
    effective: date


def register_chunk(uow: UnitOfWork, rows: Sequence[tuple[int, SubjectIn]], actor: str) -> list[Registered]:
    """Register one chunk of parsed rows in `uow`; one Registered per row, in order. The checks, their order and
    their messages are register_or_match's: the subject's own (subject_problems), then the code already
    registered (or registered by an earlier row of the chunk), then the grade's day."""
    session = uow.session
    today = uow.clock.today()
    stored = repository.subjects_by_codes(session, {normalize_code(d.code) for _, d in rows}, with_content=True)
    known = set(reference_repo.industry_codes(session))
    outcomes: list[Registered] = []
    new: list[_New] = []
    pending: dict[str, SubjectIn] = {}
    for index, data in rows:
        out = Registered(index)
        outcomes.append(out)
        out.code, problems = subject_problems(data, known.__contains__)
        if problems:
            out.problems = problems
            continue
        existing, earlier = stored.get(out.code), pending.get(out.code)
        if existing is not None or earlier is not None:
            same = same_content(existing, data) if existing is not None else content(earlier) == content(data)
            if not same:
                out.problems = other_content(out.code).problems
            continue
        try:
            effective = grade_effective_on(data, today)
        except DomainError as exc:
            out.problems = exc.problems
            continue
        pending[out.code] = data
        new.append(_New(out, data, effective))
    if new:
        _insert(uow, new, actor)
    return outcomes


def _insert(uow: UnitOfWork, new: list[_New], actor: str) -> None:
    """Insert the chunk's new subjects in row order (their ids grow as they would one by one), then their grades
    and memberships; publish their facts and re-evaluate them once (122号 Art.13; archived, 122号 Art.19)."""
    session = uow.session
    rows = [dict(code=n.out.code, kind=n.data.kind, name=n.data.name.strip(), created_by=actor) for n in new]
    try:
        with session.begin_nested():  # PostgreSQL: a concurrent writer registered one of the codes first
            ids = repository.insert_subjects(session, rows)
    except IntegrityError:
        _one_by_one(uow, new, actor)
        return
    repository.insert_grades(session, [dict(subject_id=ids[n.out.code], grade=n.data.national_grade,
                                            valid_from=n.effective, source=n.data.grade_source) for n in new])
    repository.insert_memberships(session, [dict(subject_id=ids[n.out.code], industry=i)
                                            for n in new for i in n.data.industries])
    facts = []
    for n in new:
        n.out.created = True
        facts.append(SubjectRegistered(ids[n.out.code], n.out.code, kind=n.data.kind, name=n.data.name.strip(),
                                       national_grade=n.data.national_grade, industries=tuple(n.data.industries),
                                       by=actor))
    uow.publish(SubjectsRegistered(facts))
    # the single path's cause (evaluation.handlers.request_reevaluation of SubjectRegistered)
    uow.publish(ReevaluateSubjects(sorted(ids.values()), cause={"event": SUBJECT_CREATED}))
    uow.handle()


def _one_by_one(uow: UnitOfWork, new: list[_New], actor: str) -> None:
    """A concurrent writer took one of the chunk's codes first: its new rows through the single path."""
    for n in new:
        try:
            with uow.atomic():
                n.out.created = register_or_match(uow, n.data, actor) is not None
        except DomainError as exc:
            n.out.problems = exc.problems
