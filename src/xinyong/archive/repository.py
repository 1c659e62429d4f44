"""All queries on the archive: its entries (one hash chain per subject) and its signed checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, func, select, text
from sqlalchemy.orm import Session

from ..db.copy import copy_lines, json_field, repeated_fields, text_field
from .models import ArchiveCheckpoint, ArchiveEntry

ENTRY_COLUMNS = (ArchiveEntry.id, ArchiveEntry.subject_id, ArchiveEntry.seq, ArchiveEntry.at, ArchiveEntry.kind,
                 ArchiveEntry.summary, ArchiveEntry.payload, ArchiveEntry.prev_hash, ArchiveEntry.hash)


def lock_archive(session: Session, mode: str = "SHARE ROW EXCLUSIVE") -> None:
    """PostgreSQL: take a table lock on archive_entries until the transaction ends. SHARE (checkpoints) waits for
    every writer in flight and holds new ones back, so the entries a checkpoint sees in id order are a prefix
    that no later commit can extend in the middle; SHARE ROW EXCLUSIVE (bulk appends) also excludes other bulk
    appenders. SQLite has one writer at a time, so nothing to do there."""
    if session.get_bind().dialect.name == "postgresql":
        assert mode in ("SHARE", "SHARE ROW EXCLUSIVE")
        session.execute(text(f"LOCK TABLE archive_entries IN {mode} MODE"))


def last_entry_for_update(session: Session, subject_id: int) -> ArchiveEntry | None:
    """The head of the subject's chain, row-locked (the caller holds the subject's lock too)."""
    stmt = (select(ArchiveEntry).where(ArchiveEntry.subject_id == subject_id)
            .order_by(ArchiveEntry.seq.desc()).limit(1).with_for_update())
    return session.scalars(stmt).first()


def chain_heads(session: Session, subject_ids: Sequence[int], chunk: int = 50_000) -> dict[int, tuple[int, str]]:
    """subject id → (seq, hash) of the last entry of each chain that has one. PostgreSQL: DISTINCT ON over the
    subjects' entries, the ids as one array parameter, `chunk` per statement; SQLite: IN lists of 900, statement
    compiled once.

    Not a LATERAL … ORDER BY seq DESC LIMIT 1 probe per subject: psycopg prepares a statement from its fifth run,
    and a generic plan made while archive_entries was still empty by its statistics (a fresh install, the start
    of a first run) is a sequential scan *per subject*. A first run at 10^6 subjects spent minutes in each such
    statement, quadratic in the entries it had just appended (issue 10, bench/profiles.md). This shape is at worst
    one scan per statement, whatever the statistics; with them, one index scan over the subjects' entries."""
    heads: dict[int, tuple[int, str]] = {}
    postgres = session.get_bind().dialect.name == "postgresql"
    step = chunk if postgres else 900
    for i in range(0, len(subject_ids), step):
        part = list(subject_ids[i : i + step])
        rows = session.execute(_HEADS_PG, {"ids": part}) if postgres else session.execute(_HEADS_SQLITE, {"ids": part})
        for sid, seq, h in rows:
            heads[sid] = (seq, h)
    return heads


_HEADS_PG = text("SELECT DISTINCT ON (subject_id) subject_id, seq, hash FROM archive_entries "
                 "WHERE subject_id = ANY(CAST(:ids AS integer[])) ORDER BY subject_id, seq DESC")
_HEADS_SQLITE = text("SELECT e.subject_id, e.seq, e.hash FROM archive_entries e JOIN (SELECT subject_id, max(seq) AS "
                     "seq FROM archive_entries WHERE subject_id IN :ids GROUP BY subject_id) t ON "
                     "e.subject_id = t.subject_id AND e.seq = t.seq").bindparams(bindparam("ids", expanding=True))


# subject_id, seq, kind, summary, payload JSON text, prev_hash, hash, ev_scope, ev_move, ev_new_grade, ev_old_grade
EntryText = tuple[int, int, str, str, str, str, str, str | None, str | None, str | None, str | None]
_ENTRY_TEXT_COLUMNS = ("subject_id, seq, at, kind, summary, payload, prev_hash, hash, ev_scope, ev_move, ev_new_grade, "
                       "ev_old_grade")


