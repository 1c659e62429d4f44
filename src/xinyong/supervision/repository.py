"""All queries on measures lists, the decision log and ranking snapshots."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import DecisionLog, MeasuresList, Ranking

FILED = "filed"


def list_by_id(session: Session, list_id: int) -> MeasuresList | None:
    return session.get(MeasuresList, list_id) if 0 < list_id < 2**31 else None


def last_version(session: Session, industry: str, kind: str) -> int:
    return int(session.scalar(select(func.max(MeasuresList.version)).where(
        MeasuresList.industry == industry, MeasuresList.kind == kind)) or 0)


def measures_lists(session: Session, industry: str | None = None, kind: str | None = None,
                   status: str | None = None) -> Sequence[MeasuresList]:
    stmt = select(MeasuresList)
    if industry is not None:
        stmt = stmt.where(MeasuresList.industry == industry)
    if kind is not None:
        stmt = stmt.where(MeasuresList.kind == kind)
    if status is not None:
        stmt = stmt.where(MeasuresList.status == status)
    return session.scalars(stmt.order_by(MeasuresList.industry, MeasuresList.kind, MeasuresList.version)).all()


def filed_lists(session: Session, industries: Collection[str] | None = None, kinds: Collection[str] | None = None
                ) -> Sequence[MeasuresList]:
    """Every filed version (of these industries and kinds), oldest effective day first."""
    stmt = select(MeasuresList).where(MeasuresList.status == FILED)
    if industries is not None:
        stmt = stmt.where(MeasuresList.industry.in_(list(industries)))
    if kinds is not None:
        stmt = stmt.where(MeasuresList.kind.in_(list(kinds)))
    return session.scalars(stmt.order_by(MeasuresList.industry, MeasuresList.kind, MeasuresList.effective_from,
                                         MeasuresList.version)).all()


def latest_filed_effective(session: Session, industry: str, kind: str) -> date | None:
    return session.scalar(select(func.max(MeasuresList.effective_from)).where(
        MeasuresList.industry == industry, MeasuresList.kind == kind, MeasuresList.status == FILED))


def add_log(session: Session, row: DecisionLog) -> DecisionLog:
    session.add(row)
    session.flush()
    return row


def log_rows(session: Session, subject_id: int | None, process: str | None, limit: int, offset: int
             ) -> tuple[int, Sequence[DecisionLog]]:
    stmt = select(DecisionLog)
    if subject_id is not None:
        stmt = stmt.where(DecisionLog.subject_id == subject_id)
    if process is not None:
        stmt = stmt.where(DecisionLog.process == process)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(DecisionLog.at.desc(), DecisionLog.id.desc()).limit(limit).offset(offset))
    return int(total), rows.all()


def ranking_by_id(session: Session, ranking_id: int) -> Ranking | None:
    return session.get(Ranking, ranking_id) if 0 < ranking_id < 2**31 else None


def ranking_of_month(session: Session, industry: str, month: str) -> Ranking | None:
    return session.scalars(select(Ranking).where(Ranking.industry == industry, Ranking.month == month)).first()


def rankings(session: Session, industry: str | None, status: str | None) -> Sequence[Ranking]:
    stmt = select(Ranking)
    if industry is not None:
        stmt = stmt.where(Ranking.industry == industry)
    if status is not None:
        stmt = stmt.where(Ranking.status == status)
    return session.scalars(stmt.order_by(Ranking.industry, Ranking.as_of.desc(), Ranking.id.desc())).all()
