"""Staff and subject accounts (122号 Art.4 职责分工, 122号 Art.27 业务部门) and sign-in throttling."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id (argon2-cffi)
    role: Mapped[str] = mapped_column(String(20))
    department: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), nullable=True)
    # role "subject": the evaluated subject whose own account this is (sees only its own archive/evaluation)
    subject_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # role "leader": the standards it is in charge of (主管领导, 122号 Art.12): industry codes and/or "general";
    # null = not bound (a credential from before scopes existed: in charge of all, docs/decisions.md)
    scope: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)


class LoginAttempt(Base):
    """Failed sign-ins per user name — kept for unknown names too, so a lock does not reveal who exists."""

    __tablename__ = "login_attempts"
    username: Mapped[str] = mapped_column(String(60), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


# API tokens for system docking (接口对接) and staff sign-in sessions; stored as SHA-256 hashes only.
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
    # role "subject": the one evaluated subject this credential belongs to (122号 Art.2)
    subject_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # role "leader": copied from the user (sign-in) or given when the token is issued; see User.scope
    scope: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
