"""All record queries. A record counts when it has no withdrawal and no newer version superseding it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Engine,
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from ..db.session import fetch_tuples
from ..subjects.models import Subject, SubjectIndustry
from .models import PUBLICLY_HIDDEN_KINDS, Correction, Dispute, Duplicate, LatenessCount, Record, Withdrawal

# Aliases built once: a fresh aliased(Record) per query re-derives its column proxies (about 2 ms per query, most
# of a real-time re-evaluation's time; issue 10 item 1 profile). Each role has its own alias, so no statement uses
# one alias for two tables.
_NEWER = aliased(Record)
_CLOSER = aliased(Record)
_CLOSER_NEWER = aliased(Record)


def _counting() -> list:  # type: ignore[type-arg]
    """Counts: not withdrawn, not superseded by a correction, not a duplicate of another record (G1-16)."""
    newer = _NEWER
    return [
        ~exists().where(Withdrawal.record_id == Record.id),
        ~exists().where(newer.supersedes_id == Record.id),
        ~exists().where(Duplicate.record_id == Record.id),
    ]


@cache
def _counting_for_subject() -> Select:  # type: ignore[type-arg]
    # Built once, with bound parameters: building it per call (and its cache key) cost three times its execution
    # in Python (590 against 160 µs; issue 10 item 5, GET of an evaluation)
    return (
        select(Record)
        .where(Record.subject_id == bindparam("subject_id"), Record.act_date >= bindparam("start"),
               Record.act_date <= bindparam("end"), *_counting())
        .order_by(Record.act_date, Record.id)
    )


def counting_for_subject(session: Session, subject_id: int, start: date, end: date) -> list[Record]:
    """The subject's records that count in [start, end], in the order they use up caps (act date, id)."""
    return list(session.scalars(_counting_for_subject(), {"subject_id": subject_id, "start": start, "end": end}))


def counting_in_period(start: date, end: date) -> Select:  # type: ignore[type-arg]
    """(subject_id, item, id) of every counting record in [start, end], for the batch path."""
    return (
        select(Record.subject_id, Record.item, Record.id)
        .where(and_(Record.act_date >= start, Record.act_date <= end, *_counting()))
        .order_by(Record.subject_id, Record.act_date, Record.id)
    )


def insert_unless_keyed(session: Session, columns: dict[str, Any]) -> Record | None:
    """Insert one record, unless the subject already has one under its source_ref (the idempotency key, G1-16):
    the new Record (persistent in the session), or None when the key is taken. One INSERT … ON CONFLICT (subject_id,
    source_ref) DO NOTHING RETURNING: no savepoint around it (issue 10 item 2: two statements fewer than catching the
    unique violation), and any other integrity error still fails the statement."""
    dialect = session.get_bind().dialect.name
    build = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (build(Record).values(**columns)
            .on_conflict_do_nothing(index_elements=[Record.subject_id, Record.source_ref]).returning(Record))
    return session.scalars(stmt).first()


def by_source_ref(session: Session, subject_id: int, source_ref: str) -> Record | None:
    """The record of this subject under this source reference (the idempotency key, G1-16)."""
    return session.scalars(select(Record).where(Record.subject_id == subject_id,
                                                Record.source_ref == source_ref)).first()


def same_decision(session: Session, record: Record) -> Record | None:
    """The counting record of the same decision (subject, issuing department, decision_no, item), if any."""
    stmt = (select(Record).where(Record.subject_id == record.subject_id, Record.department == record.department,
                                 Record.decision_no == record.decision_no, Record.item == record.item,
                                 Record.id != record.id, *_counting())
            .order_by(Record.id).limit(1))
    return session.scalars(stmt).first()


def duplicate_of(session: Session, record_id: int) -> int | None:
    row = session.get(Duplicate, record_id)
    return None if row is None else row.duplicate_of_id


def withdrawal_of(session: Session, record_id: int) -> Withdrawal | None:
    return session.scalars(select(Withdrawal).where(Withdrawal.record_id == record_id)).first()


def superseded_by(session: Session, record_id: int) -> int | None:
    """The id of the newer version correcting this record (信息纠错, 122号 Art.10), if any."""
    return session.scalars(select(Record.id).where(Record.supersedes_id == record_id)).first()


