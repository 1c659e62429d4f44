"""All reference-data queries: departments, industries, the catalogue, stored standard versions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session

from ..db.memo import memoised, per_transaction, per_version, watch
from .models import CatalogueItem, Department, Industry

# reference rows read once per transaction (db/memo.py); a write of them in the transaction reads them again
watch(CatalogueItem.__tablename__, Industry.__tablename__, Department.__tablename__)

T = TypeVar("T")
_VERSION = "reference_version"


def version_columns() -> tuple[ScalarSelect[Any], ...]:
    """The version of the industries and the catalogue, as columns another domain's statement can carry (the
    standards' signature, governance/rulebook.py): their row counts. Both tables only grow — rows are added by
    seeding (reference/service.py: seed_reference) and by loading a standard (extend_catalogue); no code updates or
    deletes one, and a migration that would runs with the server stopped — so a count names their content."""
    return (select(func.count()).select_from(Industry).scalar_subquery(),
            select(func.count()).select_from(CatalogueItem).scalar_subquery())


def remember_version(session: Session, version: Sequence[Any]) -> None:
    """The version read by another statement of this transaction (version_columns): not read again."""
    per_transaction(session, _VERSION, lambda: tuple(version))


def reference_version(session: Session) -> tuple[Any, ...]:
    return per_transaction(session, _VERSION, lambda: tuple(session.execute(select(*version_columns())).one()))


def per_reference_version(session: Session, key: str, compute: Callable[[], T]) -> T:
    """`compute()` (immutable) kept for the whole process while the industries and the catalogue stay as they
    are (db/memo.py per_version): a GET of an evaluation reads neither (issue 10 item 5)."""
    return per_version(session, key, lambda: reference_version(session), compute)


def industries(session: Session) -> Sequence[Industry]:
    return session.scalars(select(Industry).order_by(Industry.code)).all()


def industry_codes(session: Session) -> tuple[str, ...]:
    return per_reference_version(session, "industry_codes",
                                 lambda: tuple(session.scalars(select(Industry.code).order_by(Industry.code))))


def departments(session: Session) -> Sequence[Department]:
    return session.scalars(select(Department).order_by(Department.code)).all()


def catalogue_items(session: Session) -> Sequence[CatalogueItem]:
    return list(_catalogue(session).values())


_CATALOGUE = "catalogue"


def _catalogue(session: Session) -> dict[str, CatalogueItem]:
    return per_transaction(session, _CATALOGUE, lambda: {c.code: c for c in session.scalars(select(CatalogueItem))})


def catalogue_read(session: Session) -> bool:
    """Whether this transaction holds the catalogue already (a look-up in it costs no statement)."""
    return memoised(session, _CATALOGUE)


def catalogue_item(session: Session, code: str) -> CatalogueItem | None:
    """One item, from the transaction's one read of the catalogue (a record write looks it up several times)."""
    return _catalogue(session).get(code)


def industry(session: Session, code: str) -> Industry | None:
    return session.get(Industry, code)


def catalogue(session: Session) -> dict[str, CatalogueItem]:
    return dict(_catalogue(session))
