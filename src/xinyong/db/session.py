"""Engine and session factory; the transaction is owned by the unit of work (core/uow.py)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, busy_timeout: float = 30.0) -> Engine:
    """`busy_timeout` (SQLite): seconds a writer waits for the write lock before the request answers 503."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # Let SQLAlchemy, not the driver, begin transactions: pysqlite's own handling starts them only at
            # the first DML and turns an outermost SAVEPOINT's RELEASE into a COMMIT (a partial write).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            # issue 12 item 10: an acknowledged credit record survives a power loss — WAL with synchronous=FULL
            # syncs the log at every commit (NORMAL may lose the last commits; measured cost in docs/decisions.md)
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            # A writing unit of work takes SQLite's write lock up front (waiting up to the busy timeout), so
            # what it reads is what it writes over; readers begin deferred and never block writers (WAL).
            if not conn.get_execution_options().get(WRITER):
                conn.exec_driver_sql("BEGIN")
                return
            with _waiting_writer(engine):
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE)


POOL_SIZE = 12
"""PostgreSQL connections a process keeps open. SQLAlchemy's default of 5 is below what one `serve` worker has in
flight when 16 clients share 2 workers (8 each): every request past the fifth opened a new connection (a backend
forked by PostgreSQL, the prepared statements lost) and closed it again on return, which made the long tail of
GET evaluation under load (issue 10 item 5). 12 workers' worth per CPU stays far below max_connections (100)."""


WRITER = "xinyong_writer"


def _waiters_file(engine: Engine) -> str | None:
    """SQLite: the file beside the database on which writers waiting for the write lock hold a shared lock."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database + "-writers"


@contextmanager
def _waiting_writer(engine: Engine) -> Iterator[None]:
    """Hold a shared flock on the waiters file while this connection waits for SQLite's write lock (BEGIN
    IMMEDIATE), so a bulk import sees that someone waits (writers_waiting) and lets them in between its chunks."""
    path = _waiters_file(engine)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644) if path else -1
    try:
        if fd >= 0:
            fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        if fd >= 0:
            os.close(fd)  # releases the lock


def writers_waiting(engine: Engine) -> bool:
    """SQLite: whether another writer (any process or thread) waits for the write lock now. Elsewhere False."""
    path = _waiters_file(engine)
    if path is None:
        return False
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@lru_cache(maxsize=32)
def writer(engine: Engine) -> Engine:
    """The engine for writing units of work (on SQLite: BEGIN IMMEDIATE; elsewhere the same engine)."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{WRITER: True})


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def fetch_tuples(session: Session, stmt: Any) -> list[tuple[Any, ...]]:
    """All rows of a SELECT as plain tuples from the DB-API cursor, inside the session's transaction: for a
    million records about three times faster than building Row objects. For statements whose only parameters
    are values computed by the system (dates, never user input), rendered as literals."""
    sql = str(stmt.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


T = TypeVar("T")


def insert_once(session: Session, row: T, existing: Callable[[], T | None]) -> tuple[T, bool]:
    """Insert `row` in a savepoint; when a concurrent writer inserted the same thing first (a unique index says
    so), return theirs instead: (row, created). Any other integrity error is raised."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        again = existing()
        if again is None:
            raise
        return again, False
    return row, True
