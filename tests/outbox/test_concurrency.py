"""Concurrent writers never make a reader skip a change (44号 Task 14; the sequencer of outbox.repository):
seq is given in commit order, so once seq n is visible every smaller seq is."""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import Engine, select

from tests.outbox.conftest import Probe
from xinyong.bootstrap import unit_of_work
from xinyong.outbox import repository
from xinyong.outbox.models import OutboxEvent

pytestmark = pytest.mark.article("44号 Task 14")


def _read(engine: Engine, after: int) -> list[int]:
    with unit_of_work(engine, writing=False) as uow:
        return [e.seq or 0 for e in repository.events_after(uow.session, after, 1000)]


def test_an_earlier_insert_that_commits_later_is_numbered_later_and_not_skipped(clean: Engine) -> None:
    """A inserts first and commits last (B commits in between): with the id as seq, a reader that saw B's id would
    never see A's smaller one. Here A gets the later seq, so reading on from B finds it."""
    if clean.dialect.name != "postgresql":
        pytest.skip("SQLite writers hold the one write lock from their first write: they cannot interleave")
    a_inserted, b_committed = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer_a() -> None:
        try:
            with unit_of_work(clean) as uow:
                uow.publish(Probe("A", (1,)))
                uow.handle()
                a_inserted.set()
                assert b_committed.wait(10)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    thread = threading.Thread(target=writer_a)
    thread.start()
    assert a_inserted.wait(10)
    with unit_of_work(clean) as uow:
        uow.publish(Probe("B", (2,)))
    seen = _read(clean, 0)
    b_committed.set()
    thread.join(10)
    assert not errors
    assert seen == [1]  # B, committed first, is seq 1; A is still in flight and has no seq yet
    seen += _read(clean, seen[-1])
    assert seen == [1, 2]
    with unit_of_work(clean, writing=False) as uow:
        rows = {e.subject_code: e for e in uow.session.scalars(select(OutboxEvent))}
    assert rows["A"].id < rows["B"].id and rows["A"].seq == 2 and rows["B"].seq == 1


def test_concurrent_writers_and_a_reader_that_never_skips_a_seq(clean: Engine) -> None:
    writers, per_writer, per_uow = 3, 15, 2
    total = writers * per_writer * per_uow
    errors: list[BaseException] = []
    done = threading.Event()

    def write(w: int) -> None:
        rng = random.Random(w)
        try:
            for i in range(per_writer):
                with unit_of_work(clean) as uow:
                    uow.publish(Probe(f"W{w}", tuple(range(i * per_uow, (i + 1) * per_uow))))
                    uow.handle()
                    threading.Event().wait(rng.uniform(0, 0.01))  # hold the transaction open a little
        except BaseException as exc:
            errors.append(exc)

    seen: list[int] = []

    def read() -> None:
        try:
            while len(seen) < total and not (done.is_set() and errors):
                batch = _read(clean, seen[-1] if seen else 0)
                start = (seen[-1] if seen else 0) + 1
                assert batch == list(range(start, start + len(batch))), (start, batch)  # nothing skipped
                seen.extend(batch)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    reader = threading.Thread(target=read)
    reader.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    done.set()
    reader.join(60)
    assert not errors, errors
    assert seen == list(range(1, total + 1))



def test_a_writer_behind_a_bulk_sharer_that_numbered_at_insert_gets_the_next_seq(clean: Engine,
                                                                                  monkeypatch: pytest.MonkeyPatch
                                                                                  ) -> None:
    """A bulk sharer (a batch chunk) holds the sequencer from its numbered insert to its commit: a writer that
    commits meanwhile waits for it and is numbered after the bulk, and a reader never sees the writer's seq
    before the bulk's smaller ones."""
    if clean.dialect.name != "postgresql":
        pytest.skip("SQLite writers hold the one write lock from their first write: they cannot interleave")
    monkeypatch.setattr("xinyong.outbox.service.NUMBER_AT_INSERT", 3)
    bulk_inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    seen_while_open: list[int] = []

    def bulk() -> None:
        try:
            with unit_of_work(clean) as uow:
                uow.publish(Probe("BULK", (1, 2, 3, 4)))
                uow.handle()
                bulk_inserted.set()
                assert release.wait(10)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    def single() -> None:
        try:
            with unit_of_work(clean) as uow:
                uow.publish(Probe("ONE", (5,)))
        except BaseException as exc:
            errors.append(exc)

    a = threading.Thread(target=bulk)
    a.start()
    assert bulk_inserted.wait(10)
    b = threading.Thread(target=single)
    b.start()
    b.join(0.5)
    assert b.is_alive()  # waiting for the sequencer the bulk holds
    seen_while_open += _read(clean, 0)
    release.set()
    a.join(10)
    b.join(10)
    assert not errors
    assert seen_while_open == []  # nothing visible before the bulk commits
    with unit_of_work(clean, writing=False) as uow:
        rows = [(e.subject_code, e.seq) for e in uow.session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq))]
    assert rows == [("BULK", 1), ("BULK", 2), ("BULK", 3), ("BULK", 4), ("ONE", 5)]
    assert _read(clean, 0) == [1, 2, 3, 4, 5]
