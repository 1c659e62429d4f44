"""Per-transaction memo of reads that a request repeats (issue 10 item 2: a lean real-time path).

A record write asks for the same reference data several times (the catalogue when validating, when deciding on
the whitelist and when looking for fuse items; the standards in force when validating and when re-evaluating).
`per_transaction` answers the second and later asks of one database transaction from memory. It forgets:
- at the end of the transaction (the memo belongs to the root transaction object: a new one starts empty, so
  what other processes committed meanwhile is read again);
- when this session writes a row of a watched table (`watch`), flushed or pending, or runs a DML statement on a
  watched table through the session (or one whose table it cannot tell: text() other than a SELECT): the next ask
  reads again, as the query it replaces would have (autoflush included). DML on other tables keeps the memo: a
  chunk of a bulk intake inserts records, archive entries and evaluations between its reads of the catalogue and
  of the standards in force, which no such statement can change (no trigger or cascade reaches the watched tables).

`per_version` keeps a value for the whole process instead, as long as a version read in the transaction (one
cheap statement, itself memoised per transaction) stays the same: reference data that every GET of an evaluation
needs (issue 10 item 5) is then not read again per request, and a change committed by any process is seen by the
next transaction that reads the version. A transaction that wrote a watched table neither reads nor fills it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import TextClause, event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

T = TypeVar("T")

_KEY = "xinyong.memo"
_WROTE = "xinyong.memo.wrote"  # the root transaction that wrote a watched table
_WATCHED: set[str] = set()
_PROCESS: dict[tuple[Any, str], tuple[Hashable, Any]] = {}  # per_version: (database, key) → (version, value)


def watch(*tables: str) -> None:
    """Tables whose rows, written by this session, make every memo of its transaction stale."""
    _WATCHED.update(tables)


def _touches_watched(objects: Any) -> bool:
    return any(getattr(type(o), "__tablename__", None) in _WATCHED for o in objects)


def _root(session: Session) -> Any:
    txn = session.get_transaction()
    while txn is not None and txn.parent is not None:  # savepoints share their root's memo
        txn = txn.parent
    return txn


def forget(session: Session) -> None:
    session.info.pop(_KEY, None)


def _wrote(session: Session) -> None:
    """This transaction wrote a watched table: its memo goes, and per_version stays out of it until it ends."""
    forget(session)
    session.info[_WROTE] = _root(session)


def wrote_watched(session: Session) -> bool:
    """Whether the current transaction wrote (or holds unflushed changes of) rows of a watched table."""
    txn = _root(session)
    return txn is not None and (session.info.get(_WROTE) is txn
                                or _touches_watched([*session.new, *session.dirty, *session.deleted]))


def memoised(session: Session, key: str) -> bool:
    """Whether `key` is held by the memo of the current transaction (a read it would answer without a query)."""
    memo = session.info.get(_KEY)
    return memo is not None and memo[0] is _root(session) and key in memo[1] and not wrote_watched(session)


def per_version(session: Session, key: str, version: Callable[[], Hashable], compute: Callable[[], T]) -> T:
    """`compute()` once per process and `version()`: the value computed under the version the current transaction
    reads now (version first, so a value is never older than its label). Values must be immutable (shared by
    every thread of the process). A transaction that wrote a watched table computes afresh and keeps nothing
    (what it saw may be rolled back, and a version such as a row count could then label other rows)."""
    if wrote_watched(session):
        return compute()
    current = version()
    where = (session.get_bind().url, key)
    hit = _PROCESS.get(where)
    if hit is not None and hit[0] == current:
        return hit[1]  # type: ignore[no-any-return]
    value = compute()
    _PROCESS[where] = (current, value)
    return value


def clear_per_version() -> None:
    """Forget every per_version value: for whoever deletes rows that a version counts (the tests' clean-up of
    the standards they added; no code of the application does)."""
    _PROCESS.clear()


def per_transaction(session: Session, key: str, compute: Callable[[], T]) -> T:
    txn = session.get_transaction()
    if txn is None:
        return compute()
    while txn.parent is not None:  # savepoints share their root's memo
        txn = txn.parent
    memo = session.info.get(_KEY)
    if memo is not None and memo[0] is txn and key in memo[1]:
        if not _touches_watched([*session.new, *session.dirty, *session.deleted]):
            return memo[1][key]  # type: ignore[no-any-return]
        forget(session)
        memo = None
    if memo is None or memo[0] is not txn:
        memo = session.info[_KEY] = (txn, {})
    value = compute()
    memo[1][key] = value
    return value


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    if _touches_watched([*session.new, *session.dirty, *session.deleted]):
        _wrote(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    if isinstance(state.statement, TextClause) and state.statement.text.lstrip()[:6].upper() == "SELECT":
        return  # a read written as text (the archive's chain heads)
    target = getattr(getattr(state.statement, "table", None), "name", None)  # of an INSERT, UPDATE or DELETE
    if target is None or target in _WATCHED:
        _wrote(state.session)
