"""All queries on user accounts and sign-in attempts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ApiToken, LoginAttempt, User


def by_username(session: Session, username: str) -> User | None:
    """The user of this (already normalised: stripped, lower-case) name."""
    return session.scalars(select(User).where(User.username == username)).first()


def by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def login_attempt(session: Session, username: str) -> LoginAttempt | None:
    return session.get(LoginAttempt, username)


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
