"""All queries of the outbox, the receivers and their dead letters; and the sequencer (see outbox/__init__.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from ..db.commit import SEQUENCER, at_commit
from ..db.copy import NULL, copy_lines, json_field, text_field
from .models import DeadLetter, OutboxEvent, Receiver

# pg_advisory_xact_lock key of the sequencer ("44" 号 Task "14"): one transaction at a time numbers its changes
SEQUENCER_LOCK = 44_014


# -- the outbox -------------------------------------------------------------------------------------------------
def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany INSERT of the rows (seq NULL), and the sequencer armed for this transaction's commit (stage
    SEQUENCER of db/commit.py: before the audit chain's lock)."""
    if not rows:
        return
    session.execute(insert(OutboxEvent.__table__), list(rows))
    at_commit(session, SEQUENCER, _sequence_at_commit)


def insert_numbered_events(session: Session, rows: Sequence[tuple[str, str, str]], at: datetime,
                           chunk: int = 10_000) -> None:
    """A bulk sharer (a chunk of a batch re-evaluation: 10^5 changes) numbers its rows as it inserts them instead of
    updating each row again at commit: it takes the sequencer now and holds it until its commit, numbers what this
    transaction already wrote (insertion order is kept), and gives these rows — (type, subject code, data as JSON
    text), occurred at `at` — the next seqs. COPY on PostgreSQL, executemany on SQLite (whose writing transaction
    holds the only write lock anyway). Safe only as the last thing a transaction does before its commit, once it
    holds every other lock it needs: a committer waiting for the sequencer holds its own locks
    (outbox.service.record_changes decides; the outbox handler runs last)."""
    if rows:
        _insert_texts(session, rows, at, _numbered_base(session), chunk)


def insert_event_texts(session: Session, rows: Sequence[tuple[str, str, str]], at: datetime,
                       chunk: int = 10_000) -> None:
    """Rows given as (type, subject code, data as JSON text) — an event that renders its own texts, a chunk of an
    import — inserted unnumbered as insert_events does (seq at commit), without a dict per row."""
    if rows:
        _insert_texts(session, rows, at, None, chunk)
        at_commit(session, SEQUENCER, _sequence_at_commit)


def _insert_texts(session: Session, rows: Sequence[tuple[str, str, str]], at: datetime, base: int | None,
                  chunk: int) -> None:
    """COPY on PostgreSQL, executemany on SQLite; seqs base+1… in order, or NULL when `base` is None."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        at_text = at.isoformat(sep=" ")
        if base is None:
            lines: Iterator[str] = (f"{NULL}\t{text_field(kind)}\t{text_field(code)}\t{json_field(data)}\t{at_text}\n"
                                    for kind, code, data in rows)
        else:
            lines = (f"{n}\t{text_field(kind)}\t{text_field(code)}\t{json_field(data)}\t{at_text}\n"
                     for n, (kind, code, data) in enumerate(rows, start=base + 1))
        copy_lines(session, "outbox_events (seq, type, subject_code, data, occurred_at)", lines)
        return
    stored_at = OutboxEvent.__table__.c.occurred_at.type.bind_processor(conn.dialect)  # the ORM's text of it
    at_value = stored_at(at) if stored_at else at
    stmt = text("INSERT INTO outbox_events (seq, type, subject_code, data, occurred_at) "
                "VALUES (:seq, :type, :code, :data, :at)")  # the data as its JSON text, stored as it is
    for i in range(0, len(rows), chunk):
        conn.execute(stmt, [{"seq": None if base is None else base + 1 + i + j, "type": kind, "code": code,
                             "data": data, "at": at_value}
                            for j, (kind, code, data) in enumerate(rows[i : i + chunk])])


def _numbered_base(session: Session) -> int:
    """Take the sequencer (until commit) and number this transaction's rows so far; the last seq given."""
    assign_seqs(session)
    return last_seq(session)


def _sequence_at_commit(session: Session) -> None:
    assign_seqs(session)


