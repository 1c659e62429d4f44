"""信用承诺 — one commitment item (承诺事项) a licence applicant made, entered by the business department
(122号 Art.8 last paragraph), and what became of it: fulfilled, or breached (122号 Art.7(2), 122号 Art.16(3))."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base

# open: before the due day, or after it until the notice; overdue: the notice was sent, the grace runs;
# fulfilled: performed (evidence on file); breached: a credit record of the breach item was entered.
STATES = ("open", "overdue", "fulfilled", "breached")
OUTSTANDING = ("open", "overdue")  # still to perform: shown on every lookup of the subject (事前信用预警)


class Commitment(Base):
    __tablename__ = "commitments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))  # the identity of the item (a Text column is no key)
    made_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    licence_ref: Mapped[str] = mapped_column(String(200))  # the licence (行政许可) the commitment was made for
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))  # 谁生成、谁录入、谁负责
    state: Mapped[str] = mapped_column(String(12), default="open")
    notice_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # the overdue notice: the grace runs from it
    grace_ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # set with the notice
    fulfilled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)
    breached_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # the act date of the breach record
    breach_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    breach_automatic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    breach_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), nullable=True)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    closed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)  # who fulfilled or breached it
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("subject_id", "department", "licence_ref", "content_sha256",
                         name="uq_commitments_subject_licence_content"),
        Index("ix_commitments_state_due", "state", "due_on"),
        Index("ix_commitments_subject", "subject_id"),
    )
