"""The audit trail (122号 Art.19 全流程可追溯; issue 3 item 6): who, when, what, from where — hash-chained.

Event `seq` stores the hash of event `seq - 1` (GENESIS for the first) and its own hash over its content, using
the archive's canonical JSON (archive/chain.py), so an edit, a deletion inside the chain, an insertion or a
reordering straight in the database is named by `xinyong audit verify`. A transaction's events are chained at its
commit, as its last statements, under a lock (PostgreSQL advisory transaction lock, held to the end of COMMIT;
SQLite has one writer anyway), so two concurrent requests never fork the chain and the global lock is held for
three statements and the commit (db/commit.py: stage AUDIT_CHAIN, and the lock order).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.clock import beijing_now
from ..core.hashing import GENESIS, canonical
from ..db.commit import AUDIT_CHAIN, at_commit
from . import repository
from .models import AuditEvent


def event_body(e: AuditEvent | dict[str, Any]) -> dict[str, Any]:
    """What an event's hash covers, of a stored event or of its columns about to be stored."""
    v = e if isinstance(e, dict) else {k: getattr(e, k) for k in _BODY}
    return {"seq": v["seq"], "at": v["at"].isoformat(timespec="milliseconds"), "actor": v["actor"],
            "role": v["role"], "action": v["action"], "target": v["target"], "origin": v["origin"] or "",
            "detail": v["detail"] or ""}


_BODY = ("seq", "at", "actor", "role", "action", "target", "origin", "detail")


def event_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(body)).hexdigest()


def append_event(session: Session, actor: str, role: str, action: str, target: str, origin: str = "",
                 detail: str = "") -> None:
    """Append one event to the trail; it is chained at this transaction's commit (`_chain_at_commit`) and commits
    (or rolls back) with the caller's transaction."""
    append_events(session, actor, role, action, [(target, detail)], origin)


def append_events(session: Session, actor: str, role: str, action: str, items: Sequence[tuple[str, str]],
                  origin: str = "") -> None:
    """Append one event per (target, detail), in order: kept with the (sub)transaction that wrote them and chained
    at its commit, after every event appended before them in this transaction."""
    if not items:
        return
    pending: list[tuple[Any, dict[str, Any]]] = session.info.setdefault(_PENDING, [])
    txn = session.get_nested_transaction() or session.get_transaction()
    for target, detail in items:
        pending.append((txn, dict(actor=actor[:100], role=role[:20], action=action[:60], target=target[:200],
                                  origin=(origin or "")[:100], detail=detail or "")))
    at_commit(session, AUDIT_CHAIN, _chain_at_commit)
    if not event.contains(session, "after_soft_rollback", _forget_rolled_back):
        event.listen(session, "after_soft_rollback", _forget_rolled_back)


_PENDING = "xinyong.audit.pending"


def _chain_at_commit(session: Session) -> None:
    """The transaction's last statements (db/commit.py stage AUDIT_CHAIN; issue 10 item 2): take the chain's lock,
    read its head and insert this transaction's events chained after it, in the order they were appended. The lock
    is held from here to the end of COMMIT only — every other lock of the transaction is already held (db/commit.py:
    lock order), so two writers' events never fork the chain and neither waits for the other longer than these
    three statements and a commit."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # what the ORM still holds is written before the lock, not under it
    repository.lock_audit_chain(session)
    head = repository.audit_head(session)
    seq, prev = (head[0], head[1] or GENESIS) if head else (0, GENESIS)
    at = beijing_now()
    rows = []
    for _txn, columns in pending:
        seq += 1
        row = _chained(seq, prev, at, **columns)
        rows.append(row)
        prev = row["hash"]
    repository.insert_events(session, rows)


def _forget_rolled_back(session: Session, previous_transaction: Any) -> None:
    """Events appended in a rolled-back (sub)transaction are not written: the whole list on a rollback of the
    transaction, those of the savepoint and the savepoints inside it on a savepoint's rollback."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
        return

    def inside(txn: Any) -> bool:
        while txn is not None:
            if txn is previous_transaction:
                return True
            txn = txn.parent
        return False

    pending[:] = [p for p in pending if not inside(p[0])]


def _chained(seq: int, prev: str, at: datetime, actor: str, role: str, action: str, target: str, origin: str,
             detail: str) -> dict[str, Any]:
    """An event's columns, its hash over its body (event_body) chained to `prev`."""
    row: dict[str, Any] = dict(at=at, actor=actor[:100], role=role[:20], action=action[:60], target=target[:200],
                               origin=(origin or "")[:100], detail=detail or "", seq=seq, prev_hash=prev)
    row["hash"] = event_hash(prev, event_body(row))
    return row


@dataclass(frozen=True)
class Problem:
    seq: int | None
    event_id: int | None
    reason: str


def verify_chain(session: Session) -> tuple[int, list[Problem]]:
    """Recompute every event's hash and link. Returns (events checked, problems)."""
    problems: list[Problem] = []
    prev = GENESIS
    expected = 1
    n = 0
    for e in repository.events_in_chain_order(session):
        n += 1
        if e.seq is None:
            problems.append(Problem(None, e.id, "event without a place in the chain (inserted behind the system)"))
            continue
        if e.seq != expected:
            problems.append(Problem(e.seq, e.id, f"expected seq {expected}: events missing or reordered"))
        if e.prev_hash != prev:
            problems.append(Problem(e.seq, e.id, "prev_hash does not match the previous event"))
        if e.hash != event_hash(e.prev_hash or "", event_body(e)):
            problems.append(Problem(e.seq, e.id, "content differs from its hash (edited)"))
        prev = e.hash or ""
        expected = e.seq + 1
    return n, problems


def audit_actor(session: Session, actor: Any, action: str, target: str, detail: str = "") -> None:
    """The unit of work's auditor: one event for `actor` (auth.actors.Actor)."""
    append_event(session, actor.name, actor.role, action, target, actor.origin, detail)


def audit_actor_many(session: Session, actor: Any, action: str, items: Sequence[tuple[str, str]]) -> None:
    """The unit of work's auditor of many events of one action: (target, detail) each, for `actor`."""
    append_events(session, actor.name, actor.role, action, items, actor.origin)
