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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import TextClause, event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

T = TypeVar("T")

_KEY = "xinyong.memo"
_WATCHED: set[str] = set()


def watch(*tables: str) -> None:
    """Tables whose rows, written by this session, make every memo of its transaction stale."""
    _WATCHED.update(tables)


def _touches_watched(objects: Any) -> bool:
    return any(getattr(type(o), "__tablename__", None) in _WATCHED for o in objects)


def forget(session: Session) -> None:
    session.info.pop(_KEY, None)


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
    if _KEY in session.info and _touches_watched([*session.new, *session.dirty, *session.deleted]):
        forget(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.is_select or _KEY not in state.session.info:
        return
    if isinstance(state.statement, TextClause) and state.statement.text.lstrip()[:6].upper() == "SELECT":
        return  # a read written as text (the archive's chain heads)
    target = getattr(getattr(state.statement, "table", None), "name", None)  # of an INSERT, UPDATE or DELETE
    if target is None or target in _WATCHED:
        forget(state.session)