def status_of(session: Session, record: Record) -> str:
    """active | withdrawn | superseded | duplicate. Only an active record counts (see _counting)."""
    if withdrawal_of(session, record.id) is not None:
        return "withdrawn"
    if superseded_by(session, record.id) is not None:
        return "superseded"
    return "duplicate" if duplicate_of(session, record.id) is not None else "active"


@dataclass(frozen=True)
class RecordRow:
    record: Record
    withdrawal: Withdrawal | None
    correction: Correction | None  # what made this version (None for a first version)
    superseded_by: int | None
    duplicate_of: int | None = None  # the record of the same decision that counts instead (G1-16)

    @property
    def status(self) -> str:
        if self.withdrawal:
            return "withdrawn"
        if self.superseded_by:
            return "superseded"
        return "duplicate" if self.duplicate_of else "active"


def history_for_subject(session: Session, subject_id: int) -> list[RecordRow]:
    """Every record of the subject, all versions, with its withdrawal, its correction and its successor."""
    newer = aliased(Record)
    stmt = (
        select(Record, Withdrawal, Correction, newer.id, Duplicate.duplicate_of_id)
        .outerjoin(Withdrawal, Withdrawal.record_id == Record.id)
        .outerjoin(Correction, Correction.record_id == Record.id)
        .outerjoin(newer, newer.supersedes_id == Record.id)
        .outerjoin(Duplicate, Duplicate.record_id == Record.id)
        .where(Record.subject_id == subject_id)
        .order_by(Record.act_date.desc(), Record.id.desc())
    )
    return [RecordRow(r, w, c, n, d) for r, w, c, n, d in session.execute(stmt).all()]


def publicly_visible() -> list:  # type: ignore[type-arg]
    """WHERE conditions on Record for public and ranking views (spec G1-17; issue 3 item 5): a record withdrawn
    after an objection or repaired (信用修复, 122号 Art.18) is not shown; its archive entry and proof remain.
    Rankings read counting records, which already exclude every withdrawn one; use these conditions wherever
    non-counting records are listed publicly. Older versions of such a record are hidden by `public_records`."""
    return [~exists().where(Withdrawal.record_id == Record.id, Withdrawal.kind.in_(PUBLICLY_HIDDEN_KINDS))]


def public_records(session: Session, subject_id: int, rows: list[RecordRow] | None = None) -> list[RecordRow]:
    """The subject's records as the public sees them: without records withdrawn after objection or repair, nor
    the earlier versions of such a record (the whole event is hidden; one event, one record, 122号 Art.19)."""
    rows = history_for_subject(session, subject_id) if rows is None else rows
    successor = {row.record.id: row.superseded_by for row in rows}
    hidden_heads = {row.record.id for row in rows
                    if row.withdrawal is not None and row.withdrawal.kind in PUBLICLY_HIDDEN_KINDS}

    def hidden(record_id: int) -> bool:
        seen: set[int] = set()
        current: int | None = record_id
        while current is not None and current not in seen:  # versions form a chain; guard against a cycle
            if current in hidden_heads:
                return True
            seen.add(current)
            current = successor.get(current)
        return False

    return [row for row in rows if not hidden(row.record.id)]


def _lateness_counts() -> tuple[Any, ...]:
    return (func.count(), func.sum(case((Record.late.is_(True), 1), else_=0)),
            func.sum(case((Record.due_provisional.is_(True), 1), else_=0)))


def lateness_by_department(session: Session, start: date, end: date) -> list[tuple[str, str, int, int, int]]:
    """(department, channel, records, late, provisional due dates) of first versions for acts dated in
    [start, end] (one calendar year): the daily snapshot (LatenessCount, records up to its upto_id) plus the
    records after it, two statements whatever the size. Without a snapshot the second reads every record."""
    snapshot = session.execute(
        select(LatenessCount.department, LatenessCount.channel, LatenessCount.records, LatenessCount.late,
               LatenessCount.provisional, LatenessCount.upto_id)
        .where(LatenessCount.year == start.year)).all()
    upto = snapshot[0].upto_id if snapshot else lateness_snapshot_upto(session)
    totals: dict[tuple[str, str], list[int]] = {(d, c): [n, late, prov] for d, c, n, late, prov, _ in snapshot}
    live = (select(Record.department, Record.channel, *_lateness_counts())
            .where(Record.id > upto, Record.act_date >= start, Record.act_date <= end, Record.supersedes_id.is_(None))
            .group_by(Record.department, Record.channel))
    for d, c, n, late, prov in session.execute(live).all():
        row = totals.setdefault((d, c), [0, 0, 0])
        row[0] += int(n)
        row[1] += int(late or 0)
        row[2] += int(prov or 0)
    return [(d, c, n, late, prov) for (d, c), (n, late, prov) in sorted(totals.items())]


