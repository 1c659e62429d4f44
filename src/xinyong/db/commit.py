"""The last statements of a transaction, in a fixed order (issue 10 item 2: no global lock held longer than needed).

Two writers of global sequences number their rows at commit instead of when the row is written, so their
transaction-scoped locks (PostgreSQL `pg_advisory_xact_lock`; SQLite's writing transaction holds the only write
lock anyway) are held only for their own few statements and the COMMIT:

| stage | what | lock | taken by |
|---|---|---|---|
| `SEQUENCER` (10) | the outbox numbers its changes (outbox/repository.py assign_seqs) | 44_014 | transactions that share a change |
| `AUDIT_CHAIN` (20) | the audit rows are chained to the trail's head (auth/audit.py) | 122_019 | every audited transaction |

Lock order (no deadlock): every per-subject row lock, the archive's table and row locks and the outbox sequencer
are taken before the audit chain's lock, and nothing is locked after it: a transaction holding the audit chain
runs its head read, one insert and COMMIT, and waits for nobody. The sequencer comes first: a bulk sharer
(outbox NUMBER_AT_INSERT) already holds it from its handler to the commit, so at commit everyone takes
sequencer → audit chain, never the other way round. It is also the less contended of the two (only sharing
transactions take it), so a transaction waits for the hot audit lock while holding the cold one, not the reverse.

`at_commit(session, stage, hook)` arms `hook(session)` for this session's next commit; the hooks run from one
`before_commit` listener in stage order, each once per commit (arm again in the next transaction); a savepoint's
release does not run them.
A rollback disarms them (their own state, e.g. pending rows, is the arming module's to forget).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

SEQUENCER = 10
AUDIT_CHAIN = 20

Hook = Callable[[Session], None]
_KEY = "xinyong.at_commit"


def at_commit(session: Session, stage: int, hook: Hook) -> None:
    hooks: dict[int, Hook] = session.info.setdefault(_KEY, {})
    hooks[stage] = hook
    if not event.contains(session, "before_commit", _run):
        event.listen(session, "before_commit", _run)
        event.listen(session, "after_soft_rollback", _disarm)


def _run(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's RELEASE (before_commit fires for those too): the hooks wait for the real commit
    hooks: dict[int, Hook] = session.info.get(_KEY) or {}
    while hooks:  # a hook may arm a later stage (not an earlier one: it would run out of order)
        stage = min(hooks)
        hook = hooks.pop(stage)
        hook(session)


def _disarm(session: Session, previous_transaction: SessionTransaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_KEY, None)
