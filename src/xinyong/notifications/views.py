"""In-app notifications: the caller's own list, and marking one read."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from ..auth.actors import Actor
from ..auth.policy import PERSONAL_DATA_ROLES
from ..core.uow import UnitOfWork
from ..deps import get_uow, require
from ..errors_http import error_responses
from ..rules.identifiers import free_text_for
from .schemas import ContactIn, ContactOut, NotificationOut
from .service import inbox, mark_read, own_contact, own_recipient, set_contact

router = APIRouter(prefix="/api/v1", tags=["notifications 通知"])


@router.get("/notifications", response_model=list[NotificationOut], summary="本人的通知（最新在前）",
            responses=error_responses(401))
def my_notifications(unread: bool = Query(False), limit: int = Query(100, ge=1, le=500),
                     uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("notifications.read"))
                     ) -> list[NotificationOut]:
    return [_shown(NotificationOut.model_validate(n, from_attributes=True), actor)
            for n in inbox(uow, actor, unread, limit)]


def _shown(out: NotificationOut, actor: Actor) -> NotificationOut:
    """Issue 12 item 5: a notice's text names subjects; resident ID numbers in it masked for a reader without
    personal-data need (a subject account sees its own number)."""
    if actor.role in PERSONAL_DATA_ROLES:
        return out
    return NotificationOut.model_validate(free_text_for(False, actor.subject)(out.model_dump()))


@router.post("/notifications/{notification_id}/read", response_model=NotificationOut, summary="标记通知已读",
             responses=error_responses(401, 403, 404))
def read(notification_id: int, uow: UnitOfWork = Depends(get_uow),
         actor: Actor = Depends(require("notifications.read"))) -> NotificationOut:
    row = mark_read(uow, notification_id, actor)
    uow.audit("notification.read", f"notification:{notification_id}")
    return _shown(NotificationOut.model_validate(row, from_attributes=True), actor)


@router.get("/notifications/contact", response_model=ContactOut, summary="本人接收通知的邮箱或手机（无则仅站内通知）",
            responses=error_responses(401))
def my_contact(uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("notifications.read"))
               ) -> ContactOut:
    who, row = own_contact(uow, actor)
    return ContactOut(recipient_kind=who.kind, recipient=who.value, email=row.email if row else None,
                      phone=row.phone if row else None)


@router.put("/notifications/contact", response_model=ContactOut,
            summary="设置本人接收通知的邮箱或手机（评价对象账号：本对象；业务部门：本部门）",
            responses=error_responses(401, 422))
def put_contact(data: ContactIn, uow: UnitOfWork = Depends(get_uow),
                actor: Actor = Depends(require("notifications.read"))) -> ContactOut:
    who = own_recipient(actor)
    row = set_contact(uow, who, email=data.email, phone=data.phone)
    uow.audit("notification.contact", f"{who.kind}:{who.value}")
    return ContactOut(recipient_kind=who.kind, recipient=who.value, email=row.email, phone=row.phone)
