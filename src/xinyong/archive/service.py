"""Append facts to a subject's archive (122号 第十九条 全流程可追溯)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.base import beijing_now
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
