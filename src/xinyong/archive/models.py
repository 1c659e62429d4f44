"""电子信用档案 — the electronic credit archive (122号 Art.19): one subject, one file; one event, one record.

Append-only and tamper-evident: each entry carries the hash of the previous entry of the same subject.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base


class ArchiveEntry(Base):
    __tablename__ = "archive_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # read by subject through uq_archive_entries_subject_seq (subject_id leads it): no index of its own (0018)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … per subject
    at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # An evaluation change's scope, grades and move (new/up/down/same) copied out of its payload when appended
    # (outside the hash): the dashboard trend counts them by month in the database without parsing JSON
    # (issue 11: under 300 ms at 100,000 subjects). NULL for every other kind.
    ev_scope: Mapped[str | None] = mapped_column(String(40), nullable=True)
    ev_move: Mapped[str | None] = mapped_column(String(4), nullable=True)
    ev_new_grade: Mapped[str | None] = mapped_column(String(8), nullable=True)
    ev_old_grade: Mapped[str | None] = mapped_column(String(8), nullable=True)

    __table_args__ = (UniqueConstraint("subject_id", "seq", name="uq_archive_entries_subject_seq"),
                      Index("ix_archive_entries_trend", "ev_scope", "at", "ev_move", "ev_new_grade", "ev_old_grade"))


class ArchiveCheckpoint(Base):
    """A signed Merkle root over the first `entry_count` entries in append order (archive/merkle.py), written at
    least daily by `xinyong serve` and on demand by `xinyong archive checkpoint` (122号 Art.19)."""

    __tablename__ = "archive_checkpoints"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    entry_count: Mapped[int] = mapped_column(Integer)
    root: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))  # Ed25519, hex
    public_key_id: Mapped[str] = mapped_column(String(64))
    # head of the audit trail when signed: its truncation is detected (auth/audit.py chain + this signature)
    audit_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    audit_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
