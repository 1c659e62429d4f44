"""All reference-data queries: departments, industries, the catalogue, stored standard versions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.memo import per_transaction, watch
from .models import CatalogueItem, Department, Industry

# reference rows read once per transaction (db/memo.py); a write of them in the transaction reads them again
watch(CatalogueItem.__tablename__, Industry.__tablename__, Department.__tablename__)


def industries(session: Session) -> Sequence[Industry]:
    return session.scalars(select(Industry).order_by(Industry.code)).all()


def industry_codes(session: Session) -> tuple[str, ...]:
    return per_transaction(session, "industry_codes",
                           lambda: tuple(session.scalars(select(Industry.code).order_by(Industry.code))))


def departments(session: Session) -> Sequence[Department]:
    return session.scalars(select(Department).order_by(Department.code)).all()


def catalogue_items(session: Session) -> Sequence[CatalogueItem]:
    return list(_catalogue(session).values())


def _catalogue(session: Session) -> dict[str, CatalogueItem]:
    return per_transaction(session, "catalogue", lambda: {c.code: c for c in session.scalars(select(CatalogueItem))})


def catalogue_item(session: Session, code: str) -> CatalogueItem | None:
    """One item, from the transaction's one read of the catalogue (a record write looks it up several times)."""
    return _catalogue(session).get(code)


def industry(session: Session, code: str) -> Industry | None:
    return session.get(Industry, code)


def catalogue(session: Session) -> dict[str, CatalogueItem]:
    return dict(_catalogue(session))
