"""All queries on user accounts and sign-in attempts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import LoginAttempt, User


def by_username(session: Session, username: str) -> User | None:
    """The user of this (already normalised: stripped, lower-case) name."""
    return session.scalars(select(User).where(User.username == username)).first()


def by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def login_attempt(session: Session, username: str) -> LoginAttempt | None:
    return session.get(LoginAttempt, username)
