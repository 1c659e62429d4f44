"""The outbox is written in the publishing transaction and numbered at commit (44号 Task 14 及时共享、及时更新)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select

from tests.api._api_helpers import make_subject, new_ref, today
from tests.conftest import auth
from tests.outbox.conftest import Probe, publish
from xinyong.bootstrap import unit_of_work
from xinyong.core.events import Shared
from xinyong.handlers import HANDLERS
from xinyong.messages.evaluation import ChangedColumns, EvaluationChanged, EvaluationsChanged
from xinyong.outbox.handlers import REACTIONS
from xinyong.outbox.models import OutboxEvent
from xinyong.outbox.service import record_changes

pytestmark = pytest.mark.article("44号 Task 14")


def _rows(engine: Engine) -> list[OutboxEvent]:
    with unit_of_work(engine, writing=False) as uow:
        return list(uow.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def test_every_change_of_a_shared_event_is_numbered_at_commit_without_gaps(clean: Engine) -> None:
    publish(clean, 1, 2, 3)
    publish(clean, 4)
    with unit_of_work(clean) as uow:
        uow.publish(Probe("X", (5,)))
        uow.handle()
        pending = list(uow.session.scalars(select(OutboxEvent.seq).order_by(OutboxEvent.id)))
        assert pending[-1] is None  # numbered only as the transaction commits
    rows = _rows(clean)
    assert [r.data["n"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert all(r.type == "grade_changed" for r in rows)


def test_an_event_that_shares_nothing_writes_no_row(clean: Engine) -> None:
    publish(clean)  # Probe with no changes (e.g. a score change within the same level)
    assert _rows(clean) == []


def test_a_failed_unit_of_work_leaves_no_change_behind(clean: Engine) -> None:
    publish(clean, 1)
    with pytest.raises(RuntimeError), unit_of_work(clean) as uow:
        uow.publish(Probe("X", (2, 3)))
        uow.handle()
        assert uow.session.scalar(select(func.count()).select_from(OutboxEvent)) == 3  # written, not committed
        raise RuntimeError("the write fails after its event was handled")
    publish(clean, 4)
    rows = _rows(clean)
    assert [(r.seq, r.data["n"]) for r in rows] == [(1, 1), (2, 4)]  # no event, and no gap, for the lost write


def test_a_rolled_back_part_of_a_unit_of_work_shares_nothing(clean: Engine) -> None:
    with unit_of_work(clean) as uow:
        uow.publish(Probe("X", (1,)))
        uow.handle()
        with pytest.raises(ValueError), uow.atomic():  # e.g. one refused record of a bulk intake
            uow.publish(Probe("Y", (2,)))
            uow.handle()
            raise ValueError("refused")
        uow.publish(Probe("Z", (3,)))
    assert [(r.seq, r.subject_code) for r in _rows(clean)] == [(1, "X"), (2, "Z")]


def _evaluation(i: int) -> EvaluationChanged:
    return EvaluationChanged(subject_id=i, subject_code=f"S{i:08d}", scope="general", as_of="2026-03-10", old=None,
                             new={"score": 700, "grade": "B", "level": "B", "fused": False}, fuse_articles=[],
                             components={}, cause={"kind": "batch"})


def test_every_shared_event_is_recorded_by_the_outbox() -> None:
    assert REACTIONS == {Shared: [record_changes]}
    assert record_changes in HANDLERS[Shared]


def test_a_batch_of_evaluation_changes_is_numbered_as_it_goes_in(clean: Engine) -> None:
    """EvaluationsChanged may carry 10^5–10^6 changes: from NUMBER_AT_INSERT on they go in already numbered (COPY on
    PostgreSQL, one INSERT per 10 000 rows on SQLite), after what the transaction shared before them and before
    what it shares after them — no UPDATE of the batch's rows at commit, and seq order is still insertion order."""
    n = 25_000
    calls: list[tuple[str, int]] = []

    def count(_conn: Any, clause: Any, multiparams: Any, _params: Any, _opts: Any) -> None:
        sql = str(clause)
        if "outbox_events" in sql and sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            calls.append((sql.split()[0].upper(), len(multiparams) if multiparams else 1))

    publish(clean, 1, 2)  # committed before: the batch numbers after them
    event.listen(clean, "before_execute", count)
    try:
        with unit_of_work(clean) as uow:  # the outbox's own reaction (the archive's needs real subjects)
            uow.publish(Probe("BEFORE", (3,)))
            uow.handle()
            record_changes(EvaluationsChanged(evaluations=[_evaluation(i) for i in range(n)]), uow)
            numbered = uow.session.scalar(select(func.count()).select_from(OutboxEvent)
                                          .where(OutboxEvent.seq.is_not(None)))
            assert numbered == 2 + 1 + n  # numbered at insert, before the commit (the earlier row with them)
            uow.publish(Probe("AFTER", (4,)))
    finally:
        event.remove(clean, "before_execute", count)
    inserts = [c for c in calls if c[0] == "INSERT"]
    if clean.dialect.name == "postgresql":
        assert inserts == [("INSERT", 1), ("INSERT", 1)]  # the two probes; the batch went in by COPY
    else:
        assert inserts == [("INSERT", 1), ("INSERT", 10_000), ("INSERT", 10_000), ("INSERT", 5_000), ("INSERT", 1)]
    # the sequencer's UPDATE ran twice (at insert for BEFORE, at commit for AFTER), never over the batch's rows
    assert [c for c in calls if c[0] == "UPDATE"] == [("UPDATE", 1), ("UPDATE", 1)]
    with unit_of_work(clean, writing=False) as uow:
        s = uow.session
        rows = list(s.execute(select(OutboxEvent.id, OutboxEvent.seq, OutboxEvent.subject_code)
                              .order_by(OutboxEvent.id)))
        assert [r.seq for r in rows] == list(range(1, n + 5))  # gap-free and in insertion order
        assert rows[2].subject_code == "BEFORE" and rows[-1].subject_code == "AFTER"
        last = s.scalars(select(OutboxEvent).where(OutboxEvent.seq == n + 3)).one()
        assert last.subject_code == f"S{n - 1:08d}" and last.data["new"]["grade"] == "B"
        assert last.data == {"scope": "general", "as_of": "2026-03-10", "old": None, "fuse_articles": [],
                             "new": {"score": 700, "grade": "B", "level": "B", "fused": False}, "cause": "batch"}
        assert last.occurred_at is not None


