"""Stored current evaluations, kept current in the same transaction as every record write (122号 Art.13)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base
from ..messages.evaluation import GENERAL_SCOPE as GENERAL_SCOPE  # re-exported for the models' users


class Evaluation(Base):
    __tablename__ = "evaluations"
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)  # "general" or an industry code
    as_of: Mapped[date] = mapped_column(Date)
    standard_version: Mapped[str] = mapped_column(String(200))
    base_score: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(1))
    level: Mapped[str] = mapped_column(String(2))
    fused: Mapped[bool] = mapped_column(Boolean)
    fuse_articles: Mapped[list] = mapped_column(JSON)  # type: ignore[type-arg]
    components: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)

    # the dashboard's counts and the grade filter of the subject list read one scope (issue 11): index-only
    __table_args__ = (Index("ix_evaluations_scope_grade", "scope", "grade", "level", "fused"),
                      Index("ix_evaluations_scope_score", "scope", "score"))
