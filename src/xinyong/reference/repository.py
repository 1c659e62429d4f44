"""All reference-data queries: departments, industries, the catalogue, stored standard versions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import CatalogueItem, Department, Industry, StandardVersion


def industries(session: Session) -> Sequence[Industry]:
    return session.scalars(select(Industry).order_by(Industry.code)).all()


def industry_codes(session: Session) -> tuple[str, ...]:
    return tuple(session.scalars(select(Industry.code).order_by(Industry.code)))


def departments(session: Session) -> Sequence[Department]:
    return session.scalars(select(Department).order_by(Department.code)).all()


def catalogue_items(session: Session) -> Sequence[CatalogueItem]:
    return session.scalars(select(CatalogueItem)).all()


def in_force_signature(session: Session, states: Collection[str]) -> Sequence[Any]:
    """(version, status, effective_date, loaded_at) of the counting versions: what the rulebook cache keys on."""
    return session.execute(
        select(StandardVersion.version, StandardVersion.status, StandardVersion.effective_date,
               StandardVersion.loaded_at)
        .where(StandardVersion.status.in_(states)).order_by(StandardVersion.version)
    ).all()


def in_force_versions(session: Session, states: Collection[str]) -> Sequence[Any]:
    """(version, industry, effective_date, family, content) of the counting versions."""
    return session.execute(
        select(StandardVersion.version, StandardVersion.industry, StandardVersion.effective_date,
               StandardVersion.family, StandardVersion.content)
        .where(StandardVersion.status.in_(states))
    ).all()
