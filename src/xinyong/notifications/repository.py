"""All notification queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from .models import Contact, Notification


def for_recipients(session: Session, recipients: Sequence[tuple[str, str]], unread_only: bool, limit: int
                   ) -> list[Notification]:
    if not recipients:
        return []
    match = or_(*(and_(Notification.recipient_kind == k, Notification.recipient == r) for k, r in recipients))
    query = select(Notification).where(match)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def by_id(session: Session, notification_id: int) -> Notification | None:
    return session.get(Notification, notification_id)


# -- contacts and delivery (notifications.delivery) ---------------------------------------------------------------
def contact(session: Session, recipient_kind: str, recipient: str) -> Contact | None:
    return session.get(Contact, (recipient_kind, recipient))


def claim_due(session: Session, now: datetime, hold_until: datetime, limit: int) -> list[Notification]:
    """Take up to `limit` notices due for sending (oldest first) by moving their next_send_at past the send; on
    PostgreSQL a concurrent claimer re-checks the condition after the row lock, so each notice goes to one sender."""
    due = and_(Notification.send_state == "pending",
               or_(Notification.next_send_at.is_(None), Notification.next_send_at <= now))
    ids = list(session.scalars(select(Notification.id).where(due).order_by(Notification.id).limit(limit)))
    if not ids:
        return []
    claimed = list(session.scalars(update(Notification).where(Notification.id.in_(ids), due)
                                   .values(next_send_at=hold_until).returning(Notification.id)
                                   .execution_options(synchronize_session=False)))
    return list(session.scalars(select(Notification).where(Notification.id.in_(claimed)).order_by(Notification.id)))


def set_delivery(session: Session, notification_id: int, **values: Any) -> None:
    session.execute(update(Notification).where(Notification.id == notification_id).values(**values)
                    .execution_options(synchronize_session=False))


def count_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(Notification.send_state, func.count()).group_by(Notification.send_state))
    return {state: int(n) for state, n in rows}
