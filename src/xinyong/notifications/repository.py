"""All notification queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from .models import Notification


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
