"""Reference data: departments (122号 Art.4, 122号 Art.27), industries (122号 Art.4(2)), catalogue items (122号 Art.7), standards."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

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