def lateness_snapshot_upto(session: Session) -> int:
    """The record id the snapshot counts up to (every year's rows carry the same); 0 without a snapshot."""
    return int(session.scalar(select(func.max(LatenessCount.upto_id))) or 0)


def take_lateness_snapshot(session: Session, entered_before: datetime, now: datetime) -> int:
    """Replace the snapshot by the counts of the first versions with id <= U, U the newest record entered before
    `entered_before` (the start of yesterday): every id up to U was handed out before then, so no transaction still
    open can add one below it (PostgreSQL ids are not in commit order; a day's margin). Returns U."""
    session.execute(delete(LatenessCount))
    upto = int(session.scalar(select(func.max(Record.id)).where(Record.entered_at < entered_before)) or 0)
    if upto:
        year = func.extract("year", Record.act_date)
        session.execute(insert(LatenessCount).from_select(
            ["year", "department", "channel", "records", "late", "provisional", "upto_id", "taken_at"],
            select(year, Record.department, Record.channel, *_lateness_counts(), literal(upto), literal(now))
            .where(Record.id <= upto, Record.supersedes_id.is_(None))
            .group_by(year, Record.department, Record.channel)))
    return upto


def drop_lateness_snapshot(session: Session) -> None:
    """A counted field of an old record changed (finalise_provisional_due_dates): the report counts everything
    until the next snapshot."""
    session.execute(delete(LatenessCount))


def by_id(session: Session, record_id: int) -> Record | None:
    """None for an id outside 32-bit integers too (it names no record and must not reach the driver)."""
    return session.get(Record, record_id) if 0 < record_id < 2**31 else None


def ids_for_subject(session: Session, subject_id: int) -> list[int]:
    """The ids of every record of the subject, all versions (evidence of a subject: archive export)."""
    return list(session.scalars(select(Record.id).where(Record.subject_id == subject_id).order_by(Record.id)))


def all_records(session: Session) -> list[Record]:
    """Every record, all versions, in id order (archive verify compares each with its archived facts)."""
    return list(session.scalars(select(Record).order_by(Record.id)))


def all_withdrawals(session: Session) -> list[Withdrawal]:
    """Every withdrawal in id order (archive verify)."""
    return list(session.scalars(select(Withdrawal).order_by(Withdrawal.id)))


def counting_rows_in_period(session: Session, start: date, end: date) -> list[tuple[Any, ...]]:
    """(subject_id, item, id) of every counting record in [start, end], unordered (the kernel groups them)."""
    return fetch_tuples(session, counting_in_period(start, end).order_by(None))


def provisional_due_dates(session: Session) -> list[Record]:
    """Records whose due date was computed without the year's holiday calendar (weekends only)."""
    return list(session.scalars(select(Record).where(Record.due_provisional.is_(True))))


def open_refusals(session: Session, refusal_items: list[str], since: date, before: date, as_of: date,
                  subject_id: int | None = None, subject_ids: Collection[int] | None = None) -> list[tuple[int, int]]:
    """(subject_id, record_id) of counting refusals to perform (122号 Art.16(2)) dated in [since, before) — earlier
    periods — that no counting record dated on or before `as_of` closes (履行完毕); of one subject, of
    `subject_ids` (a bulk chunk's), or of all."""
    if not refusal_items:
        return []
    if subject_id is not None and subject_ids is None:  # one subject's evaluation: the statement built once
        params = {"items": list(refusal_items), "since": since, "before": before, "as_of": as_of,
                  "subject_id": subject_id}
        return [(int(s), int(r)) for s, r in session.execute(_open_refusals_of_subject(), params).all()]
    closer = _CLOSER
    newer = _CLOSER_NEWER
    closing = exists().where(closer.closes_id == Record.id, closer.act_date <= as_of,
                             ~exists().where(Withdrawal.record_id == closer.id),
                             ~exists().where(newer.supersedes_id == closer.id))
    stmt = (select(Record.subject_id, Record.id)
            .where(Record.item.in_(refusal_items), Record.act_date >= since, Record.act_date < before,
                   *_counting(), ~closing)
            .order_by(Record.subject_id, Record.id))
    if subject_id is not None:
        stmt = stmt.where(Record.subject_id == subject_id)
    if subject_ids is None:
        return [(int(s), int(r)) for s, r in session.execute(stmt).all()]
    wanted = sorted(set(subject_ids))
    found: list[tuple[int, int]] = []
    for i in range(0, len(wanted), _IN_CHUNK):
        found.extend((int(s), int(r)) for s, r in session.execute(stmt.where(
            Record.subject_id.in_(wanted[i:i + _IN_CHUNK]))))
    return sorted(found)


