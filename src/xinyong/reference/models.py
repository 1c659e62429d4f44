"""Reference data: departments (122号 Art.4, 122号 Art.27), industries (122号 Art.4(2)), catalogue items (122号 Art.7), standards."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base


class Department(Base):
    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))  # coordinating | hall | support | business
    reference: Mapped[str] = mapped_column(Text, default="")


class Industry(Base):
    __tablename__ = "industries"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    regulator: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    reference: Mapped[str] = mapped_column(Text, default="")


class CatalogueItem(Base):
    """归集目录 entry: what a record can be about. Points and caps live in the standard versions."""

    __tablename__ = "catalogue_items"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    polarity: Mapped[str] = mapped_column(String(8))
    family: Mapped[str] = mapped_column(String(10))
    industry: Mapped[str | None] = mapped_column(ForeignKey("industries.code"), nullable=True)
    source_category: Mapped[str] = mapped_column(String(20))
    admin_category: Mapped[str] = mapped_column(String(40))
    fuse_article: Mapped[str | None] = mapped_column(String(40), nullable=True)
    heavier: Mapped[bool] = mapped_column(Boolean, default=False)
    work_safety: Mapped[bool] = mapped_column(Boolean, default=False)
    article: Mapped[str] = mapped_column(Text)


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
