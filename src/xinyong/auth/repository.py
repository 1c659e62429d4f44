"""All queries on credentials (api_tokens) and the audit trail (audit_events)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .models import ApiToken, AuditEvent

_AUDIT_LOCK_KEY = 122_019  # advisory lock id of the audit chain (122号 第十九条)


def token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()


def token_by_id(session: Session, token_id: int) -> ApiToken | None:
    """None for an id outside 32-bit integers too (it names no token and must not reach the driver)."""
    return session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None


def active_tokens_named(session: Session, name: str) -> list[ApiToken]:
    """Not revoked (expired ones included: revoking them is harmless and was always done)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))))


def all_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def open_login_sessions(session: Session, user_id: int) -> list[ApiToken]:
    """The user's sign-in tokens not yet revoked."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.kind == "login",
                                                       ApiToken.revoked_at.is_(None))))


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


def last_chained_event(session: Session) -> AuditEvent | None:
    return session.scalars(select(AuditEvent).where(AuditEvent.seq.is_not(None))
                           .order_by(AuditEvent.seq.desc()).limit(1)).first()


def events_in_chain_order(session: Session) -> Iterator[AuditEvent]:
    """Every event by seq (events without one last, by id), streamed."""
    yield from session.scalars(select(AuditEvent).order_by(AuditEvent.seq.is_(None), AuditEvent.seq,
                                                           AuditEvent.id)).yield_per(1000)
