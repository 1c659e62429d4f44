"""All reference-data queries: departments, industries, the catalogue, stored standard versions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import CatalogueItem, Department, Industry


def industries(session: Session) -> Sequence[Industry]:
    return session.scalars(select(Industry).order_by(Industry.code)).all()


def industry_codes(session: Session) -> tuple[str, ...]:
    return tuple(session.scalars(select(Industry.code).order_by(Industry.code)))


def departments(session: Session) -> Sequence[Department]:
    return session.scalars(select(Department).order_by(Department.code)).all()


def catalogue_items(session: Session) -> Sequence[CatalogueItem]:
    return session.scalars(select(CatalogueItem)).all()


def industry(session: Session, code: str) -> Industry | None:
    return session.get(Industry, code)


def catalogue(session: Session) -> dict[str, CatalogueItem]:
    return {c.code: c for c in session.scalars(select(CatalogueItem))}
