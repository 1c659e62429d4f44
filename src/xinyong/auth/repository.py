"""All queries on the audit trail (audit_events)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from .models import AuditEvent

_AUDIT_LOCK_KEY = 122_019  # advisory lock id of the audit chain (122号 Art.19)


def audit_page(session: Session, limit: int, offset: int, action: str | None = None) -> list[AuditEvent]:
    """Audit events, newest first, optionally of one action."""
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit).offset(offset)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(session.scalars(stmt))


def audit_head(session: Session) -> tuple[int, str | None] | None:
    """(seq, hash) of the newest chained audit event, None when there is none (signed by archive checkpoints)."""
    row = session.execute(select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.is_not(None))
                          .order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


def audit_hash_at(session: Session, seq: int) -> str | None:
    return session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))


def lock_audit_chain(session: Session) -> None:
    """PostgreSQL: one appender of the audit chain at a time until the transaction ends (SQLite has one writer)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})


def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Many chained events in one executemany, in the order given (auth.audit.append_events)."""
    session.connection().execute(insert(AuditEvent.__table__), list(rows))  # Core: no ORM bulk bookkeeping


def events_in_chain_order(session: Session) -> Iterator[AuditEvent]:
    """Every event by seq (events without one last, by id), streamed."""
    yield from session.scalars(select(AuditEvent).order_by(AuditEvent.seq.is_(None), AuditEvent.seq,
                                                           AuditEvent.id)).yield_per(1000)
