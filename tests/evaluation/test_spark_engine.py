"""The Spark engine equals the in-process engine (issue 10 item 4), subject by subject and scope by scope, and the
in-process batch equals the real-time evaluation of every subject (122号 Art.13): one semantics for the national
base level and the period, item caps and family budgets (Art.11(2)), the fuse from records, from a listing and from
an unperformed refusal of an earlier period (Art.16, G1-05), and acts before the measures (Art.28).

Runs PySpark in local mode (local[2], one SparkSession for the module, no UI, two shuffle partitions); skipped only
when Java or pyspark is missing (`make system-deps` installs Java, `make install` the `spark` extra)."""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, delete, insert, select, text

from tests.conftest import DATA_TABLES, new_uscc
from xinyong.archive.models import ArchiveEntry
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import beijing_today
from xinyong.evaluation.models import Evaluation
from xinyong.evaluation.service import STORED_FIELDS, BatchContext, batch_evaluate, evaluate_subject
from xinyong.listings.models import Membership
from xinyong.records.models import Duplicate, Record, Withdrawal
from xinyong.records.service import REFUSAL_FUSE_KEY
from xinyong.reference.framework import first_day_in_force
from xinyong.reference.service import items_firing
from xinyong.subjects.models import NationalGrade, Subject, SubjectIndustry

pyspark = pytest.importorskip("pyspark", reason="pyspark is missing: `make install` installs the spark extra")
if shutil.which("java") is None:
    pytest.skip("java is missing: `make system-deps` installs Debian's openjdk-17-jre-headless", allow_module_level=True)

from xinyong.evaluation.spark_engine import evaluate_with_spark, spark_session  # noqa: E402 — after the skips

TODAY = beijing_today()
N_SUBJECTS = 300
INDUSTRIES = ("survey_design", "surveying_mapping", "fire_design_review", "verification", "land_development")


@pytest.fixture(scope="module")
def spark():
    session = spark_session("local[2]", {"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"})
    yield session
    session.stop()


