"""Queries on the standard versions (table `standards`) and the collection catalogue."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from ..reference import repository as reference_repo
from .models import StandardComment, StandardVersion

# Approved versions count from their effective date; the seeded defaults are stored as in_force (122号 Art.12).
APPROVED_STATES = ("approved", "in_force", "superseded")


def all_versions(session: Session) -> list[StandardVersion]:
    return list(session.scalars(
        select(StandardVersion).order_by(StandardVersion.family, StandardVersion.industry,
                                         StandardVersion.effective_date, StandardVersion.version)
    ))


def get(session: Session, version: str) -> StandardVersion | None:
    return session.get(StandardVersion, version)


def approved_of(session: Session, family: str, industry: str | None) -> list[StandardVersion]:
    """The approved versions of one standard (the general one, or one industry's), by effective date."""
    stmt = select(StandardVersion).where(StandardVersion.family == family,
                                         StandardVersion.status.in_(APPROVED_STATES))
    stmt = stmt.where(StandardVersion.industry.is_(None) if industry is None else StandardVersion.industry == industry)
    return sorted(session.scalars(stmt), key=lambda r: (r.effective_date or r.loaded_at.date(), r.version))


def versions_like(session: Session, prefix: str) -> list[str]:
    return list(session.scalars(select(StandardVersion.version).where(StandardVersion.version.like(f"{prefix}%"))))


def comments_of(session: Session, version: str) -> list[StandardComment]:
    return list(session.scalars(select(StandardComment).where(StandardComment.version == version)
                                .order_by(StandardComment.id)))


def comment(session: Session, version: str, comment_id: int) -> StandardComment | None:
    """None for an id outside 32-bit integers too (it names no comment and must not reach the driver)."""
    if not 0 < comment_id < 2**31:
        return None
    row = session.get(StandardComment, comment_id)
    return row if row is not None and row.version == version else None


def comment_by_hash(session: Session, version: str, digest: str) -> StandardComment | None:
    return session.scalars(select(StandardComment).where(StandardComment.version == version,
                                                         StandardComment.content_hash == digest)).first()


def pending_comments(session: Session, version: str) -> list[StandardComment]:
    return list(session.scalars(select(StandardComment).where(StandardComment.version == version,
                                                              StandardComment.decision.is_(None))
                                .order_by(StandardComment.id)))


def in_force_signature(session: Session, states: Collection[str]) -> Sequence[Any]:
    """(version, status, effective_date, loaded_at) of the counting versions: what the rulebook cache keys on.
    The same statement carries the version of the industries and the catalogue (reference/repository.py:
    version_columns), remembered for the transaction: the rulebook's industry codes and the refusal items then
    come from the process's caches without a statement of their own."""
    rows = session.execute(_in_force_signature(), {"states": list(states)}).all()
    if rows:
        reference_repo.remember_version(session, tuple(rows[0][4:]))
    return [tuple(r[:4]) for r in rows]


@cache
def _in_force_signature() -> Select:  # type: ignore[type-arg]
    # built once with bound parameters (read by every unit of work that evaluates: its construction and cache
    # key cost more Python than its execution)
    return (select(StandardVersion.version, StandardVersion.status, StandardVersion.effective_date,
                   StandardVersion.loaded_at, *reference_repo.version_columns())
            .where(StandardVersion.status.in_(bindparam("states", expanding=True))).order_by(StandardVersion.version))


def in_force_versions(session: Session, states: Collection[str]) -> Sequence[Any]:
    """(version, industry, effective_date, family, content) of the counting versions."""
    return session.execute(
        select(StandardVersion.version, StandardVersion.industry, StandardVersion.effective_date,
               StandardVersion.family, StandardVersion.content)
        .where(StandardVersion.status.in_(states))
    ).all()
