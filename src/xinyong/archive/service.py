"""Append facts to a subject's archive (122号 第十九条 全流程可追溯)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, insert, select, text
from sqlalchemy.orm import Session

from ..core.clock import beijing_now
from ..subjects.models import Subject
from .chain import GENESIS, canonical, entry_hash
from .models import ArchiveEntry

# Entry kinds (past tense: each is an event that happened)
SUBJECT_CREATED = "subject_created"
RECORD_ENTERED = "record_entered"
RECORD_WITHDRAWN = "record_withdrawn"
RECORD_CORRECTED = "record_corrected"
EVIDENCE_ATTACHED = "evidence_attached"
EVALUATION_CHANGED = "evaluation_changed"


def _last(session: Session, subject_id: int) -> ArchiveEntry | None:
    stmt = (select(ArchiveEntry).where(ArchiveEntry.subject_id == subject_id)
            .order_by(ArchiveEntry.seq.desc()).limit(1).with_for_update())
    return session.scalars(stmt).first()


def append(session: Session, subject: Subject, kind: str, summary: str, payload: dict[str, Any]) -> ArchiveEntry:
    """Append one entry, chained to the subject's previous one. Payload is stored as canonical JSON values
    (dates as ISO strings) so the hash recomputes identically from the database or an export."""
    import json

    from ..subjects.repository import lock

    lock(session, subject.id)  # queue behind any other writer of this subject before reading the last seq
    last = _last(session, subject.id)
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    at = beijing_now()
    clean = json.loads(canonical(payload))
    entry = ArchiveEntry(subject_id=subject.id, seq=seq, at=at, kind=kind, summary=summary, payload=clean,
                         prev_hash=prev,
                         hash=entry_hash(prev, subject.code, seq, at.isoformat(timespec="milliseconds"), kind,
                                         summary, clean))
    session.add(entry)
    session.flush()
    return entry


def lock_archive(session: Session, mode: str = "SHARE ROW EXCLUSIVE") -> None:
    """PostgreSQL: take a table lock on archive_entries until the transaction ends. SHARE (checkpoints) waits for
    every writer in flight and holds new ones back, so the entries a checkpoint sees in id order are a prefix
    that no later commit can extend in the middle; SHARE ROW EXCLUSIVE (bulk appends) also excludes other bulk
    appenders. SQLite has one writer at a time, so nothing to do there."""
    if session.get_bind().dialect.name == "postgresql":
        assert mode in ("SHARE", "SHARE ROW EXCLUSIVE")
        session.execute(text(f"LOCK TABLE archive_entries IN {mode} MODE"))


def append_many(session: Session, items: Sequence[tuple[int, str, str, str, dict[str, Any]]], chunk: int = 5000
                ) -> int:
    """Append many entries at once — (subject_id, subject_code, kind, summary, payload) each, chained exactly as
    :func:`append` does — with one query for the chain heads and bulk inserts (batch re-evaluation, 1 January
    re-seed of every subject). The caller holds :func:`lock_archive`. Returns the number appended."""
    import json

    if not items:
        return 0
    session.flush()
    heads: dict[int, tuple[int, str]] = {}
    wanted = sorted({sid for sid, *_ in items})
    for i in range(0, len(wanted), chunk):
        part = wanted[i : i + chunk]
        top = (select(ArchiveEntry.subject_id, func.max(ArchiveEntry.seq).label("seq"))
               .where(ArchiveEntry.subject_id.in_(part)).group_by(ArchiveEntry.subject_id).subquery())
        stmt = select(ArchiveEntry.subject_id, ArchiveEntry.seq, ArchiveEntry.hash).join(
            top, and_(ArchiveEntry.subject_id == top.c.subject_id, ArchiveEntry.seq == top.c.seq))
        for sid, seq, h in session.execute(stmt):
            heads[sid] = (seq, h)
    at = beijing_now()
    at_text = at.isoformat(timespec="milliseconds")
    rows = []
    for sid, code, kind, summary, payload in items:
        seq, prev = heads.get(sid, (0, GENESIS))
        seq += 1
        clean = json.loads(canonical(payload))
        h = entry_hash(prev, code, seq, at_text, kind, summary, clean)
        rows.append({"subject_id": sid, "seq": seq, "at": at, "kind": kind, "summary": summary, "payload": clean,
                     "prev_hash": prev, "hash": h})
        heads[sid] = (seq, h)
    for i in range(0, len(rows), chunk):
        session.execute(insert(ArchiveEntry), rows[i : i + chunk])
    return len(rows)
