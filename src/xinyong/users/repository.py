"""All queries on user accounts and sign-in attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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


def count_login_guess(session: Session, username: str, now: datetime) -> tuple[int, datetime | None]:
    """Count one more guess for this name BEFORE its password is checked, in one statement (an upsert): the row
    stays locked until the transaction ends, so parallel guesses queue and each sees the count of the ones before
    it (issue 12 item 3: no lost count, no unique violation). A lock that has run out starts the count afresh.
    Returns (guesses counted, locked_until)."""
    table = LoginAttempt.__table__
    expired = (table.c.locked_until.is_not(None)) & (table.c.locked_until <= now)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).values(username=username, failures=1, last_failure_at=now, locked_until=None)
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.username], set_={
        "failures": case((expired, 1), else_=table.c.failures + 1),
        "locked_until": case((expired, None), else_=table.c.locked_until),
        "last_failure_at": now,
    }).returning(table.c.failures, table.c.locked_until)
    failures, locked_until = session.execute(stmt).one()
    session.expire_all()  # the ORM's copy of the row (if any) is stale now
    return int(failures), locked_until


def lock_login(session: Session, username: str, until: datetime) -> None:
    row = session.get(LoginAttempt, username)
    if row is not None:
        row.locked_until = until
        session.flush()


def forget_login_guesses(session: Session, username: str) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))


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
