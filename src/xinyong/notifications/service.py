"""通知 — tell the subject and the responsible staff at each step of a case or a commitment (issue 8 item 7).

`notify` writes one row per recipient in the caller's unit of work (the notice exists if and only if the step
happened); the in-app list reads these rows, and the e-mail/SMS adapter sends them after the commit
(notifications.delivery, run by the serving deliverer), so a failed mail server never rolls back a step and
never loses the in-app row. Where a notice is also sent comes from `set_contact` (none: in-app only).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..errors import ForbiddenError, InputError, NotFoundError
from . import repository
from .models import Contact, Notification

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9][0-9 -]{4,30}")


@dataclass(frozen=True)
class Recipient:
    kind: str  # subject | department | role
    value: str

    @staticmethod
    def subject(code: str) -> Recipient:
        return Recipient("subject", code)

    @staticmethod
    def department(code: str) -> Recipient:
        return Recipient("department", code)

    @staticmethod
    def role(name: str) -> Recipient:
        return Recipient("role", name)


def notify(uow: UnitOfWork, recipients: Sequence[Recipient], *, kind: str, title: str, body: str,
           link: str | None = None) -> list[Notification]:
    """One notice per distinct recipient, in this unit of work."""
    rows = [Notification(recipient_kind=r.kind, recipient=r.value, kind=kind, title=title[:200], body=body,
                         link=link, created_at=uow.clock.now())
            for r in dict.fromkeys(recipients)]
    uow.session.add_all(rows)
    uow.session.flush()
    return rows


def set_contact(uow: UnitOfWork, recipient: Recipient, *, email: str | None = None, phone: str | None = None
                ) -> Contact:
    """Where the recipient's notices are also sent (e-mail first, else SMS); both None: in-app only from now on.
    Called e.g. when a subject gives its contact while filing a case (issue 8 item 7)."""
    email = (email or "").strip() or None
    phone = (phone or "").strip() or None
    if email is not None and not _EMAIL.fullmatch(email):
        raise InputError("email", "电子邮箱格式不正确", "not an e-mail address")
    if phone is not None and not _PHONE.fullmatch(phone):
        raise InputError("phone", "手机号码格式不正确", "not a phone number (digits, optional leading +)")
    row = repository.contact(uow.session, recipient.kind, recipient.value)
    if row is None:
        row = Contact(recipient_kind=recipient.kind, recipient=recipient.value)
        uow.session.add(row)
    row.email, row.phone, row.updated_at = email, phone, uow.clock.now()
    uow.session.flush()
    return row


def recipients_of(actor: Actor) -> list[tuple[str, str]]:
    """Whose notices a caller reads: a subject account its subject's; staff their role's and department's."""
    if actor.role == "subject":
        return [("subject", actor.subject)] if actor.subject else []
    out = [("role", actor.role)]
    if actor.department:
        out.append(("department", actor.department))
    return out


def inbox(uow: UnitOfWork, actor: Actor, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    return repository.for_recipients(uow.session, recipients_of(actor), unread_only, limit)


def mark_read(uow: UnitOfWork, notification_id: int, actor: Actor) -> Notification:
    row = repository.by_id(uow.session, notification_id)
    if row is None:
        raise NotFoundError("id", f"没有编号为 {notification_id} 的通知", f"no notification {notification_id}")
    if (row.recipient_kind, row.recipient) not in recipients_of(actor):
        raise ForbiddenError("id", "只能标记发给本人的通知", "only a notice addressed to you can be marked read")
    if row.read_at is None:
        row.read_at = uow.clock.now()
    return row


def own_recipient(actor: Actor) -> Recipient:
    """Whose contact a caller keeps: a subject account its subject's, a department's staff their department's,
    other staff their role's (a shared mailbox of the hall, say)."""
    if actor.role == "subject" and actor.subject:
        return Recipient.subject(actor.subject)
    if actor.department:
        return Recipient.department(actor.department)
    return Recipient.role(actor.role)


def own_contact(uow: UnitOfWork, actor: Actor) -> tuple[Recipient, Contact | None]:
    who = own_recipient(actor)
    return who, repository.contact(uow.session, who.kind, who.value)
