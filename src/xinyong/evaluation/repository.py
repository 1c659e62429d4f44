"""All queries on stored evaluations (and the subject lists that are ordered or filtered by them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from ..subjects.models import Subject, SubjectIndustry
from .models import GENERAL_SCOPE, Evaluation


def stored_for_subject(session: Session, subject_id: int) -> Sequence[Evaluation]:
    return session.scalars(select(Evaluation).where(Evaluation.subject_id == subject_id)).all()


def oldest_as_of(session: Session) -> date | None:
    return session.scalar(select(func.min(Evaluation.as_of)))


def all_stored(session: Session) -> Sequence[Evaluation]:
    return session.scalars(select(Evaluation)).all()


def search(session: Session, q: str | None, grade: str | None, industry: str | None, limit: int, offset: int,
           partial_personal_ids: bool = False) -> tuple[int, list[tuple[Subject, Evaluation | None]]]:
    """Subjects with their stored evaluation in the general or one industry's scope, filtered by text and grade.

    Text matches a name or an organisation's code anywhere; an individual's resident ID number only as a whole
    (issue 12 item 1: a partial match would reveal hidden digits one guess at a time), unless the reader has
    personal-data need (`partial_personal_ids`). `%`, `_` and `\\` in `q` are literal characters."""
    scope = industry or GENERAL_SCOPE
    stmt = select(Subject, Evaluation).outerjoin(
        Evaluation, (Evaluation.subject_id == Subject.id) & (Evaluation.scope == scope)
    )
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        code_match = Subject.code.like(like, escape="\\")
        if not partial_personal_ids:
            code_match = or_(and_(Subject.kind != "individual", code_match), Subject.code == q.strip().upper())
        stmt = stmt.where(or_(code_match, Subject.name.like(like, escape="\\")))
    if industry:
        stmt = stmt.where(Subject.id.in_(select(SubjectIndustry.subject_id).where(SubjectIndustry.industry == industry)))
    if grade:
        stmt = stmt.where(Evaluation.grade == grade)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(Subject.id).limit(limit).offset(offset)).all()
    return total, [(s, e) for s, e in rows]


def distribution(session: Session, scope: str) -> list[tuple[str, str, bool, int]]:
    stmt = (
        select(Evaluation.grade, Evaluation.level, Evaluation.fused, func.count())
        .where(Evaluation.scope == scope)
        .group_by(Evaluation.grade, Evaluation.level, Evaluation.fused)
    )
    return [(g, lv, bool(f), int(n)) for g, lv, f, n in session.execute(stmt).all()]


def replace_all(session: Session, rows: list[dict[str, Any]], chunk: int) -> None:
    """The batch's results become the stored evaluations, in bulk inserts of `chunk` rows."""
    session.execute(delete(Evaluation))
    for i in range(0, len(rows), chunk):
        session.execute(insert(Evaluation), rows[i : i + chunk])
    session.flush()
