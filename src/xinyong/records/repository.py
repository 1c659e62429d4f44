"""All record queries. A record counts when it has no withdrawal and no newer version superseding it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import Session, aliased

from .models import Record, Withdrawal


def _counting() -> list:  # type: ignore[type-arg]
    newer = aliased(Record)
    return [
        ~exists().where(Withdrawal.record_id == Record.id),
        ~exists().where(newer.supersedes_id == Record.id),
    ]


def counting_for_subject(session: Session, subject_id: int, start: date, end: date) -> list[Record]:
    """The subject's records that count in [start, end], in the order they use up caps (act date, id)."""
    stmt = (
        select(Record)
        .where(Record.subject_id == subject_id, Record.act_date >= start, Record.act_date <= end, *_counting())
        .order_by(Record.act_date, Record.id)
    )
    return list(session.scalars(stmt))


def counting_in_period(start: date, end: date) -> Select:  # type: ignore[type-arg]
    """(subject_id, item, id) of every counting record in [start, end], for the batch path."""
    return (
        select(Record.subject_id, Record.item, Record.id)
        .where(and_(Record.act_date >= start, Record.act_date <= end, *_counting()))
        .order_by(Record.subject_id, Record.act_date, Record.id)
    )


def by_source_ref(session: Session, source_ref: str) -> Record | None:
    return session.scalars(select(Record).where(Record.source_ref == source_ref)).first()


def withdrawal_of(session: Session, record_id: int) -> Withdrawal | None:
    return session.scalars(select(Withdrawal).where(Withdrawal.record_id == record_id)).first()


def for_subject(session: Session, subject_id: int) -> list[tuple[Record, Withdrawal | None]]:
    stmt = (
        select(Record, Withdrawal)
        .outerjoin(Withdrawal, Withdrawal.record_id == Record.id)
        .where(Record.subject_id == subject_id)
        .order_by(Record.act_date.desc(), Record.id.desc())
    )
    return [(r, w) for r, w in session.execute(stmt).all()]
