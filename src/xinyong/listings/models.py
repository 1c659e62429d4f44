"""A subject's membership of a list (名单): listed on a day, removed on a later day (or still listed)."""

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


class Membership(Base):
    """Listed from `listed_on` (inclusive) until `removed_on` (exclusive: from the removal day on, the subject is
    no longer on the list) or to `ends_on` (inclusive: the last day of a fixed listing period). Never edited but
    for the removal, which is archived (122号 Art.19)."""

    __tablename__ = "list_memberships"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    list_code: Mapped[str] = mapped_column(String(40))
    listed_on: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(String(12))  # system (系统对接) | department (部门录入)
    department: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), nullable=True)
    source_ref: Mapped[str] = mapped_column(String(200))
    removal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    removed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # The last day the listing has effect (e.g. the fixed listing period of lists.yaml; spec G3-01(a)). The day
    # after, the subject is no longer on the list, and the daily job records the removal (44号 Task 14 自动移出).
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # a removal made by the system without any application (44号 Task 14 无需申请即可自动移出), and its rule
    removal_automatic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    removal_rule: Mapped[str | None] = mapped_column(String(60), nullable=True)

    __table_args__ = (
        UniqueConstraint("subject_id", "list_code", "source_ref", name="uq_list_memberships_subject_list_ref"),
        Index("ix_list_memberships_list_dates", "list_code", "listed_on"),
        Index("ix_list_memberships_subject", "subject_id"),
        Index("ix_list_memberships_ends_on", "ends_on"),
    )

    def active_on(self, day: date) -> bool:
        return (self.listed_on <= day and (self.removed_on is None or day < self.removed_on)
                and (self.ends_on is None or day <= self.ends_on))
