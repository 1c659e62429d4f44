"""All queries of the inspections domain's tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .models import Inspection, InspectionPlan, Inspector, WhitelistEntry


def _id_ok(n: int) -> bool:
    return 0 < n < 2**31  # a larger number names no row (and must not reach the driver)


# -- inspectors ---------------------------------------------------------------------------------------------------
def inspector(session: Session, department: str, code: str) -> Inspector | None:
    return session.scalars(select(Inspector).where(Inspector.department == department,
                                                   Inspector.code == code)).first()


def inspectors_of(session: Session, department: str) -> Sequence[Inspector]:
    return session.scalars(select(Inspector).where(Inspector.department == department)
                           .order_by(Inspector.code)).all()


# -- plans --------------------------------------------------------------------------------------------------------
def plan(session: Session, plan_id: int) -> InspectionPlan | None:
    return session.get(InspectionPlan, plan_id) if _id_ok(plan_id) else None


def plans(session: Session, department: str | None, industry: str | None) -> Sequence[InspectionPlan]:
    stmt = select(InspectionPlan)
    if department:
        stmt = stmt.where(InspectionPlan.department == department)
    if industry:
        stmt = stmt.where(InspectionPlan.industry == industry)
    return session.scalars(stmt.order_by(InspectionPlan.id.desc())).all()


def plans_starting_in(session: Session, department: str, first: date, last: date) -> Sequence[InspectionPlan]:
    return session.scalars(select(InspectionPlan).where(
        InspectionPlan.department == department, InspectionPlan.period_start >= first,
        InspectionPlan.period_start <= last).order_by(InspectionPlan.id)).all()


# -- whitelist ----------------------------------------------------------------------------------------------------
def entry(session: Session, entry_id: int) -> WhitelistEntry | None:
    return session.get(WhitelistEntry, entry_id) if _id_ok(entry_id) else None


def open_entry(session: Session, subject_id: int, industry: str) -> WhitelistEntry | None:
    return session.scalars(select(WhitelistEntry).where(
        WhitelistEntry.subject_id == subject_id, WhitelistEntry.industry == industry,
        WhitelistEntry.removed_on.is_(None))).first()


def open_entries_of_subject(session: Session, subject_id: int) -> Sequence[WhitelistEntry]:
    return session.scalars(select(WhitelistEntry).where(
        WhitelistEntry.subject_id == subject_id, WhitelistEntry.removed_on.is_(None))
        .order_by(WhitelistEntry.id)).all()


def subjects_with_open_entries(session: Session, subject_ids: Sequence[int]) -> set[int]:
    """Which of these subjects are on some whitelist now (a bulk chunk's subjects in one query per 900)."""
    out: set[int] = set()
    wanted = sorted(set(subject_ids))
    for i in range(0, len(wanted), 900):
        out.update(session.scalars(select(WhitelistEntry.subject_id).where(
            WhitelistEntry.subject_id.in_(wanted[i:i + 900]), WhitelistEntry.removed_on.is_(None))))
    return out


def open_entries(session: Session, industry: str) -> Sequence[WhitelistEntry]:
    return session.scalars(select(WhitelistEntry).where(
        WhitelistEntry.industry == industry, WhitelistEntry.removed_on.is_(None)).order_by(WhitelistEntry.id)).all()


def entries(session: Session, industry: str | None) -> Sequence[WhitelistEntry]:
    stmt = select(WhitelistEntry)
    if industry:
        stmt = stmt.where(WhitelistEntry.industry == industry)
    return session.scalars(stmt.order_by(WhitelistEntry.id)).all()


def active_on(session: Session, day: date, subject_id: int | None = None, industry: str | None = None
              ) -> Sequence[WhitelistEntry]:
    """Entries that hold on `day` (added_on ≤ day < removed_on), of one subject and/or one industry."""
    stmt = select(WhitelistEntry).where(WhitelistEntry.added_on <= day, or_(
        WhitelistEntry.removed_on.is_(None), WhitelistEntry.removed_on > day))
    if subject_id is not None:
        stmt = stmt.where(WhitelistEntry.subject_id == subject_id)
    if industry is not None:
        stmt = stmt.where(WhitelistEntry.industry == industry)
    return session.scalars(stmt.order_by(WhitelistEntry.id)).all()


# -- inspections --------------------------------------------------------------------------------------------------
def inspections_of_plans(session: Session, plan_ids: Sequence[int]) -> Sequence[Inspection]:
    if not plan_ids:
        return []
    return session.scalars(select(Inspection).where(Inspection.plan_id.in_(plan_ids))
                           .order_by(Inspection.id)).all()


def inspections_in(session: Session, department: str, first: date, last: date) -> Sequence[Inspection]:
    return session.scalars(select(Inspection).where(
        Inspection.department == department, Inspection.inspected_on >= first, Inspection.inspected_on <= last)
        .order_by(Inspection.id)).all()
