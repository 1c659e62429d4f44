"""Tables of the cases domain: 异议处理及信用修复 (122号 Art.18; spec D1-36, G1-07).

A case is one application of an evaluated subject (or filed by staff on its behalf): an objection to a record
(信用数据归集, D1-36(b)) or to an evaluation result (评价结果, D1-36(a)), or a credit-repair request (D1-36(c)).
It moves through the states of D1-36, each step a `case_steps` row and an archived fact (122号 Art.19), with the
deadline of the current step in `due_on` (working days, G1-07, cases/cases.yaml).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base

KINDS = ("objection", "repair")
CHANNELS = ("credit_china_beijing", "commission", "portal")  # 信用中国(北京) | 市规划自然资源委 | the subject's portal
OUTCOMES = ("upheld", "rejected")
REMEDIES = ("withdraw", "correct")  # what an upheld objection to a record does to it (122号 Art.10, Art.18)

# D1-36: received → routed → under_verification → opinion_issued → reported_to_credit_authority → repaired|rejected
# → closed
STATES = ("received", "routed", "under_verification", "opinion_issued", "reported_to_credit_authority",
          "repaired", "rejected", "closed")
UNRESOLVED = STATES[:5]  # the case is open: an objection to a record keeps it "under objection" (G1-07)
TIMED = UNRESOLVED  # states whose step has a deadline (G1-07); repaired/rejected wait for the hall to close


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))  # objection | repair
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), nullable=True, index=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("list_memberships.id"), nullable=True)
    industry: Mapped[str | None] = mapped_column(String(40), nullable=True)  # "general" or an industry code
    statement: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(32), default="received")
    department: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), nullable=True)
    received_on: Mapped[date] = mapped_column(Date)
    routed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    opinion_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # deadline of the current step (G1-07)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)  # the holiday calendar lacks the year
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(12), nullable=True)  # upheld | rejected
    opinion: Mapped[str | None] = mapped_column(Text, nullable=True)  # 审核意见
    remedy: Mapped[str | None] = mapped_column(String(12), nullable=True)  # withdraw | correct
    correction: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON: the corrected fields of a record
    result_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), nullable=True)  # new version
    filed_by: Mapped[str] = mapped_column(String(100))
    filed_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)

    __table_args__ = (Index("ix_cases_queue", "department", "state", "due_on"),)


class CaseStep(Base):
    """One transition of a case (the timeline): the state entered, when, by whom, and a note."""

    __tablename__ = "case_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    state: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    by: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class CaseEvidence(Base):
    """证明材料 of a case (122号 Art.19), stored content-addressed like record evidence (evidence.storage)."""

    __tablename__ = "case_evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)

    __table_args__ = (UniqueConstraint("case_id", "sha256", name="uq_case_evidence_case_sha256"),)


class OverdueNotice(Base):
    """One notice per overdue step (flag_overdue_cases): the same case, state and deadline are flagged once."""

    __tablename__ = "case_overdue_notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    state: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date] = mapped_column(Date)
    notified_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)

    __table_args__ = (UniqueConstraint("case_id", "state", "due_on", name="uq_case_overdue_notices_step"),)
