"""Concurrent writers of one subject queue on its row lock: no lost real-time update (122号 第十三条), no broken
archive sequence (第十九条), never a 500."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from tests.conftest import new_uscc
from xinyong.archive.verify import verify_archive
from xinyong.auth.actors import Actor
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import beijing_today
from xinyong.db.session import session_factory
from xinyong.evaluation.models import Evaluation
from xinyong.evaluation.service import evaluate_subject
from xinyong.records.schemas import RecordIn
from xinyong.records.service import submit_record
from xinyong.subjects.repository import by_code
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import create_subject


@pytest.mark.article("122号 Art.13", "122号 Art.19")
def test_parallel_records_for_one_subject_all_count_and_the_archive_stays_intact_122_art13_122_art19(clean):
    with unit_of_work(clean) as s:
        code = create_subject(s, SubjectIn(code=new_uscc(), name="并发测试", kind="organization",
                                           national_grade="A", industries=["survey_design"]), "t").code
    errors: list[BaseException] = []
    act = date(beijing_today().year, 1, 1)  # the period's first day: never in the future, whatever the date

    def writer(n: int) -> None:
        try:
            for k in range(4):
                with unit_of_work(clean) as s:
                    submit_record(s, RecordIn(subject=code, item="SD-D01", act_date=act, department="zhifa",
                                              source_ref=f"CONC-{n}-{k}"), Actor(f"w{n}", "admin"))
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with session_factory(clean)() as s:
        subject = by_code(s, code)
        fresh = evaluate_subject(s, subject, beijing_today())["survey_design"]
        stored = s.get(Evaluation, (subject.id, "survey_design"))
        # 16 records × 20 points, uncapped item, within the 350 industry budget
        assert fresh.score == 800 - 40  # sixteen SD-D01 records, capped at 40 a period (122号 Art.11(2))
        assert stored.score == fresh.score and stored.level == fresh.level
        report = verify_archive(s)
    assert report.ok, report.problems