def test_an_import_chunks_changes_go_in_as_their_texts_and_are_numbered_at_commit(
        clean: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """An import chunk's evaluation changes (ChangedColumns, fewer than NUMBER_AT_INSERT) go in from the texts the
    event renders — no dict per row — unnumbered, and are numbered at commit after what committed before: the same
    rows, data and order as the same changes as objects."""
    components = ("general_bonus", "general_deduction", "industry_bonus", "industry_deduction")
    cols = ChangedColumns(
        [7, 8, 9], ["S7", "S8", "S9"], ["general", "general", "construction"], "2026-11-30",
        [("v1", 350, "D", "D", True), ("v1", 700, "B", "B1", False), ("v2", 880, "A", "A2", False)],
        [None, ("v1", 720, "B", "B1", False), ("v2", 790, "B", "B3", False)],
        [["122号 Art.16(1)"], [], []], components, [(0, 0, 0, 0), (5, -25, 0, 0), (0, 0, 10, 0)],
        [{"kind": "bulk_import", "records": [1]}, {"kind": "bulk_import", "records": [2]}, {"kind": "batch"}])
    stored: list[list[tuple[Any, ...]]] = []
    for changed in (EvaluationsChanged(cols), EvaluationsChanged(list(cols))):  # texts, then objects
        with unit_of_work(clean) as uow:
            uow.session.execute(OutboxEvent.__table__.delete())
        publish(clean, 1)  # committed before
        with unit_of_work(clean) as uow, monkeypatch.context() as patch:
            if isinstance(changed.evaluations, ChangedColumns):  # its texts, never a Change object per row
                patch.setattr(EvaluationsChanged, "changes", lambda _self: pytest.fail("objects made"))
            record_changes(changed, uow)
            pending = list(uow.session.scalars(select(OutboxEvent.seq).order_by(OutboxEvent.id)))
            assert pending[0] is not None and pending[1:] == [None, None]  # numbered only at commit
        stored.append([(r.seq, r.type, r.subject_code, r.data) for r in _rows(clean)])
    texts, objects = stored
    assert [(row[0], row[2]) for row in texts] == [(1, "91110000TEST00001X"), (2, "S7"), (3, "S9")]  # S8: B1
    assert texts[2][3] == {"scope": "construction", "as_of": "2026-11-30", "fuse_articles": [], "cause": "batch",
                           "old": {"score": 790, "grade": "B", "level": "B3", "fused": False},
                           "new": {"score": 880, "grade": "A", "level": "A2", "fused": False}}
    assert texts == objects


def test_a_listing_through_the_api_is_shared_with_its_grade_change(client: TestClient, tokens: dict[str, str]
                                                                   ) -> None:
    """Real events: listing a subject (122号 Art.16(1)) shares subject_listed and the fused grade."""
    code = make_subject(client, tokens["admin"])["code"]
    r = client.post("/api/v1/listings", headers=auth(tokens["admin"]), json={
        "subject": code, "list": "national_serious_dishonesty", "listed_on": today().isoformat(),
        "source_ref": new_ref("LIST")})
    assert r.status_code == 201, r.text
    r = client.get("/api/v1/changes", params={"after": 0}, headers=auth(tokens["admin"]))
    assert r.status_code == 200, r.text
    mine = [c for c in r.json()["changes"] if c["subject"] == code]
    types = [c["type"] for c in mine]
    assert types == ["grade_changed", "subject_listed", "grade_changed"]  # registered (first grade); listed; fused
    listed = mine[types.index("subject_listed")]
    assert listed["data"]["list"] == "national_serious_dishonesty"
    assert mine[0]["data"]["old"] is None and not mine[0]["data"]["new"]["fused"]
    assert mine[2]["data"]["new"]["fused"] is True and mine[2]["data"]["new"]["grade"] == "D"
    seqs = [c["seq"] for c in r.json()["changes"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_what_waited_before_a_part_that_failed_is_still_handled_after_it(clean: Engine) -> None:
    """core/uow.py atomic(): a message queued before the part but handled inside it (its effects rolled back with
    the part) waits again and is handled when the unit of work ends — not lost."""
    with unit_of_work(clean) as uow:
        uow.publish(Probe("X", (1,)))  # not handled yet
        with pytest.raises(ValueError), uow.atomic():
            uow.publish(Probe("Y", (2,)))
            uow.handle()  # handles X and Y inside the savepoint
            raise ValueError("refused")
    assert [(r.seq, r.subject_code) for r in _rows(clean)] == [(1, "X")]