@cache
def _open_refusals_of_subject() -> Select:  # type: ignore[type-arg]
    """open_refusals of one subject, with bound parameters (the same SQL as built per call)."""
    closer, newer = _CLOSER, _CLOSER_NEWER
    closing = exists().where(closer.closes_id == Record.id, closer.act_date <= bindparam("as_of"),
                             ~exists().where(Withdrawal.record_id == closer.id),
                             ~exists().where(newer.supersedes_id == closer.id))
    return (select(Record.subject_id, Record.id)
            .where(Record.item.in_(bindparam("items", expanding=True)), Record.act_date >= bindparam("since"),
                   Record.act_date < bindparam("before"), *_counting(), ~closing)
            .order_by(Record.subject_id, Record.id)
            .where(Record.subject_id == bindparam("subject_id")))


def disputed(session: Session, record_ids: list[int]) -> set[int]:
    """Which of these records are under objection now (an open objection case, 122号 Art.18; G1-07)."""
    if not record_ids:
        return set()
    return set(session.scalars(select(Dispute.record_id).where(Dispute.record_id.in_(record_ids),
                                                               Dispute.closed_at.is_(None))))


def dispute_of_case(session: Session, case_id: int) -> Dispute | None:
    return session.scalars(select(Dispute).where(Dispute.case_id == case_id)).first()


def effect_ended(session: Session, today: date) -> list[Record]:
    """Records whose effect ended before today (effect_ends_on < today) and that are still current: not withdrawn
    and not superseded by a correction (44号 Task 14 自动修复)."""
    newer = aliased(Record)
    stmt = (select(Record)
            .where(Record.effect_ends_on.is_not(None), Record.effect_ends_on < today,
                   ~exists().where(Withdrawal.record_id == Record.id),
                   ~exists().where(newer.supersedes_id == Record.id))
            .order_by(Record.id))
    return list(session.scalars(stmt))


# --- set-based intake (records/bulk.py; issue 10 item 1): one query per lookup kind per chunk ----------------------

_IDS_BY_KEYS_PG = text(
    "SELECT k.sid, k.ref, r.id FROM unnest(CAST(:sids AS bigint[]), CAST(:refs AS text[])) AS k(sid, ref) "
    "CROSS JOIN LATERAL (SELECT id FROM records WHERE subject_id = k.sid AND source_ref = k.ref LIMIT 1) AS r")