def assign_seqs(session: Session) -> int:
    """Number this transaction's changes after every committed one, in insertion order; returns how many.

    Runs as the last statements before COMMIT. On PostgreSQL the transaction-scoped advisory lock is held from
    here until the commit completes, so the next numbering transaction reads max(seq) only after this one is
    visible: seq order is commit order and a reader of `seq > n` never sees n+2 before n+1. On SQLite the writing
    transaction already holds the database's only write lock. Every committed row has a seq; a NULL seq is only
    ever this transaction's own uncommitted row."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(SEQUENCER_LOCK)))
    # max(seq) read in the numbering statement itself (one round trip fewer, issue 10 item 2): after the lock,
    # whose statement came first, so its snapshot sees the previous numberer's commit; the subquery with its window
    # function is computed before any row is updated (PostgreSQL: the statement's snapshot; SQLite materialises it)
    base = select(func.coalesce(func.max(OutboxEvent.seq), 0)).scalar_subquery()
    numbered = (select(OutboxEvent.id, (func.row_number().over(order_by=OutboxEvent.id) + base).label("n"))
                .where(OutboxEvent.seq.is_(None)).subquery())
    result = session.execute(update(OutboxEvent.__table__).values(seq=numbered.c.n)
                             .where(OutboxEvent.__table__.c.id == numbered.c.id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def last_seq(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(OutboxEvent.seq), 0))) or 0)


def _of_types(stmt: Any, types: Sequence[str]) -> Any:
    return stmt.where(OutboxEvent.type.in_(types)) if types else stmt


def events_after(session: Session, after: int, limit: int, types: Sequence[str] = ()) -> list[OutboxEvent]:
    """Committed changes with seq > after, in seq order (the pull API and the deliverer)."""
    stmt = select(OutboxEvent).where(OutboxEvent.seq > after)
    return list(session.scalars(_of_types(stmt, types).order_by(OutboxEvent.seq).limit(limit)))


def events_by_seq(session: Session, seqs: Iterable[int]) -> list[OutboxEvent]:
    return list(session.scalars(select(OutboxEvent).where(OutboxEvent.seq.in_(list(seqs))).order_by(OutboxEvent.seq)))


def count_after(session: Session, after: int, types: Sequence[str] = ()) -> int:
    stmt = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.seq > after)
    return int(session.scalar(_of_types(stmt, types)) or 0)


def count_events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(OutboxEvent)) or 0)


# -- receivers --------------------------------------------------------------------------------------------------
def receiver_by_id(session: Session, receiver_id: int) -> Receiver | None:
    return session.get(Receiver, receiver_id) if 0 < receiver_id < 2**31 else None


def receiver_by_name(session: Session, name: str) -> Receiver | None:
    return session.scalars(select(Receiver).where(Receiver.name == name)).first()


def all_receivers(session: Session, active_only: bool = False) -> list[Receiver]:
    stmt = select(Receiver)
    if active_only:
        stmt = stmt.where(Receiver.active.is_(True))
    return list(session.scalars(stmt.order_by(Receiver.id)))


def claim(session: Session, receiver_id: int, owner: str, now: datetime, until: datetime) -> bool:
    """Take the receiver for one delivery round unless another deliverer holds an unexpired claim. On PostgreSQL
    a concurrent claimer waits for the row and re-checks the condition, so exactly one wins."""
    result = session.execute(
        update(Receiver).where(Receiver.id == receiver_id, Receiver.active.is_(True),
                               or_(Receiver.lease_until.is_(None), Receiver.lease_until < now,
                                   Receiver.lease_owner == owner))
        .values(lease_owner=owner, lease_until=until).execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def save_progress(session: Session, receiver_id: int, owner: str, **values: Any) -> None:
    """Write the round's outcome for the receiver (only while this deliverer holds it)."""
    session.execute(update(Receiver).where(Receiver.id == receiver_id, Receiver.lease_owner == owner)
                    .values(**values).execution_options(synchronize_session=False))


# -- dead letters -----------------------------------------------------------------------------------------------
def dead_letters(session: Session, receiver_id: int, states: Sequence[str]) -> list[DeadLetter]:
    return list(session.scalars(select(DeadLetter).where(DeadLetter.receiver_id == receiver_id,
                                                         DeadLetter.state.in_(states))
                                .order_by(DeadLetter.seq, DeadLetter.id)))


def dead_letter(session: Session, dead_letter_id: int) -> DeadLetter | None:
    return session.get(DeadLetter, dead_letter_id)


def count_dead(session: Session, receiver_id: int, state: str) -> int:
    return int(session.scalar(select(func.count()).select_from(DeadLetter).where(
        DeadLetter.receiver_id == receiver_id, DeadLetter.state == state)) or 0)


def redeliver_all(session: Session, receiver_id: int, now: datetime) -> int:
    """Every dead letter of the receiver back to pending (delivered before its later events, in seq order)."""
    result = session.execute(
        update(DeadLetter).where(DeadLetter.receiver_id == receiver_id, DeadLetter.state == "dead")
        .values(state="pending", redelivered_at=now, attempts=0).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def update_dead_letter(session: Session, dead_letter_id: int, **values: Any) -> None:
    session.execute(update(DeadLetter).where(DeadLetter.id == dead_letter_id).values(**values)
                    .execution_options(synchronize_session=False))
