"""Bodies of the downstream-sync API (44号 Task 14): receivers, their dead letters, and the pulled changes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors_http import Instant


class ReceiverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, description="unique, e.g. 信用中国（北京）")
    url: str = Field(min_length=1, max_length=500, description="http(s) URL that takes the signed POSTs")
    secret: str = Field(min_length=16, max_length=200,
                        description="shared secret of the HMAC-SHA256 signature; never returned again")
    events: list[str] = Field(default_factory=list, max_length=50,
                              description="change types to receive (GET /api/v1/change-types); empty: all")
    after: int | None = Field(None, ge=0, description="start after this seq: default the latest change now "
                                                      "(earlier ones stay available from GET /api/v1/changes); "
                                                      "0: from the first change")


class ReceiverOut(BaseModel):
    id: int
    name: str
    url: str
    events: list[str]
    active: bool
    created_at: Instant
    created_by: str
    disabled_at: Instant | None
    position: int = Field(description="the last seq acknowledged or moved to the dead letters")
    delivered: int
    pending: int = Field(description="changes after `position` that this receiver takes")
    dead_letters: int
    redeliveries_pending: int
    attempts: int = Field(description="failed attempts of the head event so far")
    next_attempt_at: Instant | None
    last_attempt_at: Instant | None
    last_status: int | None
    last_error: str | None


class DeadLetterOut(BaseModel):
    id: int
    seq: int
    type: str
    subject: str
    occurred_at: str
    state: str
    attempts: int
    last_status: int | None
    last_error: str | None
    dead_at: Instant
    redelivered_at: Instant | None
    delivered_at: Instant | None


class RedeliverOut(BaseModel):
    receiver_id: int
    moved: int = Field(description="dead letters moved back to pending")


class ChangeOut(BaseModel):
    """The body POSTed to a receiver, byte for byte the same JSON (keys sorted, no spaces)."""

    seq: int
    type: str
    subject: str
    occurred_at: str = Field(description="Beijing time, ISO 8601 with +08:00")
    data: dict[str, Any]


class ChangesOut(BaseModel):
    changes: list[ChangeOut]
    next_after: int = Field(description="pass as `after` to read on; equals `after` when nothing is new")
    has_more: bool


class ChangeTypeOut(BaseModel):
    type: str
    name: str
    reference: str