def insert_entry_texts(session: Session, at: datetime, rows: Sequence[EntryText], chunk: int = 5000) -> None:
    """Insert many entries appended at `at`, each payload given as its JSON text (stored as it is: serialised once
    by the caller, who hashed those bytes): COPY on PostgreSQL, one executemany on SQLite — no ORM objects."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        at_text = at.isoformat(sep=" ")
        field = repeated_fields()  # kinds, scopes, moves and grades: a few distinct values
        copy_lines(session, f"archive_entries ({_ENTRY_TEXT_COLUMNS})", (
            f"{sid}\t{seq}\t{at_text}\t{field(kind)}\t{text_field(summary)}\t{json_field(payload)}\t{prev}\t"
            f"{h}\t{field(scope)}\t{field(move)}\t{field(new_grade)}\t{field(old_grade)}\n"
            for sid, seq, kind, summary, payload, prev, h, scope, move, new_grade, old_grade in rows))
        return
    stored_at = ArchiveEntry.__table__.c.at.type.bind_processor(conn.dialect)  # the ORM's text of a datetime
    at_value = stored_at(at) if stored_at else at
    stmt = f"INSERT INTO archive_entries ({_ENTRY_TEXT_COLUMNS}) VALUES ({', '.join('?' * 12)})"
    for i in range(0, len(rows), chunk):
        conn.exec_driver_sql(stmt, [(*row[:2], at_value, *row[2:]) for row in rows[i : i + chunk]])


def entries_of(session: Session, subject_id: int) -> list[ArchiveEntry]:
    """One subject's archive, oldest first."""
    return list(session.scalars(select(ArchiveEntry).where(ArchiveEntry.subject_id == subject_id)
                                .order_by(ArchiveEntry.seq)))


def entry_hashes(session: Session) -> list[str]:
    """Every entry's hash in append order: the leaves of the Merkle tree."""
    return list(session.scalars(select(ArchiveEntry.hash).order_by(ArchiveEntry.id)))


def ids_and_hashes(session: Session) -> list[tuple[int, str]]:
    """(id, hash) of every entry in append order."""
    return [(i, h) for i, h in session.execute(select(ArchiveEntry.id, ArchiveEntry.hash).order_by(ArchiveEntry.id))]


def all_entry_rows(session: Session) -> list[tuple[Any, ...]]:
    """Every entry as a tuple of ENTRY_COLUMNS, in append order (the verifier reads all of them once)."""
    return [tuple(row) for row in session.execute(select(*ENTRY_COLUMNS).order_by(ArchiveEntry.id))]


def entries_of_kind(session: Session, kind: str) -> list[tuple[int, int, Any]]:
    """(subject_id, seq, payload) of every entry of one kind, in append order."""
    stmt = (select(ArchiveEntry.subject_id, ArchiveEntry.seq, ArchiveEntry.payload)
            .where(ArchiveEntry.kind == kind).order_by(ArchiveEntry.id))
    return [(sid, seq, payload) for sid, seq, payload in session.execute(stmt)]


def change_counts(session: Session, scope: str, starts: Sequence[datetime]
                  ) -> list[tuple[int, str | None, str | None, str, int]]:
    """The dashboard trend's inputs, counted by the database (not one row per change through Python): (month,
    new grade, old grade, move, count) of the evaluation changes of one scope appended since starts[0], where
    month is the index of the latest of `starts` at or before the entry (columns ev_*, index-only)."""
    month = case(*[(ArchiveEntry.at >= start, i) for i, start in reversed(list(enumerate(starts)))], else_=0)
    stmt = (select(month, ArchiveEntry.ev_new_grade, ArchiveEntry.ev_old_grade, ArchiveEntry.ev_move, func.count())
            .where(ArchiveEntry.ev_scope == scope, ArchiveEntry.at >= starts[0])
            .group_by(month, ArchiveEntry.ev_new_grade, ArchiveEntry.ev_old_grade, ArchiveEntry.ev_move))
    return [(int(m), ng, og, str(mv), int(n)) for m, ng, og, mv, n in session.execute(stmt)]


def latest_checkpoint(session: Session) -> ArchiveCheckpoint | None:
    return session.scalars(select(ArchiveCheckpoint).order_by(ArchiveCheckpoint.id.desc()).limit(1)).first()


def checkpoints_by_size(session: Session) -> list[ArchiveCheckpoint]:
    """Every checkpoint, by the number of entries it covers, then by id."""
    return list(session.scalars(select(ArchiveCheckpoint).order_by(ArchiveCheckpoint.entry_count,
                                                                   ArchiveCheckpoint.id)))