def _ids_by_keys(session: Session, keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """record id by (subject_id, source_ref), one probe of the unique index per key: on PostgreSQL a join with the
    two key arrays (two parameters, whatever the chunk), elsewhere a join with the keys as a VALUES list, the keys
    first (CROSS JOIN fixes SQLite's join order). A row-value IN list made SQLite scan the whole unique index for
    every statement, twice per chunk of an import (21 ms at 200,000 records against 0.6 ms; issue 10 item 1);
    two separate IN lists would probe every pair."""
    found: dict[tuple[int, str], int] = {}
    if not keys:
        return found
    if session.get_bind().dialect.name == "postgresql":
        # LATERAL … LIMIT 1 (the key is unique anyway) keeps the planner from flattening it into a hash join that
        # reads the whole records table every chunk (what slowed a 200,000-record import down on PostgreSQL)
        rows = session.execute(_IDS_BY_KEYS_PG, {"sids": [k[0] for k in keys], "refs": [k[1] for k in keys]})
        return {(sid, ref): rid for sid, ref, rid in rows}
    for i in range(0, len(keys), _IN_CHUNK // 2):
        part = keys[i:i + _IN_CHUNK // 2]
        rows = session.connection().exec_driver_sql(  # SQLite's own placeholders: no compile of 900 named binds
            f"WITH k(sid, ref) AS (VALUES {', '.join(['(?, ?)'] * len(part))}) SELECT k.sid, k.ref, r.id FROM k "
            "CROSS JOIN records AS r ON r.subject_id = k.sid AND r.source_ref = k.ref",
            tuple(v for key in part for v in key))
        found.update({(sid, ref): rid for sid, ref, rid in rows})
    return found


def by_source_refs(session: Session, keys: Collection[tuple[int, str]]) -> dict[tuple[int, str], Record]:
    """The stored records under these (subject_id, source_ref) keys (the idempotency key, G1-16)."""
    ids = _ids_by_keys(session, sorted(set(keys)))
    if not ids:
        return {}
    return {(r.subject_id, r.source_ref): r for r in by_ids(session, ids.values()).values()}


def by_ids(session: Session, ids: Collection[int]) -> dict[int, Record]:
    wanted = sorted({i for i in ids if 0 < i < 2**31})
    out: dict[int, Record] = {}
    for i in range(0, len(wanted), _IN_CHUNK):
        out.update({r.id: r for r in session.scalars(select(Record).where(Record.id.in_(wanted[i:i + _IN_CHUNK])))})
    return out


def statuses(session: Session, ids: Collection[int]) -> dict[int, str]:
    """active | withdrawn | superseded | duplicate of each record (as status_of), in three queries."""
    wanted = sorted(set(ids))
    withdrawn: set[int] = set()
    superseded: set[int] = set()
    duplicate: set[int] = set()
    for i in range(0, len(wanted), _IN_CHUNK):
        part = wanted[i:i + _IN_CHUNK]
        withdrawn |= set(session.scalars(select(Withdrawal.record_id).where(Withdrawal.record_id.in_(part))))
        superseded |= set(session.scalars(select(Record.supersedes_id).where(Record.supersedes_id.in_(part))))
        duplicate |= set(session.scalars(select(Duplicate.record_id).where(Duplicate.record_id.in_(part))))
    return {i: "withdrawn" if i in withdrawn else "superseded" if i in superseded
            else "duplicate" if i in duplicate else "active" for i in wanted}


DecisionKey = tuple[int, str, str, str]  # (subject_id, department, decision_no, item): one decision (G1-16)


def counting_decisions(session: Session, keys: Collection[DecisionKey]) -> dict[DecisionKey, list[tuple[int, str]]]:
    """(id, channel) of the counting records of each decision key, in id order (same_decision for many)."""
    out: dict[DecisionKey, list[tuple[int, str]]] = {}
    wanted = set(keys)
    if not wanted:
        return out
    sids = sorted({k[0] for k in wanted})
    numbers = sorted({k[2] for k in wanted})
    for i in range(0, len(numbers), _IN_CHUNK):
        stmt = (select(Record.id, Record.channel, Record.subject_id, Record.department, Record.decision_no,
                       Record.item)
                .where(Record.decision_no.in_(numbers[i:i + _IN_CHUNK]), Record.subject_id.in_(sids), *_counting())
                .order_by(Record.id))
        for rid, channel, sid, dept, number, item in session.execute(stmt):
            key = (sid, dept, number, item)
            if key in wanted:
                out.setdefault(key, []).append((rid, channel))
    return out


def insert_records(session: Session, rows: Sequence[dict[str, Any]]) -> list[Record]:
    """Insert many records in one executemany (INSERT … RETURNING), in the order of `rows`; the records come back
    as ORM objects (in the session), ids assigned."""
    if not rows:
        return []
    return list(session.scalars(insert(Record).returning(Record, sort_by_parameter_order=True), list(rows)))


def insert_record_rows(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert many records in one executemany, in the order of `rows`; their ids in that order, read back by their
    unique (subject_id, source_ref) (no ORM objects: the caller has the values; a RETURNING in parameter order is
    sent one row at a time on SQLite and as a statement of thousands of parameters on PostgreSQL)."""
    if not rows:
        return []
    _insert_rows(session, rows)
    keys = [(r["subject_id"], r["source_ref"]) for r in rows]
    found = _ids_by_keys(session, keys)
    return [found[k] for k in keys]


def _insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """The rows into records at the driver level, every column but the id given by the caller (so no column
    default is left to SQLAlchemy): COPY on PostgreSQL, one executemany of the values as SQLAlchemy's column types
    bind them on SQLite. SQLAlchemy's executemany built and processed a parameter dict per row, which cost about as
    much as the insert itself in a chunk of an import (issue 10); on PostgreSQL it is one statement per row. A
    unique-key violation (a concurrent writer of the same subject and source_ref, records/bulk.py) is raised as
    SQLAlchemy's IntegrityError, as the executemany raised it."""
    names = list(rows[0])
    columns = [Record.__table__.c[n] for n in names]
    conn = session.connection()
    if {c.name for c in Record.__table__.c if c.name != "id"} - set(names):  # defaults to fill: SQLAlchemy's way
        conn.execute(insert(Record.__table__), list(rows))
        return
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY records ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[n] for n in names])
        except conn.dialect.loaded_dbapi.IntegrityError as exc:
            raise IntegrityError(f"COPY records ({', '.join(names)})", None, exc) from exc
        finally:
            cursor.close()
        return
    binds = [(n, c.type.bind_processor(conn.dialect)) for n, c in zip(names, columns, strict=True)]
    values = [tuple(row[n] if p is None else p(row[n]) for n, p in binds) for row in rows]
    conn.exec_driver_sql(f"INSERT INTO records ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                         values)


def insert_duplicates(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(Duplicate), list(rows))


def lock_subjects(session: Session, ids: Collection[int]) -> None:
    """Take the row locks of these subjects, in id order (no deadlock between two chunks), for the rest of the
    transaction — FOR NO KEY UPDATE, as subjects.repository.lock does for one: a real-time writer of one of them
    waits for the chunk, and the chunk reads what every earlier writer committed (122号 Art.13, Art.19).
    PostgreSQL only: SQLite has one writer at a time anyway. The locks this (sub)transaction holds already are
    not asked for again (a chunk locks its subjects, then their re-evaluation does)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    held = _bulk_locks(session)
    wanted = sorted(set(ids) - held)
    for i in range(0, len(wanted), _IN_CHUNK):
        locked = (select(Subject.id).where(Subject.id.in_(wanted[i:i + _IN_CHUNK])).order_by(Subject.id)
                  .with_for_update(key_share=True))
        session.execute(select(func.count()).select_from(locked.subquery()))
    held.update(wanted)


def _bulk_locks(session: Session) -> set[int]:
    """The subjects lock_subjects locked in this (sub)transaction: a lock taken inside a savepoint is released if
    it is rolled back, so the set belongs to the (sub)transaction object (as subjects.repository's single locks)."""
    txn = session.get_nested_transaction() or session.get_transaction()
    held = session.info.get("subject_bulk_locks")
    if held is None or held[0] is not txn:
        held = session.info["subject_bulk_locks"] = (txn, set())
    return held[1]  # type: ignore[no-any-return]


def industries_of(session: Session, ids: Collection[int]) -> dict[int, set[str]]:
    """subject id → the industries it is evaluated in (G1-04), for a chunk of subjects at once."""
    out: dict[int, set[str]] = {}
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), _IN_CHUNK):
        stmt = select(SubjectIndustry.subject_id, SubjectIndustry.industry).where(
            SubjectIndustry.subject_id.in_(wanted[i:i + _IN_CHUNK]))
        for sid, industry in session.execute(stmt):
            out.setdefault(sid, set()).add(industry)
    return out


def max_record_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Record.id))) or 0)


