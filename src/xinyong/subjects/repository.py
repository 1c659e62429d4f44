"""All subject queries."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..evaluation.models import GENERAL_SCOPE, Evaluation
from .models import Subject, SubjectIndustry


def lock(session: Session, subject_id: int) -> Subject | None:
    """Take the subject's row lock for the rest of the transaction and reload it. Every write that touches a
    subject's archive or evaluations goes through here first, so concurrent writers of one subject queue up:
    the second sees the first's committed records (no stale real-time grade, 第十三条) and the archive's next
    seq (第十九条). On SQLite writers are serialised by the database (and `deps.serialize_sqlite_writes`)."""
    # Remembered per (sub)transaction: a lock taken inside a savepoint is released if it is rolled back.
    txn = session.get_nested_transaction() or session.get_transaction()
    held = session.info.get("subject_locks")
    if held is None or held[0] is not txn:
        held = session.info["subject_locks"] = (txn, set())
    if subject_id in held[1]:  # already ours until this transaction ends
        return session.get(Subject, subject_id)
    stmt = (select(Subject).where(Subject.id == subject_id).with_for_update(key_share=True)  # FOR NO KEY UPDATE
            .execution_options(populate_existing=True))
    subject = session.scalars(stmt).first()
    held[1].add(subject_id)
    return subject


def by_code(session: Session, code: str) -> Subject | None:
    return session.scalars(select(Subject).where(Subject.code == code)).first()


def search(session: Session, q: str | None, grade: str | None, industry: str | None, limit: int, offset: int
           ) -> tuple[int, list[tuple[Subject, Evaluation | None]]]:
    scope = industry or GENERAL_SCOPE
    stmt = select(Subject, Evaluation).outerjoin(
        Evaluation, (Evaluation.subject_id == Subject.id) & (Evaluation.scope == scope)
    )
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Subject.code.like(like), Subject.name.like(like)))
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
