"""The audit trail is chained at commit (issue 10 item 2; db/commit.py): a transaction's audit rows are written as
its last statements under the chain's lock, so concurrent writers queue on it for a few statements and the COMMIT
only, and the chain stays gap-free and verifiable (122号 Art.19 全流程可追溯)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select

from xinyong.auth.actors import Actor
from xinyong.auth.audit import verify_chain
from xinyong.auth.models import AuditEvent
from xinyong.bootstrap import unit_of_work
from xinyong.core.events import Change, Shared
from xinyong.outbox import repository as outbox_repo
from xinyong.outbox.models import OutboxEvent

pytestmark = pytest.mark.article("122号 Art.19")

WRITER = Actor(name="test-writer", role="admin", origin="127.0.0.1")
WAIT = 10  # seconds a thread waits for the other before the test fails (a deadlock or a lock held too long)


@dataclass(frozen=True)
class Shares(Shared):
    """A shared event of this test: one grade_changed change, so the transaction takes the outbox sequencer too."""

    code: str

    def changes(self) -> list[Change]:
        return [Change("grade_changed", self.code, {"n": 1})]


def _trail(engine: Engine) -> list[AuditEvent]:
    with unit_of_work(engine, writing=False) as uow:
        n, problems = verify_chain(uow.session)
        assert problems == []
        events = list(uow.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    assert [e.seq for e in events] == list(range(1, n + 1))
    return events


def _outbox_seqs(engine: Engine) -> list[int]:
    with unit_of_work(engine, writing=False) as uow:
        return sorted(e.seq or 0 for e in uow.session.scalars(select(OutboxEvent)))


def _run(*targets: object) -> list[BaseException]:
    errors: list[BaseException] = []

    def guard(fn: object) -> None:
        try:
            fn()  # type: ignore[operator]
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=guard, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(3 * WAIT)
    assert not any(t.is_alive() for t in threads), "a writer is stuck"
    return errors


def test_an_audit_row_takes_no_lock_before_the_commit_so_a_later_writer_commits_first(clean: Engine) -> None:
    """A audits first and commits last; B audits and commits in between, without waiting for A (the lock used to
    be taken at the audit row and held to COMMIT). The chain is in commit order: B is seq 1, A seq 2."""
    if clean.dialect.name != "postgresql":
        pytest.skip("SQLite writers hold the one write lock from their first write: they cannot interleave")
    a_audited, b_committed = threading.Event(), threading.Event()

    def writer_a() -> None:
        with unit_of_work(clean, actor=WRITER) as uow:
            uow.audit("test.a", "a")
            uow.session.flush()
            a_audited.set()
            assert b_committed.wait(WAIT), "B waited for A's audit row"

    def writer_b() -> None:
        assert a_audited.wait(WAIT)
        with unit_of_work(clean, actor=WRITER) as uow:
            uow.audit("test.b", "b")
        b_committed.set()

    assert _run(writer_a, writer_b) == []
    assert [(e.seq, e.action) for e in _trail(clean)] == [(1, "test.b"), (2, "test.a")]


def test_concurrent_writers_chain_one_gap_free_trail_and_outbox(clean: Engine) -> None:
    """Writers of one or three audit rows, half of them sharing a change (sequencer, then audit chain at commit),
    in parallel: one chain, no fork, no gap; the outbox numbered 1..n; nobody deadlocks."""
    writers, rounds = 6, 8

    def writer(w: int) -> None:
        for r in range(rounds):
            with unit_of_work(clean, actor=WRITER) as uow:
                for k in range(1 + 2 * ((w + r) % 2)):
                    uow.audit("test.write", f"w{w}r{r}k{k}")
                if w % 2:
                    uow.publish(Shares(f"W{w}R{r}"))

    assert _run(*[lambda w=w: writer(w) for w in range(writers)]) == []
    events = _trail(clean)
    assert len(events) == sum(1 + 2 * ((w + r) % 2) for w in range(writers) for r in range(rounds))
    first = next(i for i, e in enumerate(events) if e.target == "w2r3k0")
    # a transaction's rows stay together, in their order
    assert [e.target for e in events[first : first + 3]] == ["w2r3k0", "w2r3k1", "w2r3k2"]
    assert _outbox_seqs(clean) == list(range(1, writers // 2 * rounds + 1))


def test_a_bulk_sharer_holding_the_sequencer_and_a_writer_at_commit_do_not_deadlock(clean: Engine) -> None:
    """Lock order (db/commit.py): a bulk sharer takes the sequencer before its commit (outbox NUMBER_AT_INSERT) and
    the audit chain at it; a writer that shares a change takes the sequencer, then the audit chain, both at commit.
    Taking the audit chain first (as the audit row used to) would deadlock these two."""
    if clean.dialect.name != "postgresql":
        pytest.skip("SQLite writers hold the one write lock from their first write: they cannot interleave")
    bulk_holds, writer_started = threading.Event(), threading.Event()

    def bulk() -> None:
        with unit_of_work(clean, actor=WRITER) as uow:
            uow.audit("test.bulk", "bulk")
            outbox_repo.insert_numbered_events(uow.session, [("grade_changed", "BULK", '{"n": 1}')], uow.clock.now())
            bulk_holds.set()
            assert writer_started.wait(WAIT)
            time.sleep(0.5)  # the writer is now waiting for the sequencer at its commit

    def writer() -> None:
        assert bulk_holds.wait(WAIT)
        with unit_of_work(clean, actor=WRITER) as uow:
            uow.audit("test.writer", "writer")
            uow.publish(Shares("WRITER"))
            uow.handle()
            writer_started.set()

    assert _run(bulk, writer) == []
    assert [e.action for e in _trail(clean)] == ["test.bulk", "test.writer"]
    assert _outbox_seqs(clean) == [1, 2]


def test_a_rolled_back_part_or_transaction_leaves_no_audit_row(clean: Engine) -> None:
    with unit_of_work(clean, actor=WRITER) as uow:
        uow.audit("test.kept", "1")
        with pytest.raises(RuntimeError), uow.atomic():
            uow.audit("test.dropped", "part")
            with uow.atomic():
                uow.audit("test.dropped", "inner part")
            raise RuntimeError("the part fails")
        with uow.atomic():
            uow.audit("test.kept", "2")
    with pytest.raises(RuntimeError), unit_of_work(clean, actor=WRITER) as uow:
        uow.audit("test.dropped", "transaction")
        raise RuntimeError("the request fails")
    with unit_of_work(clean, actor=WRITER) as uow:  # the same thread's next unit of work starts clean
        uow.audit("test.kept", "3")
    assert [(e.action, e.target) for e in _trail(clean)] == [("test.kept", "1"), ("test.kept", "2"),
                                                           ("test.kept", "3")]


def test_chunks_committed_part_by_part_each_chain_their_rows(clean: Engine) -> None:
    with unit_of_work(clean, actor=WRITER) as uow:
        uow.audit_many("test.chunk", [("c1", ""), ("c2", "")])
        uow.commit()
        uow.audit("test.chunk", "c3")
    assert [e.target for e in _trail(clean)] == ["c1", "c2", "c3"]
