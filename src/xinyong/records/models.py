"""信用记录 — "one event, one record" (122号 Art.19). Records are append-only (122号 Art.8(2) 不得擅自修改):
a withdrawal is a new fact linked to the record, never an edit of it."""

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
    column,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base


class Record(Base):
    __tablename__ = "records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    item: Mapped[str] = mapped_column(ForeignKey("catalogue_items.code"))
    act_date: Mapped[date] = mapped_column(Date)
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    source_ref: Mapped[str] = mapped_column(String(200))  # unique per subject: one decision, several parties
    source_system: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[str] = mapped_column(String(12))  # interface | manual (122号 Art.8 系统对接为主、人工录入为辅)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    # 122号 Art.8(1): due = act date + 5 working days; provisional while the holiday calendar lacks the year.
    due_date: Mapped[date] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), nullable=True, index=True)
    decision_no: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 文书编号 (G1-16)
    info_class: Mapped[str] = mapped_column(String(12), default="planning", server_default="planning")  # 122号 Art.6
    admin_category: Mapped[str | None] = mapped_column(String(24), nullable=True)  # 122号 Art.7
    accident_grade: Mapped[str | None] = mapped_column(String(8), nullable=True)  # 国务院令第493号 (G1-06(c))
    # 122号 Art.16(2) 拒不履行: a record that closes an open refusal (it was performed) names the refusal here.
    closes_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), nullable=True)
    # The last day the record has effect (e.g. the end of its 公示期); the day after, `expire_records` withdraws it
    # as an automatic repair (44号 Task 14 自动修复; spec G3-01). None: no end stated.
    effect_ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (
        Index("ix_records_subject_act", "subject_id", "act_date"),
        UniqueConstraint("subject_id", "source_ref", name="uq_records_subject_source_ref"),
        Index("ix_records_decision", "subject_id", "department", "decision_no", "item"),
        # the lateness report (122号 Art.8(1)) counts a year's first versions by department: index-only
        Index("ix_records_lateness", "act_date", "department", "channel", "late", "due_provisional", "supersedes_id"),
        # is a refusal closed (122号 Art.16(2), records.repository.open_refusals): one probe, not a read of the table
        Index("ix_records_closes_id", "closes_id", postgresql_where=column("closes_id").is_not(None),
              sqlite_where=column("closes_id").is_not(None)),
    )


class LatenessCount(Base):
    """逾期填报统计的日快照 (122号 Art.8(1)): the lateness report's counts of the first versions with id <= upto_id, per
    act year, department and channel, taken by the daily job `lateness_snapshot`. The report adds the records with
    id > upto_id (a primary-key range) to it, so a view at a million records reads one day's rows, not all of them.
    Records are append-only; the only change to a counted field (finalise_provisional_due_dates) drops the
    snapshot in the same transaction."""

    __tablename__ = "lateness_counts"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    department: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    records: Mapped[int] = mapped_column(Integer)
    late: Mapped[int] = mapped_column(Integer)
    provisional: Mapped[int] = mapped_column(Integer)
    upto_id: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(DateTime)


class Duplicate(Base):
    """The same decision arrived again under another source reference (spec G1-16): the record is kept, linked to
    the one that counts, and counts no more. The interface record wins over a manual one (122号 Art.8 系统对接为主)."""

    __tablename__ = "record_duplicates"
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    duplicate_of_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    reason: Mapped[str] = mapped_column(Text)
    marked_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)


class Withdrawal(Base):
    """撤销: the record stops counting from now on; the record itself stays as it was."""

    __tablename__ = "record_withdrawals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    # error (工作中发现的错误, 122号 Art.10) | objection (异议核实后撤销, 122号 Art.18) | repair (信用修复, 122号 Art.18).
    # objection and repair withdrawals are hidden from public views (spec G1-17); the archive keeps their proof.
    kind: Mapped[str] = mapped_column(String(12), default="error", server_default="error")
    withdrawn_by: Mapped[str] = mapped_column(String(100))
    withdrawn_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)


WITHDRAWAL_KINDS = ("error", "objection", "repair")
PUBLICLY_HIDDEN_KINDS = ("objection", "repair")  # spec G1-17, issue 3 item 5: hidden from public and ranking views


class Correction(Base):
    """信息纠错 (122号 Art.10): the correction of a record is a new version (a new row whose supersedes_id names
    the old one); this row carries why, on whose authority, who and when. The old row is never edited
    (122号 Art.8(2) 不得擅自修改). One correction per version: a version is superseded at most once (no forks)."""

    __tablename__ = "record_corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), unique=True)  # the new version
    supersedes_id: Mapped[int] = mapped_column(ForeignKey("records.id"), unique=True)  # the old version
    reason: Mapped[str] = mapped_column(Text)
    authority_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)  # e.g. 审核意见文号 (spec D1-19)
    corrected_by: Mapped[str] = mapped_column(String(100))
    corrected_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)


class Dispute(Base):
    """异议 pending on a record (122号 Art.18; spec G1-07): while an objection case to it is open the record is shown
    "under objection" and still counts (the measures give no suspension). `case_id` names the case of the cases
    domain (no foreign key: records sit below cases); `closed_at` is set when the case is resolved."""

    __tablename__ = "record_disputes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    case_id: Mapped[int] = mapped_column(Integer, unique=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