def _fill(engine: Engine, seed: int = 10) -> dict[str, int]:
    """A few hundred subjects written straight into the tables (no real-time evaluation): every kind of record,
    capped and budget-exceeding repeats, fuse items, heavier penalties, withdrawn, superseded and duplicate records,
    acts before the measures and in the previous period, national levels changed during the period, listings in
    force, removed and future, and refusals of an earlier period open or performed."""
    rng = random.Random(seed)
    with engine.begin() as conn:
        for table in DATA_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
    with unit_of_work(engine) as uow:
        s = uow.session
        ctx = BatchContext.for_day(s, TODAY)
        t = ctx.table
        start, first = ctx.period_start, ctx.counts_from
        s.execute(insert(Subject), [{"code": new_uscc(), "kind": "organization", "name": f"单位{i}"}
                                    for i in range(N_SUBJECTS)])
        ids = list(s.scalars(select(Subject.id).order_by(Subject.id)))
        grades, members, records = [], [], []
        general = [c for c, b in zip(t.item_codes, t.bucket, strict=True) if b < 2]
        by_industry = {k: [c for c, b in zip(t.item_codes, t.bucket, strict=True) if b in (2 + 2 * k, 3 + 2 * k)]
                       for k in range(len(t.industries))}
        fuse_items = [c for c, r in zip(t.item_codes, t.fuse_reason, strict=True) if r >= 0]
        heavier = [c for c, h in zip(t.item_codes, t.heavier, strict=True) if h]
        ordinary_bad = [c for c in general if t.bucket[t.item_codes.index(c)] == 1 and c not in fuse_items
                        and c not in heavier]
        ordinary_good = [c for c in general if t.bucket[t.item_codes.index(c)] == 0]
        span = (TODAY - first).days

        def in_period() -> date:
            return first + timedelta(days=rng.randint(0, span))

        for n, sid in enumerate(ids):
            # national level: none, one before the period, one changed during it, or first known during it
            shape = n % 5
            if shape >= 1:
                grades.append({"subject_id": sid, "grade": rng.choice(["A", "B", "C", "D", None]),
                               "valid_from": start - timedelta(days=rng.randint(1, 400))})
            if shape in (2, 3):
                grades.append({"subject_id": sid, "grade": rng.choice(["A", "B", "C", "D"]), "valid_from": in_period()})
            industries = rng.sample(range(len(t.industries)), k=rng.choice([0, 1, 1, 2]))
            members += [{"subject_id": sid, "industry": t.industries[k]} for k in industries]
            pool = general + [c for k in industries for c in by_industry[k]]
            for _ in range(rng.choice([0, 1, 3, 8, 20])):
                records.append((sid, rng.choice(pool), in_period()))
            if n % 7 == 0:  # capped items again and again: item caps, the family budget (100), the 350 floor
                for item in ordinary_bad:
                    records += [(sid, item, in_period()) for _ in range(3)]
                records.append((sid, rng.choice(heavier), in_period()))
            if n % 9 == 0:  # good information beyond the general bonus budget (50)
                for item in ordinary_good:
                    records += [(sid, item, in_period()) for _ in range(3)]
            if n % 23 == 0:
                records.append((sid, rng.choice(fuse_items), in_period()))
            if n % 17 == 1:  # two heavier penalties: 122号 Art.16(6); one alone does not fuse
                records += [(sid, rng.choice(heavier), in_period()) for _ in range(1 + n % 2)]
            if n % 11 == 0:  # history: before the measures (Art.28) and in the previous period
                records.append((sid, rng.choice(fuse_items), date(2024, 1, 10)))
                records.append((sid, rng.choice(pool), start - timedelta(days=3)))
        s.execute(insert(NationalGrade), grades)
        s.execute(insert(SubjectIndustry), members)
        s.execute(insert(Record), [{"subject_id": sid, "item": item, "act_date": day, "department": "zhifa",
                                    "source_ref": f"S-{k}", "channel": "interface", "entered_by": "test",
                                    "due_date": day} for k, (sid, item, day) in enumerate(records)])
        rec_ids = list(s.scalars(select(Record.id).order_by(Record.id)))
        s.execute(insert(Withdrawal), [{"record_id": r, "reason": "test", "withdrawn_by": "test"}
                                       for r in rec_ids[::13]])
        s.execute(insert(Duplicate), [{"record_id": a, "duplicate_of_id": b, "reason": "test"}
                                      for a, b in zip(rec_ids[5::29], rec_ids[6::29], strict=False)])
        corrected = rec_ids[7::31]  # a correction supersedes the old version (which counts no more)
        s.execute(insert(Record), [{"subject_id": sid, "item": item, "act_date": day, "department": "zhifa",
                                    "source_ref": f"C-{old}", "channel": "interface", "entered_by": "test",
                                    "due_date": day, "supersedes_id": old}
                                   for old, (sid, item, day) in zip(corrected, (records[rec_ids.index(r)]
                                                                                for r in corrected), strict=True)])
        # 122号 Art.16(1): the national serious-dishonesty list — in force, removed, not yet in force
        listings = []
        for n, sid in enumerate(ids[3::19]):
            removed = TODAY - timedelta(days=1) if n % 3 == 1 else None
            listed = TODAY + timedelta(days=5) if n % 3 == 2 else first
            listings.append({"subject_id": sid, "list_code": "national_serious_dishonesty", "listed_on": listed,
                             "removed_on": removed, "source": "system", "source_ref": f"L-{n}", "entered_by": "test"})
        s.execute(insert(Membership), listings)
        # 122号 Art.16(2): refusals to perform dated in the previous period, some performed since
        if start > first_day_in_force():
            refusal_item = items_firing(s, REFUSAL_FUSE_KEY)[0]
            for n, sid in enumerate(ids[5::37]):
                day = max(start - timedelta(days=30), first_day_in_force())
                refusal = s.scalar(insert(Record).returning(Record.id).values(
                    subject_id=sid, item=refusal_item, act_date=day, department="zhifa", source_ref=f"R-{n}",
                    channel="interface", entered_by="test", due_date=day))
                if n % 2:
                    s.execute(insert(Record).values(subject_id=sid, item="GEN-B01", act_date=first,
                                                    department="zhifa", source_ref=f"P-{n}", channel="interface",
                                                    entered_by="test", due_date=first, closes_id=refusal))
    return {"subjects": len(ids), "records": len(records)}


