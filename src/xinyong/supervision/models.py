"""Tables of 分级分类监管: measures lists (122号 Art.20, 21, 24), the decision log (122号 Art.22, 23, 25, 26) and
ranking snapshots (122号 Art.17)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import beijing_now
from ..db.base import Base


class MeasuresList(Base):
    """One dated version of an industry's (or, `industry` = "general", the coordinating department's) punishment
    or incentive list. Stored statuses: draft → approved (主管领导审核同意) → filed (报统筹部门备案, with the day it
    takes effect). in_force / superseded are derived from the effective dates on the day asked about (122号 Art.24).
    Once approved, neither the list nor its entries change: a new version is drafted instead."""

    __tablename__ = "measures_lists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    industry: Mapped[str] = mapped_column(String(40))  # an industry code or "general"
    kind: Mapped[str] = mapped_column(String(12))  # punishment (122号 Art.20) | incentive (122号 Art.21)
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, … per (industry, kind)
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    drafted_by: Mapped[str] = mapped_column(String(100))
    drafted_department: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    approved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    filed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    filed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    effective_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    entries: Mapped[list[MeasuresEntry]] = relationship(
        order_by="MeasuresEntry.position", cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        UniqueConstraint("industry", "kind", "version", name="uq_measures_lists_industry_kind_version"),
        Index("ix_measures_lists_in_force", "industry", "kind", "status", "effective_from"),
    )


class MeasuresEntry(Base):
    """One line of a list (122号 Art.24): 信用等级 (grade, optionally a nine-level override, G1-10), 监管应用事项,
    措施依据, 实施类别, 实施部门, the process it is applied in (122号 Art.25) and, for inspection lines, the factor
    of the routine inspection ratio (G1-09)."""

    __tablename__ = "measures_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("measures_lists.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(1))
    level: Mapped[str | None] = mapped_column(String(2), nullable=True)
    process: Mapped[str] = mapped_column(String(30))
    item: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(100))
    department: Mapped[str] = mapped_column(String(100))
    inspection_factor: Mapped[float | None] = mapped_column(Float, nullable=True)


class DecisionLog(Base):
    """Every answer of the decision service (122号 Art.25 应用评价结果; 122号 Art.26 社会化应用): who asked, in which
    process, about whom, what was answered and when — so an audit can show which measures were applied to whom."""

    __tablename__ = "decision_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    day: Mapped[date] = mapped_column(Date)  # the Beijing day of the answer
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    department: Mapped[str | None] = mapped_column(String(40), nullable=True)
    channel: Mapped[str] = mapped_column(String(12))
    origin: Mapped[str] = mapped_column(String(100), default="")
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    process: Mapped[str] = mapped_column(String(30))
    industry: Mapped[str | None] = mapped_column(String(40), nullable=True)
    grade: Mapped[str] = mapped_column(String(1))
    level: Mapped[str] = mapped_column(String(2))
    fused: Mapped[bool] = mapped_column(Boolean)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)  # measures, warnings and the lists they came from
    purpose: Mapped[str | None] = mapped_column(Text, nullable=True)  # 122号 Art.26: why a social body asks
    legal_basis: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        Index("ix_decision_log_subject", "subject_id", "at"),
        Index("ix_decision_log_process", "process", "at"),
    )


class Ranking(Base):
    """A ranking snapshot of one industry as of a day (122号 Art.17 排行榜): a draft until the leader in charge
    approves it, then published and never changed. `month` marks the monthly draft made by the daily job
    (one per industry and month, G1-11)."""

    __tablename__ = "rankings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    industry: Mapped[str] = mapped_column(ForeignKey("industries.code"))
    as_of: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)  # the bad records counted for ties: [period_start, as_of]
    status: Mapped[str] = mapped_column(String(12))  # draft | published
    month: Mapped[str | None] = mapped_column(String(7), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    approved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    entries: Mapped[list[RankingEntry]] = relationship(
        order_by="RankingEntry.rank", cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        UniqueConstraint("industry", "month", name="uq_rankings_industry_month"),
        Index("ix_rankings_industry_status", "industry", "status"),
    )


class RankingEntry(Base):
    __tablename__ = "ranking_entries"
    ranking_id: Mapped[int] = mapped_column(ForeignKey("rankings.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    subject_code: Mapped[str] = mapped_column(String(18))
    subject_kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200))
    score: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(1))
    level: Mapped[str] = mapped_column(String(2))
    fused: Mapped[bool] = mapped_column(Boolean)
    bad_records: Mapped[int] = mapped_column(Integer)
    last_bad_on: Mapped[date | None] = mapped_column(Date, nullable=True)
