"""All commitment queries."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Commitment


def by_id(session: Session, commitment_id: int) -> Commitment | None:
    return session.get(Commitment, commitment_id) if 0 < commitment_id < 2**31 else None


def by_key(session: Session, subject_id: int, department: str, licence_ref: str, content_sha256: str
           ) -> Commitment | None:
    return session.scalars(select(Commitment).where(
        Commitment.subject_id == subject_id, Commitment.department == department,
        Commitment.licence_ref == licence_ref, Commitment.content_sha256 == content_sha256)).first()


def listed(session: Session, subject_id: int | None = None, states: Collection[str] | None = None,
           department: str | None = None, limit: int = 500) -> Sequence[Commitment]:
    stmt = select(Commitment)
    if subject_id is not None:
        stmt = stmt.where(Commitment.subject_id == subject_id)
    if states is not None:
        stmt = stmt.where(Commitment.state.in_(states))
    if department is not None:
        stmt = stmt.where(Commitment.department == department)
    return session.scalars(stmt.order_by(Commitment.due_on, Commitment.id).limit(limit)).all()


def due_for_notice(session: Session, today: date) -> Sequence[Commitment]:
    """Open commitments whose due day has passed (due_on < today): the overdue notice is due."""
    return session.scalars(select(Commitment).where(Commitment.state == "open", Commitment.due_on < today)
                           .order_by(Commitment.due_on, Commitment.id)).all()


def grace_ended(session: Session, today: date) -> Sequence[Commitment]:
    """Overdue commitments whose grace ended before today (grace_ends_on < today): a breach."""
    return session.scalars(select(Commitment).where(Commitment.state == "overdue",
                                                    Commitment.grace_ends_on < today)
                           .order_by(Commitment.grace_ends_on, Commitment.id)).all()
