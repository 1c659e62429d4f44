"""The chain heads a bulk append starts from (122号 Art.19): right whatever the chains' lengths, and on PostgreSQL a
plan that stays one scan per statement even when the statistics still say the archive is empty (issue 10: a
prepared LATERAL probe planned on an empty table scanned the whole archive once per subject)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine, insert, text

from tests.conftest import new_uscc
from xinyong.archive import repository
from xinyong.archive.models import ArchiveEntry
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import beijing_now
from xinyong.subjects.models import Subject

pytestmark = pytest.mark.article("122号 Art.19")


def test_the_head_of_each_chain_is_its_last_entry_and_a_subject_without_one_has_none(clean: Engine) -> None:
    with unit_of_work(clean) as uow:
        s = uow.session
        ids = [s.execute(insert(Subject).values(code=new_uscc(), kind="organization", name=f"单位{i}",
                                                created_by="t").returning(Subject.id)).scalar_one() for i in range(4)]
        lengths = {ids[0]: 1, ids[1]: 3, ids[2]: 7}  # ids[3] has no entry yet
        s.execute(insert(ArchiveEntry), [
            {"subject_id": sid, "seq": q, "at": beijing_now(), "kind": "k", "summary": "", "payload": {},
             "prev_hash": "p", "hash": f"h{sid}-{q}"} for sid, n in lengths.items() for q in range(1, n + 1)])
    with unit_of_work(clean, writing=False) as uow:
        for chunk in (1, 2, 50_000):  # one statement or several: the same heads
            heads = repository.chain_heads(uow.session, ids, chunk)
            assert heads == {sid: (n, f"h{sid}-{n}") for sid, n in lengths.items()}


def test_the_generic_plan_on_an_archive_analysed_empty_has_no_scan_per_subject(clean: Engine) -> None:
    if clean.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements and their generic plans are PostgreSQL's")
    with clean.connect() as conn:
        conn.execute(text("ANALYZE archive_entries"))  # empty by its statistics, as on a fresh install
        conn.execute(text("SET plan_cache_mode = force_generic_plan"))
        sql = str(repository._HEADS_PG.compile(dialect=clean.dialect)).replace("%(ids)s", "$1")
        conn.execute(text(f"PREPARE heads(integer[]) AS {sql}"))
        plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN EXECUTE heads(ARRAY[1, 2, 3])")))
        conn.execute(text("DEALLOCATE heads"))
        conn.rollback()
    assert "Nested Loop" not in plan and "SubPlan" not in plan, plan
    assert len(re.findall(r" on archive_entries\b", plan)) == 1, plan  # the archive read once per statement
