"""Tables of the inspections domain: the inspector list, the drawn plans, the 无事不扰 whitelist, inspections."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base


class Inspector(Base):
    """执法检查人员名录: the persons a department draws its inspectors from (双随机: the second random draw)."""

    __tablename__ = "inspectors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    code: Mapped[str] = mapped_column(String(40))  # e.g. the law-enforcement certificate number (执法证号)
    name: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)

    __table_args__ = (UniqueConstraint("department", "code", name="uq_inspectors_department_code"),)


class InspectionPlan(Base):
    """监督检查计划 (122号 Art.25): drawn once and never changed. `body` holds what was published (population with
    grades, whitelisted subjects, factors, draws, inspectors, recipe); `digest` is the SHA-256 of its canonical
    JSON. No route updates a plan, the ORM refuses an UPDATE (below) and the migration adds a trigger that makes
    the database refuse one too."""

    __tablename__ = "inspection_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    industry: Mapped[str] = mapped_column(ForeignKey("industries.code"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    base_ratio: Mapped[str] = mapped_column(String(40))  # exact decimal, as given
    seed: Mapped[str] = mapped_column(String(32))
    drawn_on: Mapped[date] = mapped_column(Date)
    drawn_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    drawn_by: Mapped[str] = mapped_column(String(100))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_inspection_plans_department_start", "department", "period_start"),)


@event.listens_for(InspectionPlan, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: InspectionPlan) -> None:
    """A drawn plan is immutable (anyone re-computes it from the published seed and population)."""
    raise PermissionError(f"inspection plan {target.id} is immutable once drawn")


class WhitelistEntry(Base):
    """"无事不扰"白名单 (44号 Task 12; spec G3-02): on the list from `added_on` (inclusive) until `removed_on`
    (exclusive). `open_key` is "subject_id:industry" while the entry holds and NULL once removed: a unique column,
    so a subject is on one industry's whitelist at most once at a time on every backend."""

    __tablename__ = "inspection_whitelist"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    industry: Mapped[str] = mapped_column(ForeignKey("industries.code"))
    basis: Mapped[str] = mapped_column(String(8))  # rule (quarterly review) | manual
    reason: Mapped[str] = mapped_column(Text)
    added_on: Mapped[date] = mapped_column(Date)
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    open_key: Mapped[str | None] = mapped_column(String(60), nullable=True, unique=True)
    removed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    removal_cause: Mapped[str | None] = mapped_column(String(12), nullable=True)  # bad_record|listing|review|manual
    removal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    removed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (Index("ix_inspection_whitelist_industry", "industry", "added_on"),)

    def active_on(self, day: date) -> bool:
        return self.added_on <= day and (self.removed_on is None or day < self.removed_on)


class Inspection(Base):
    """One inspection carried out (检查): its kind, result and findings; the exception code that allowed an on-site
    inspection of a whitelisted subject (44号 Task 12); the credit record it flowed back as (122号 Art.7)."""

    __tablename__ = "inspections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_plans.id"), nullable=True, index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    kind: Mapped[str] = mapped_column(String(8))  # on_site | off_site
    inspected_on: Mapped[date] = mapped_column(Date)  # the API's "date"
    grade: Mapped[str | None] = mapped_column(String(1), nullable=True)  # planned: the draw's grade; else current
    whitelisted: Mapped[bool] = mapped_column(Boolean, default=False)
    exception_code: Mapped[str | None] = mapped_column(String(24), nullable=True)
    result: Mapped[str] = mapped_column(String(4))  # pass | fail
    findings: Mapped[str] = mapped_column(Text, default="")
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), nullable=True)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)

    __table_args__ = (Index("ix_inspections_department_inspected_on", "department", "inspected_on"),)
