"""The audit trail (122号 Art.19 全流程可追溯; issue 3 item 6): who, when, what, from where — hash-chained.

Event `seq` stores the hash of event `seq - 1` (GENESIS for the first) and its own hash over its content, using
the archive's canonical JSON (archive/chain.py), so an edit, a deletion inside the chain, an insertion or a
reordering straight in the database is named by `xinyong audit verify`. Writers append under a lock (PostgreSQL
advisory transaction lock; SQLite has one writer anyway), so two concurrent requests never fork the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..core.clock import beijing_now
from ..core.hashing import GENESIS, canonical
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
                 detail: str = "") -> AuditEvent:
    """Append one event chained to the last; it commits (or rolls back) with the caller's transaction."""
    seq, prev = _chain_head(session)
    event = AuditEvent(**_chained(seq + 1, prev, beijing_now(), actor, role, action, target, origin, detail))
    session.add(event)
    session.flush()
    return event


def append_events(session: Session, actor: str, role: str, action: str, items: Sequence[tuple[str, str]],
                  origin: str = "") -> None:
    """Append one event per (target, detail), in order, chained exactly as append_event one at a time would (a
    chunk of an import: one head read and one executemany instead of a read and an insert per event)."""
    if not items:
        return
    seq, prev = _chain_head(session)
    at = beijing_now()
    rows = []
    for target, detail in items:
        seq += 1
        row = _chained(seq, prev, at, actor, role, action, target, origin, detail)
        rows.append(row)
        prev = row["hash"]
    repository.insert_events(session, rows)


def _chain_head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the last chained event (0, GENESIS when none), under the chain's lock."""
    repository.lock_audit_chain(session)
    session.flush()  # events added earlier in this transaction are part of the chain
    last = repository.last_chained_event(session)
    if last is None:
        return 0, GENESIS
    return last.seq or 0, last.hash or GENESIS


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
