"""All list-membership queries."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from functools import cache

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session

from .models import Membership


def by_ref(session: Session, subject_id: int, list_code: str, source_ref: str) -> Membership | None:
    return session.scalars(select(Membership).where(
        Membership.subject_id == subject_id, Membership.list_code == list_code,
        Membership.source_ref == source_ref)).first()


def by_id(session: Session, membership_id: int) -> Membership | None:
    return session.get(Membership, membership_id) if 0 < membership_id < 2**31 else None


def of_subject(session: Session, subject_id: int) -> Sequence[Membership]:
    return session.scalars(select(Membership).where(Membership.subject_id == subject_id)
                           .order_by(Membership.listed_on, Membership.id)).all()


def active_on(session: Session, lists: Collection[str], day: date, subject_id: int | None = None,
              subject_ids: Collection[int] | None = None) -> Sequence[Membership]:
    """Memberships of `lists` that hold on `day` (listed_on ≤ day < removed_on, day ≤ ends_on), of one subject, of
    the subjects `subject_ids` (a bulk chunk's), or of all."""
    if subject_id is not None and subject_ids is None:  # one subject's evaluation: the statement built once
        return session.scalars(_active_of_subject(), {"lists": list(lists), "day": day,
                                                      "subject_id": subject_id}).all()
    stmt = select(Membership).where(Membership.list_code.in_(lists), Membership.listed_on <= day,
                                    or_(Membership.removed_on.is_(None), Membership.removed_on > day),
                                    or_(Membership.ends_on.is_(None), Membership.ends_on >= day))
    if subject_id is not None:
        stmt = stmt.where(Membership.subject_id == subject_id)
    if subject_ids is None:
        return session.scalars(stmt.order_by(Membership.subject_id, Membership.id)).all()
    wanted = sorted(set(subject_ids))
    found: list[Membership] = []
    for i in range(0, len(wanted), _IN_CHUNK):
        found.extend(session.scalars(stmt.where(Membership.subject_id.in_(wanted[i:i + _IN_CHUNK]))))
    found.sort(key=lambda m: (m.subject_id, m.id))
    return found


_IN_CHUNK = 900  # bound parameters per IN list (SQLite)


@cache
def _active_of_subject() -> Select:  # type: ignore[type-arg]
    """active_on of one subject, with bound parameters: built once instead of per call (its construction and
    cache key cost more Python than its execution; issue 10 item 5, GET of an evaluation)."""
    day = bindparam("day")
    return (select(Membership)
            .where(Membership.list_code.in_(bindparam("lists", expanding=True)), Membership.listed_on <= day,
                   or_(Membership.removed_on.is_(None), Membership.removed_on > day),
                   or_(Membership.ends_on.is_(None), Membership.ends_on >= day),
                   Membership.subject_id == bindparam("subject_id"))
            .order_by(Membership.subject_id, Membership.id))


def ended_not_removed(session: Session, day: date) -> Sequence[Membership]:
    """Listings whose effect ended before `day` (ends_on < day) and whose removal is not recorded yet."""
    return session.scalars(select(Membership).where(Membership.removed_on.is_(None), Membership.ends_on.is_not(None),
                                                    Membership.ends_on < day)
                           .order_by(Membership.ends_on, Membership.id)).all()
