"""Tables of the governance domain: public comments on a draft standard (122号 Art.12 向社会公开征求意见).

The standard versions themselves live in `reference.models.StandardVersion` (the rulebook reads them)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base

DECISIONS = ("adopted", "partly_adopted", "not_adopted")  # 采纳 / 部分采纳 / 不予采纳


class StandardComment(Base):
    """One comment from the public on a version under consultation, and the drafting department's disposition
    (decision + reason; 122号 Art.12: the comments are answered before the leader in charge approves)."""

    __tablename__ = "standard_comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(ForeignKey("standards.version"), index=True)
    name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    contact: Mapped[str | None] = mapped_column(String(200), nullable=True)  # personal data (G1-17)
    text: Mapped[str] = mapped_column(Text)
    # SHA-256 of (name, contact, text): the same comment sent again is the same comment (a retry, not a second)
    content_hash: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    origin: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decision: Mapped[str | None] = mapped_column(String(20), nullable=True)  # one of DECISIONS; null = pending
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (UniqueConstraint("version", "content_hash", name="uq_standard_comments_version_content"),)


class StandardVersion(Base):
    """A versioned evaluation standard (general or one industry), its content as in the YAML file."""

    __tablename__ = "standards"
    version: Mapped[str] = mapped_column(String(60), primary_key=True)
    family: Mapped[str] = mapped_column(String(10))
    industry: Mapped[str | None] = mapped_column(ForeignKey("industries.code"), nullable=True)
    status: Mapped[str] = mapped_column(String(20))  # draft | consultation | approved | in_force | superseded
    effective_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    content: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    # Lifecycle (122号 Art.12; spec D1-08, D1-28). Stored status is draft | consultation | approved; the seeded
    # defaults carry in_force. Whether an approved version is in force or superseded on a day is derived from
    # the effective dates (xinyong.governance.service.status_on).
    consultation_start: Mapped[date | None] = mapped_column(Date, nullable=True)  # 公开征求意见 publication day
    consultation_end: Mapped[date | None] = mapped_column(Date, nullable=True)  # last day of the consultation
    approved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 主管领导, D1-08
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # Beijing time, D1-08
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_department: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    based_on: Mapped[str | None] = mapped_column(String(60), nullable=True)  # the version the draft revises