def _stored(engine: Engine) -> dict[tuple[int, str], dict]:
    with unit_of_work(engine, writing=False) as uow:
        return {(e.subject_id, e.scope): {f: getattr(e, f) for f in (*STORED_FIELDS, "as_of")}
                for e in uow.session.scalars(select(Evaluation))}


def _forget_evaluations(engine: Engine) -> None:
    with unit_of_work(engine) as uow:
        uow.session.execute(delete(ArchiveEntry))
        uow.session.execute(delete(Evaluation))


@pytest.mark.spark
@pytest.mark.article("122号 Art.13", "122号 Art.11(2)", "122号 Art.16(1)", "122号 Art.16(2)", "122号 Art.16(6)",
                     "122号 Art.28")
def test_spark_engine_equals_the_in_process_engine_and_the_real_time_path(engine, spark, tmp_path):
    made = _fill(engine)
    with unit_of_work(engine) as uow:
        inprocess = batch_evaluate(uow, TODAY, store=True, chunk=64)  # several chunks, as on a large store
    expected = _stored(engine)
    assert inprocess.subjects == made["subjects"] and len(expected) == inprocess.evaluations
    fused = {k for k, v in expected.items() if v["fused"]}
    assert fused and len(fused) < len(expected)  # the data fires the fuse for some, not for all
    articles = {a for v in expected.values() for a in v["fuse_articles"]}
    assert {"122号 第十六条(一)", "122号 第十六条(二)", "122号 第十六条(六)"} <= articles
    assert min(v["score"] for v in expected.values()) < 500 < max(v["score"] for v in expected.values())
    assert any(v["components"]["general_deduction"] == 100 for v in expected.values())  # family budgets bind
    assert any(v["components"]["general_bonus"] == 50 for v in expected.values())
    assert any(v["score"] == 350 for v in expected.values())  # the floor of 122号 Art.11(2)

    # the in-process batch equals the real-time evaluation of each subject (explanation path)
    with unit_of_work(engine, writing=False) as uow:
        for subject in uow.session.scalars(select(Subject)):
            for scope, res in evaluate_subject(uow.session, subject, TODAY).items():
                assert expected[(subject.id, scope)] == {**res.stored(), "as_of": TODAY}, (subject.code, scope)

    # Spark over the Parquet export, written back through the same storage path into an empty store
    _forget_evaluations(engine)
    run = evaluate_with_spark(engine, TODAY, spark=spark, workdir=tmp_path / "spark", chunk=64)
    got = _stored(engine)
    assert set(got) == set(expected)
    for key, row in expected.items():
        assert got[key] == row, key  # score, grade, level, fused, fuse articles, components, base, version
    assert run.summary.changed == len(expected) and run.summary.records == inprocess.records
    assert run.summary.grades == inprocess.grades
    with unit_of_work(engine, writing=False) as uow:  # every new evaluation archived (122号 Art.19)
        archived = uow.session.scalar(select(ArchiveEntry.id).where(ArchiveEntry.kind == "evaluation_changed")
                                      .order_by(ArchiveEntry.id.desc()).limit(1))
        n_archived = len(list(uow.session.scalars(select(ArchiveEntry.id).where(
            ArchiveEntry.kind == "evaluation_changed"))))
    assert archived is not None and n_archived == len(expected)

    # nothing changed since: the second run writes nothing
    again = evaluate_with_spark(engine, TODAY, spark=spark, workdir=tmp_path / "again", chunk=100)
    assert again.summary.changed == 0 and again.summary.mismatches == []
    assert _stored(engine) == expected
