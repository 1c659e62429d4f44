"""`xinyong evaluate` on the store (issue 10 item 3): chunks of subjects read with streaming cursors, results
compared with the stored evaluations, and only what changed written back and archived (122号 Art.13, Art.19)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, insert, select, update

from tests.conftest import new_uscc
from xinyong.archive.models import ArchiveEntry
from xinyong.auth.actors import Actor
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import beijing_today
from xinyong.evaluation import repository
from xinyong.evaluation.models import Evaluation
from xinyong.evaluation.service import STORED_FIELDS, BatchContext, batch_evaluate, evaluate_subject
from xinyong.records.models import Record
from xinyong.records.schemas import RecordIn
from xinyong.records.service import submit_record
from xinyong.subjects.models import Subject, SubjectIndustry
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import create_subject

ADMIN = Actor(name="tester", role="admin")
TODAY = beijing_today()


def _world(engine, n=12):
    """n subjects evaluated in real time (the store is current), a few records each."""
    items = ["GEN-B01", "GEN-D01", "SD-D02", "SD-B01", "GEN-D02"]
    with unit_of_work(engine) as uow:
        ctx = BatchContext.for_day(uow.session, TODAY)
        subjects = []
        for i in range(n):
            s = create_subject(uow, SubjectIn(code=new_uscc(), name=f"单位{i}", kind="organization",
                                              national_grade="ABCD"[i % 4], industries=["survey_design"]), "tester")
            for k in range(i % 4):
                submit_record(uow, RecordIn(subject=s.code, item=items[(i + k) % len(items)], act_date=ctx.counts_from,
                                            department="zhifa", source_ref=f"W-{i}-{k}"), ADMIN)
            subjects.append(s.id)
    return subjects


def _stored(engine):
    with unit_of_work(engine, writing=False) as uow:
        return {(e.subject_id, e.scope): {f: getattr(e, f) for f in (*STORED_FIELDS, "as_of", "computed_at")}
                for e in uow.session.scalars(select(Evaluation))}


def _archived(engine) -> int:
    with unit_of_work(engine, writing=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(ArchiveEntry)
                                  .where(ArchiveEntry.kind == "evaluation_changed")) or 0


@pytest.mark.article("122号 Art.13", "122号 Art.19")
def test_a_current_store_is_left_untouched_whatever_the_chunk_size(clean):
    _world(clean)
    before, archived = _stored(clean), _archived(clean)
    for chunk in (1, 5, 100_000):
        with unit_of_work(clean) as uow:
            summary = batch_evaluate(uow, TODAY, chunk=chunk)
        assert summary.changed == 0 and summary.mismatches == [] and summary.subjects == 12
        assert summary.evaluations == len(before)
    assert _stored(clean) == before  # not one row rewritten: computed_at unchanged
    assert _archived(clean) == archived


@pytest.mark.article("122号 Art.13", "122号 Art.19")
def test_only_the_changed_subjects_are_written_and_archived(clean):
    ids = _world(clean)
    before, archived = _stored(clean), _archived(clean)
    with unit_of_work(clean) as uow:  # behind the real-time path's back: a record, a lost industry, a stale day
        ctx = BatchContext.for_day(uow.session, TODAY)
        uow.session.execute(insert(Record).values(subject_id=ids[1], item="GEN-D01", act_date=ctx.counts_from,
                                                  department="zhifa", source_ref="X-1", channel="interface",
                                                  entered_by="test", due_date=ctx.counts_from))
        uow.session.execute(delete(SubjectIndustry).where(SubjectIndustry.subject_id == ids[5]))
        uow.session.execute(update(Evaluation).values(as_of=TODAY - timedelta(days=1)))
    with unit_of_work(clean) as uow:
        summary = batch_evaluate(uow, TODAY, chunk=4)
    after = _stored(clean)
    # subject 1 (B, one GEN-D01 already): both scopes lose 10 more points (the item's cap is 20)
    for scope in ("general", "survey_design"):
        assert after[(ids[1], scope)]["score"] == before[(ids[1], scope)]["score"] - 10
        assert after[(ids[1], scope)]["computed_at"] > before[(ids[1], scope)]["computed_at"]
    assert (ids[5], "survey_design") not in after and (ids[5], "general") in after  # the stale scope deleted
    assert summary.changed == 3 and len(summary.mismatches) == 2
    unchanged = set(before) - {(ids[1], "general"), (ids[1], "survey_design"), (ids[5], "survey_design")}
    for key in unchanged:  # every other row kept, its day moved on (one statement, not rewritten)
        assert {**after[key], "as_of": None} == {**before[key], "as_of": None} and after[key]["as_of"] == TODAY
    assert _archived(clean) == archived + 2  # old → new of subject 1's two scopes (122号 Art.19)
    with unit_of_work(clean, writing=False) as uow:  # and the batch agrees with the real-time evaluation
        s = uow.session.get(Subject, ids[1])
        for scope, res in evaluate_subject(uow.session, s, TODAY).items():
            assert {f: after[(ids[1], scope)][f] for f in STORED_FIELDS} == res.stored()


def test_a_past_day_is_evaluated_but_not_stored(clean):
    _world(clean, n=3)
    before = _stored(clean)
    with unit_of_work(clean) as uow:
        summary = batch_evaluate(uow, TODAY - timedelta(days=1))
    assert not summary.stored and summary.subjects == 3 and _stored(clean) == before


@pytest.mark.parametrize("copy_from", [1, 1_000], ids=["copy", "executemany"])
def test_an_empty_store_is_filled_and_every_evaluation_archived_as_new(clean, copy_from, monkeypatch):
    """The same rows whether the new evaluations go in by COPY (PostgreSQL, from COPY_FROM rows) or executemany."""
    monkeypatch.setattr(repository, "COPY_FROM", copy_from)
    _world(clean, n=5)
    before = _stored(clean)
    with unit_of_work(clean) as uow:
        uow.session.execute(delete(ArchiveEntry))
        uow.session.execute(delete(Evaluation))
    with unit_of_work(clean) as uow:
        summary = batch_evaluate(uow, TODAY, chunk=2)
    after = _stored(clean)
    assert summary.changed == len(before) and summary.mismatches == []  # new rows: no old value to differ from
    assert {k: {f: v[f] for f in STORED_FIELDS} for k, v in after.items()} == \
        {k: {f: v[f] for f in STORED_FIELDS} for k, v in before.items()}
    assert _archived(clean) == len(before)


def test_streaming_reads_come_in_batches_and_chunks_cover_every_subject_once(clean):
    ids = _world(clean, n=7)
    with unit_of_work(clean, writing=False) as uow:
        chunks = list(repository.subject_chunks(uow.session, 3))
        assert [len(c[0]) for c in chunks] == [3, 3, 1]
        assert [int(i) for c in chunks for i in c[0]] == sorted(ids)
        batches = list(repository.stream(uow.session, select(Evaluation.subject_id), batch=4))
        assert [len(b) for b in batches] == [4, 4, 4, 2]  # 7 subjects × (general + survey_design)


def test_period_boundary_records_of_the_day_before_the_period_do_not_count(clean):
    """G1-08: a record counts in the period of its act date; 122号 Art.13 each period starts again."""
    ids = _world(clean, n=1)
    with unit_of_work(clean) as uow:
        ctx = BatchContext.for_day(uow.session, TODAY)
        for k, day in enumerate((ctx.period_start - timedelta(days=1), ctx.counts_from)):
            uow.session.execute(insert(Record).values(subject_id=ids[0], item="GEN-D01", act_date=day,
                                                      department="zhifa", source_ref=f"B-{k}", channel="interface",
                                                      entered_by="test", due_date=day))
    before = _stored(clean)[(ids[0], "general")]["score"]
    with unit_of_work(clean) as uow:
        summary = batch_evaluate(uow, TODAY)
    assert _stored(clean)[(ids[0], "general")]["score"] == before - 10  # only the one in the period
    assert summary.records == 1


@pytest.mark.article("122号 Art.13", "122号 Art.19")
def test_committing_each_chunk_keeps_what_committed_when_a_later_chunk_fails_and_a_rerun_completes_it(
        clean, monkeypatch):
    """`xinyong evaluate` commits each chunk (commit_chunks): a first run over an empty store that fails in its
    second chunk keeps the first chunk's evaluations, archive entries and shared changes; the next run writes only
    the rest, each evaluation archived once."""
    from xinyong.evaluation import service
    from xinyong.outbox.models import OutboxEvent

    ids = _world(clean, n=6)
    before = _stored(clean)
    with unit_of_work(clean) as uow:
        uow.session.execute(delete(OutboxEvent))
        uow.session.execute(delete(ArchiveEntry))
        uow.session.execute(delete(Evaluation))
    real = service.store_chunk
    calls = []

    def failing_second(uow, ctx, res, chunk_ids, *args, **kwargs):
        calls.append(chunk_ids.tolist())
        if len(calls) == 2:
            raise RuntimeError("the machine stops in the second chunk")
        return real(uow, ctx, res, chunk_ids, *args, **kwargs)

    monkeypatch.setattr(service, "store_chunk", failing_second)
    with pytest.raises(RuntimeError), unit_of_work(clean) as uow:
        batch_evaluate(uow, TODAY, chunk=2, commit_chunks=True)
    first = set(calls[0])
    assert first == set(ids[:2])
    kept = _stored(clean)
    assert {sid for sid, _ in kept} == first  # the first chunk committed; the second rolled back
    assert _archived(clean) == len(kept)
    monkeypatch.setattr(service, "store_chunk", real)
    with unit_of_work(clean) as uow:
        summary = batch_evaluate(uow, TODAY, chunk=2, commit_chunks=True)
    assert summary.changed == len(before) - len(kept)  # only what the failed run did not commit
    after = _stored(clean)
    assert {k: {f: v[f] for f in STORED_FIELDS} for k, v in after.items()} == \
        {k: {f: v[f] for f in STORED_FIELDS} for k, v in before.items()}
    assert _archived(clean) == len(before)  # each evaluation archived once, none twice
    with unit_of_work(clean, writing=False) as uow:
        seqs = list(uow.session.scalars(select(OutboxEvent.seq).order_by(OutboxEvent.id)))
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == len(before)  # shared once each, no gap
