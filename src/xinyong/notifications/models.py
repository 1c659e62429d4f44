"""通知 — one message to one recipient: a subject's own account, a department, or a role (staff)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base

RECIPIENT_KINDS = ("subject", "department", "role")


SEND_STATES = ("pending", "sent", "in_app", "failed")


class Notification(Base):
    """Shown in the recipient's in-app list; `sent_at` is set once the e-mail/SMS adapter has delivered it
    (notifications.delivery), `read_at` when the recipient marks it read.

    `send_state`: pending (not yet tried, or retried at `next_send_at`) → sent | in_app (no address known: the
    in-app list only) | failed (the adapter kept failing past the horizon; the in-app row stays)."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient_kind: Mapped[str] = mapped_column(String(12))  # subject | department | role
    recipient: Mapped[str] = mapped_column(String(40))  # subject code, department code or role name
    kind: Mapped[str] = mapped_column(String(40))  # e.g. case_routed, commitment_due
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300), nullable=True)  # e.g. /api/v1/cases/12
    created_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    send_state: Mapped[str] = mapped_column(String(12), default="pending", server_default="pending")
    channel: Mapped[str | None] = mapped_column(String(8), nullable=True)  # email | sms, once resolved
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    send_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_send_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    send_error: Mapped[str | None] = mapped_column(String(500), nullable=True)

    __table_args__ = (
        Index("ix_notifications_recipient", "recipient_kind", "recipient", "id"),
        Index("ix_notifications_unsent", "send_state", "id"),
    )


class Contact(Base):
    """Where a recipient's notices go besides the in-app list (e-mail first, else SMS); none: in-app only."""

    __tablename__ = "notification_contacts"
    recipient_kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