_IN_CHUNK = 900  # bound parameters per IN list (SQLite's old limit was 999)


# --- planner statistics during a bulk intake (PostgreSQL) -----------------------------------------------------------

# The tables a bulk intake grows whose reads a chunk plans by their size: records (the chunk's subjects' records,
# read back for scoring), evaluations (their stored evaluations, compared with the new ones) and archive_entries
# (the chains' heads, read twice per chunk: a plan made while the archive was small by its statistics fell behind
# as the import appended about three entries per record).
INTAKE_TABLES = ("records", "evaluations", "archive_entries")


def planned_rows(engine: Engine) -> float | None:
    """The rows of `records` that the planner's statistics know of (pg_class.reltuples; 0 before the first ANALYZE),
    or None where there are no such statistics to keep (SQLite plans by its indexes without them)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'records'::regclass")).scalar()
    return max(float(rows or 0), 0.0)


def analyze_intake_tables(engine: Engine) -> float:
    """ANALYZE the tables a bulk intake grows, in a transaction of its own (its lock, SHARE UPDATE EXCLUSIVE, never
    waits for writers nor holds them up); returns the rows of `records` now known to the planner. New statistics
    also invalidate every cached plan over these tables, including psycopg's prepared statements' generic plans."""
    with engine.begin() as conn:
        conn.execute(text("ANALYZE " + ", ".join(INTAKE_TABLES)))
    return planned_rows(engine) or 0.0
