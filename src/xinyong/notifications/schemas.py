"""Notification bodies of the API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..errors_http import Instant


class NotificationOut(BaseModel):
    id: int
    recipient_kind: str
    recipient: str
    kind: str
    title: str
    body: str
    link: str | None
    created_at: Instant
    sent_at: Instant | None
    read_at: Instant | None
    send_state: str = "pending"  # pending | sent | in_app (no e-mail/SMS address) | failed


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=32)


class ContactOut(BaseModel):
    recipient_kind: str
    recipient: str
    email: str | None
    phone: str | None
