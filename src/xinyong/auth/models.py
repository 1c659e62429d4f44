"""API tokens for system docking (接口对接) and staff; stored as SHA-256 hashes only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    department: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # "api" (系统对接, named, from `xinyong token create` / POST /tokens) or "login" (a web sign-in session)
    kind: Mapped[str] = mapped_column(String(10), default="api")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    # role "subject": the one evaluated subject this credential belongs to (122号 第二条)
    subject_code: Mapped[str | None] = mapped_column(String(40), nullable=True)


class AuditEvent(Base):
    """Who did what, when, from where (122号 第十九条 全流程可追溯). Appended on every write and every read of
    personal data. Tamper-evident: event `seq` carries the hash of event `seq - 1` (`xinyong audit verify`)."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (UniqueConstraint("seq", name="uq_audit_events_seq"),)


from ..users import models as _users_models  # noqa: E402,F401  # api_tokens.user_id → users.id must resolve
