"""All queries of the cases tables (异议处理及信用修复, 122号 Art.18)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import TIMED, UNRESOLVED, Case, CaseEvidence, CaseStep, OverdueNotice


def by_id(session: Session, case_id: int) -> Case | None:
    """None for an id outside 32-bit integers too (it names no case and must not reach the driver)."""
    return session.get(Case, case_id) if 0 < case_id < 2**31 else None


def steps_of(session: Session, case_id: int) -> list[CaseStep]:
    return list(session.scalars(select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.id)))


def evidence_of(session: Session, case_id: int) -> list[CaseEvidence]:
    return list(session.scalars(select(CaseEvidence).where(CaseEvidence.case_id == case_id)
                                .order_by(CaseEvidence.id)))


def steps_and_evidence_of(session: Session, case_ids: Sequence[int]
                          ) -> tuple[dict[int, list[CaseStep]], dict[int, list[CaseEvidence]]]:
    """The steps and the evidence of many cases, two statements whatever their number (the queue, issue 11)."""
    steps: dict[int, list[CaseStep]] = {i: [] for i in case_ids}
    files: dict[int, list[CaseEvidence]] = {i: [] for i in case_ids}
    if case_ids:
        for step in session.scalars(select(CaseStep).where(CaseStep.case_id.in_(case_ids)).order_by(CaseStep.id)):
            steps[step.case_id].append(step)
        for file in session.scalars(select(CaseEvidence).where(CaseEvidence.case_id.in_(case_ids))
                                    .order_by(CaseEvidence.id)):
            files[file.case_id].append(file)
    return steps, files


def evidence_attached(session: Session, case_id: int, sha: str) -> CaseEvidence | None:
    return session.scalars(select(CaseEvidence).where(CaseEvidence.case_id == case_id,
                                                      CaseEvidence.sha256 == sha)).first()


def open_case_on(session: Session, kind: str, subject_id: int, *, record_id: int | None, listing_id: int | None,
                 industry: str | None) -> Case | None:
    """An unresolved case of this kind on the same thing (record, listing, or evaluation result)."""
    stmt = select(Case).where(Case.kind == kind, Case.subject_id == subject_id, Case.state.in_(UNRESOLVED))
    if record_id is not None:
        stmt = stmt.where(Case.record_id == record_id)
    elif listing_id is not None:
        stmt = stmt.where(Case.listing_id == listing_id)
    else:
        stmt = stmt.where(Case.record_id.is_(None), Case.listing_id.is_(None), Case.industry == industry)
    return session.scalars(stmt.order_by(Case.id).limit(1)).first()


def queue(session: Session, *, today: date, state: str | None = None, department: str | None = None,
          subject_id: int | None = None, overdue: bool | None = None, limit: int = 200) -> list[Case]:
    """A queue of cases ordered by the due date of their current step (cases without one last), then id."""
    stmt = select(Case)
    if state is not None:
        stmt = stmt.where(Case.state == state)
    if department is not None:
        stmt = stmt.where(Case.department == department)
    if subject_id is not None:
        stmt = stmt.where(Case.subject_id == subject_id)
    late = Case.state.in_(TIMED) & Case.due_on.is_not(None) & (Case.due_on < today)
    if overdue is True:
        stmt = stmt.where(late)
    elif overdue is False:
        stmt = stmt.where(~late)
    stmt = stmt.order_by(Case.due_on.is_(None), Case.due_on, Case.id).limit(limit)
    return list(session.scalars(stmt))


def overdue_cases(session: Session, today: date) -> list[Case]:
    """Cases whose current step is past its deadline (today > due_on)."""
    stmt = (select(Case).where(Case.state.in_(TIMED), Case.due_on.is_not(None), Case.due_on < today)
            .order_by(Case.due_on, Case.id))
    return list(session.scalars(stmt))


def overdue_notice(session: Session, case_id: int, state: str, due_on: date) -> OverdueNotice | None:
    return session.scalars(select(OverdueNotice).where(OverdueNotice.case_id == case_id,
                                                       OverdueNotice.state == state,
                                                       OverdueNotice.due_on == due_on)).first()
