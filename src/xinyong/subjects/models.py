"""评价对象 — evaluated subjects: organisations by USCC, individuals by resident ID number (122号 Art.9)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import beijing_now, beijing_today
from ..db.base import Base


class Subject(Base):
    __tablename__ = "subjects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(12))  # organization | individual
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    industries: Mapped[list[SubjectIndustry]] = relationship(
        order_by="SubjectIndustry.industry", cascade="all, delete-orphan", lazy="selectin"
    )
    grades: Mapped[list[NationalGrade]] = relationship(
        order_by="(NationalGrade.valid_from, NationalGrade.id)", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def industry_codes(self) -> list[str]:
        return [si.industry for si in self.industries]

    @property
    def national_grade(self) -> str | None:
        """The national credit level in effect today (国家信用评价等级, 122号 Art.6 基础信用信息): the latest entry
        effective on or before today, else the earliest known one."""
        today = beijing_today()
        current = [g for g in self.grades if g.valid_from <= today]
        chosen = current[-1] if current else (self.grades[0] if self.grades else None)
        return chosen.grade if chosen else None


class SubjectIndustry(Base):
    __tablename__ = "subject_industries"
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    industry: Mapped[str] = mapped_column(ForeignKey("industries.code"), primary_key=True)


class NationalGrade(Base):
    """History of the national level: the base of a period is the level current at its start (G1-15)."""

    __tablename__ = "national_grades"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    grade: Mapped[str | None] = mapped_column(String(1), nullable=True)  # A|B|C|D, None = no national level
    valid_from: Mapped[date] = mapped_column(Date)  # effective_on: from this day (122号 Art.13, G1-15)
    source: Mapped[str | None] = mapped_column(String(200), nullable=True)  # e.g. 信用中国 批次号 (122号 Art.6)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
