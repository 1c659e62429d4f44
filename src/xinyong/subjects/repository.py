"""All subject queries."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select
from sqlalchemy.orm import Session, joinedload, lazyload

from ..db.session import fetch_tuples
from .models import NationalGrade, Subject, SubjectIndustry


def lock(session: Session, subject_id: int) -> Subject | None:
    """Take the subject's row lock for the rest of the transaction and reload it. Every write that touches a
    subject's archive or evaluations goes through here first, so concurrent writers of one subject queue up:
    the second sees the first's committed records (no stale real-time grade, 第十三条) and the archive's next
    seq (122号 Art.19). On SQLite writers are serialised by the database (and `deps.serialize_sqlite_writes`)."""
    held = _held(session)
    if subject_id in held:  # already ours until this transaction ends
        return session.get(Subject, subject_id)
    stmt = (select(Subject).where(Subject.id == subject_id).with_for_update(key_share=True)  # FOR NO KEY UPDATE
            .execution_options(populate_existing=True))
    subject = session.scalars(stmt).first()  # populate_existing: collections loaded before the lock are read again
    held.add(subject_id)
    return subject


def _held(session: Session) -> set[int]:
    """The subjects whose lock this (sub)transaction holds. Remembered per (sub)transaction: a lock taken inside
    a savepoint is released if it is rolled back."""
    txn = session.get_nested_transaction() or session.get_transaction()
    held = session.info.get("subject_locks")
    if held is None or held[0] is not txn:
        held = session.info["subject_locks"] = (txn, set())
    return held[1]  # type: ignore[no-any-return]


def lock_by_code(session: Session, code: str) -> Subject | None:
    """`lock` for a writer that names the subject by code (a record write): found and locked, then its grades and
    industries read — after the lock, so fresh.

    Two statements on PostgreSQL, not one joined `SELECT … FOR NO KEY UPDATE OF subjects`: under READ COMMITTED a
    statement that waits for a row lock still returns the rows it joins as of its own start. A writer that waited
    behind an import chunk which enrolled the subject in an industry saw the subject without it: its enrolment hit
    the primary key (a 500) and its re-evaluation would have missed that scope
    (tests/evaluation/test_concurrent_writers.py). SQLite's writer holds the write lock from BEGIN: one statement."""
    if session.get_bind().dialect.name == "postgresql":
        locked = select(Subject.id).where(Subject.code == code).with_for_update(key_share=True)
        if session.scalar(locked) is None:
            return None
    # by_code_loaded's statement (built once), reloading what this session may hold already
    subject = session.scalars(_by_code_loaded(), {"code": code},
                              execution_options={"populate_existing": True}).unique().first()
    if subject is not None:
        _held(session).add(subject.id)
    return subject


def by_code(session: Session, code: str) -> Subject | None:
    return session.scalars(select(Subject).where(Subject.code == code)).first()


def by_code_loaded(session: Session, code: str) -> Subject | None:
    """The subject with its grades and industries in one statement (joined), instead of three (the subject, then
    each collection by selectin): a read that shows the subject (GET of its evaluation) makes one round trip."""
    return session.scalars(_by_code_loaded(), {"code": code}).unique().first()


@cache
def _by_code_loaded() -> Select:  # type: ignore[type-arg]
    # built once with a bound parameter: its construction and cache key cost more Python than its execution
    return select(Subject).where(Subject.code == bindparam("code")).options(joinedload(Subject.industries),
                                                                            joinedload(Subject.grades))


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Subject)) or 0


def by_id(session: Session, subject_id: int) -> Subject | None:
    return session.get(Subject, subject_id)


def by_ids(session: Session, subject_ids: Collection[int]) -> dict[int, Subject]:
    """Many subjects by id in one statement (and their industries and grades in one each, selectin)."""
    if not subject_ids:
        return {}
    return {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(list(subject_ids))))}


