"""Tables of downstream sync (44号 Task 14 及时共享、及时更新): the outbox, the receivers and their dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base

# 64-bit on PostgreSQL (a batch re-evaluation may write 10^6 changes); SQLite's INTEGER is 64-bit already and only
# `INTEGER PRIMARY KEY` autoincrements there.
Long = BigInteger().with_variant(Integer(), "sqlite")


class OutboxEvent(Base):
    """One change shared downstream. `id` is the insertion order; `seq` — the order receivers see — is given at
    commit by the single sequencer of outbox.repository.assign_seqs (NULL only inside the writing transaction)."""

    __tablename__ = "outbox_events"
    id: Mapped[int] = mapped_column(Long, primary_key=True, autoincrement=True)
    seq: Mapped[int | None] = mapped_column(Long, nullable=True)
    type: Mapped[str] = mapped_column(String(40))  # e.g. grade_changed, subject_listed
    subject_code: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)

    __table_args__ = (
        Index("uq_outbox_events_seq", "seq", unique=True),
        Index("ix_outbox_events_type_seq", "type", "seq"),
    )


class Receiver(Base):
    """A downstream platform (信用平台网站) that receives the changes by signed POSTs, strictly in seq order.

    `position` is the last seq done (acknowledged with a 2xx or moved to the dead letters); `attempts`,
    `next_attempt_at`, `last_error` describe the head event while it fails; `lease_*` keep two delivering
    processes from sending the same receiver's events at once."""

    __tablename__ = "receivers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    secret_ciphertext: Mapped[str] = mapped_column(Text)  # Fernet token under the deployment's key (outbox.secrets)
    events: Mapped[list[str]] = mapped_column(JSON)  # change types; empty: all
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    position: Mapped[int] = mapped_column(Long, default=0)
    delivered: Mapped[int] = mapped_column(Long, default=0)  # events acknowledged so far
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class DeadLetter(Base):
    """An event a receiver did not acknowledge within the horizon (死信). `state`: dead → pending (redeliver asked,
    delivered before the receiver's later events) → delivered, or dead again after another horizon."""

    __tablename__ = "receiver_dead_letters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    receiver_id: Mapped[int] = mapped_column(ForeignKey("receivers.id"))
    seq: Mapped[int] = mapped_column(Long)
    state: Mapped[str] = mapped_column(String(12), default="dead")  # dead | pending | delivered
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    dead_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    redelivered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (Index("ix_receiver_dead_letters_receiver", "receiver_id", "state", "seq"),)