def all_in_id_order(session: Session) -> list[Subject]:
    """Every subject, oldest first (archive verify compares each with its archived facts)."""
    return list(session.scalars(select(Subject).order_by(Subject.id)))


def population_rows(session: Session) -> list[tuple[Any, ...]]:
    """(id, code, kind) of every subject in id order, for the batch path."""
    return fetch_tuples(session, select(Subject.id, Subject.code, Subject.kind).order_by(Subject.id))


def all_national_grades(session: Session) -> list[tuple[Any, ...]]:
    """(subject_id, valid_from, grade) of every dated national grade (122号 Art.13 初始分); through the ORM, so the
    dates are dates on every backend (SQLite's driver would hand back text)."""
    stmt = select(NationalGrade.subject_id, NationalGrade.valid_from, NationalGrade.grade)
    return [tuple(row) for row in session.execute(stmt)]


def all_memberships(session: Session) -> list[tuple[Any, ...]]:
    """(subject_id, industry) of every industry evaluation a subject is in."""
    return fetch_tuples(session, select(SubjectIndustry.subject_id, SubjectIndustry.industry))


_IN_CHUNK = 900  # bound parameters per IN list (SQLite's old limit was 999)


def subjects_by_codes(session: Session, codes: Collection[str], *, with_content: bool = False) -> dict[str, Subject]:
    """The registered subjects of these (normalised) codes, by code: one query per 900 codes (a bulk chunk's rows).
    `with_content`: with their industries and grades (one query each per 900, selectin), as an import compares
    them; else without (a record chunk needs neither: they load on first use)."""
    out: dict[str, Subject] = {}
    wanted = sorted(set(codes))
    for i in range(0, len(wanted), _IN_CHUNK):
        stmt = select(Subject).where(Subject.code.in_(wanted[i:i + _IN_CHUNK]))
        if not with_content:
            stmt = stmt.options(lazyload("*"))
        out.update({s.code: s for s in session.scalars(stmt)})
    return out


def subject_keys_by_codes(session: Session, codes: Collection[str]) -> dict[str, tuple[int, str]]:
    """code → (id, code) of the registered subjects of these (normalised) codes: subjects_by_codes without an ORM
    object per subject (a chunk of a file import needs only the two; loading ~10^3 objects per chunk cost more than
    its query)."""
    out: dict[str, tuple[int, str]] = {}
    wanted = sorted(set(codes))
    conn = session.connection()
    for i in range(0, len(wanted), _IN_CHUNK):
        stmt = select(Subject.id, Subject.code).where(Subject.code.in_(wanted[i:i + _IN_CHUNK]))
        out.update({code: (sid, code) for sid, code in conn.execute(stmt).all()})
    return out


def insert_subject_industries(session: Session, pairs: Sequence[tuple[int, str]]) -> None:
    """(subject_id, industry) memberships in one executemany."""
    if pairs:
        session.execute(insert(SubjectIndustry.__table__), [{"subject_id": s, "industry": i} for s, i in pairs])


def insert_subjects(session: Session, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert many subjects in one executemany, in the order of `rows` (their ids grow in that order); code → id,
    read back by the unique code (no ORM objects: the caller has the values)."""
    if not rows:
        return {}
    session.connection().execute(insert(Subject.__table__), list(rows))
    wanted = [r["code"] for r in rows]
    out: dict[str, int] = {}
    for i in range(0, len(wanted), _IN_CHUNK):
        stmt = select(Subject.code, Subject.id).where(Subject.code.in_(wanted[i:i + _IN_CHUNK]))
        out.update({code: sid for code, sid in session.execute(stmt)})
    return out


def insert_grades(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Many national grade rows (subject_id, grade, valid_from, source) in one executemany, in the order given."""
    if rows:
        session.connection().execute(insert(NationalGrade.__table__), list(rows))


def insert_memberships(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Many (subject_id, industry) memberships in one executemany."""
    if rows:
        session.connection().execute(insert(SubjectIndustry.__table__), list(rows))
