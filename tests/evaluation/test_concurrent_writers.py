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
from xinyong.records.repository import lock_subjects
from xinyong.records.schemas import RecordIn
from xinyong.records.service import submit_record
from xinyong.subjects.repository import by_code, insert_subject_industries
from xinyong.subjects.schemas import NationalGradeIn, SubjectIn
from xinyong.subjects.service import create_subject, record_national_grade


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


ONLY_POSTGRES = "SQLite writers hold the one write lock from BEGIN: nothing commits while one waits"


def _new_subject(engine) -> tuple[str, int]:
    with unit_of_work(engine) as s:
        subject = create_subject(s, SubjectIn(code=new_uscc(), name="等锁测试", kind="organization",
                                              national_grade="A"), "t")
        return subject.code, subject.id


def _enrol_while_the_writer_waits(engine, sid: int, writer: threading.Thread, chunk_holds: threading.Event) -> None:
    """An import chunk: the subject locked and enrolled in survey_design (G1-04) while `writer` waits for the lock;
    then the chunk commits and the writer goes on."""
    with unit_of_work(engine) as chunk:
        lock_subjects(chunk.session, [sid])
        insert_subject_industries(chunk.session, [(sid, "survey_design")])
        chunk_holds.set()
        writer.join(timeout=1.0)
        assert writer.is_alive()  # the writer waits for the chunk
    writer.join(timeout=60)


@pytest.mark.article("122号 Art.13")
def test_a_writer_that_waited_for_the_subjects_lock_sees_the_industries_committed_meanwhile_122_art13(clean):
    """PostgreSQL, READ COMMITTED: a statement that waits for a row lock still returns the other rows it joins as of
    its own start. A real-time writer that looked its subject up and locked it in one statement (with the industries
    joined) waited behind an import chunk that enrolled the subject in an industry, then saw the subject without it:
    its own enrolment hit the primary key (a 500 during `make bench`'s import, 30 Nov 2026) and its re-evaluation
    would have missed the industry's scope. The industries and grades are read after the lock."""
    if clean.dialect.name != "postgresql":
        pytest.skip(ONLY_POSTGRES)
    code, sid = _new_subject(clean)
    act = date(beijing_today().year, 1, 1)
    chunk_holds, errors = threading.Event(), []

    def writer() -> None:
        try:
            assert chunk_holds.wait(10)
            with unit_of_work(clean) as s:  # waits for the chunk's lock on the subject
                submit_record(s, RecordIn(subject=code, item="SD-D01", act_date=act, department="zhifa",
                                          source_ref="AFTER-CHUNK"), Actor("api", "admin"))
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    _enrol_while_the_writer_waits(clean, sid, thread, chunk_holds)
    assert errors == []
    with session_factory(clean)() as s:
        subject = by_code(s, code)
        assert subject.industry_codes == ["survey_design"]
        stored = s.get(Evaluation, (subject.id, "survey_design"))
        assert stored is not None and stored.score == evaluate_subject(s, subject, beijing_today())[
            "survey_design"].score
        assert verify_archive(s).ok


@pytest.mark.article("122号 Art.13")
def test_a_writer_that_read_its_subject_before_the_lock_re_evaluates_with_what_committed_meanwhile_122_art13(clean):
    """The same through the lock by id (the unit of work's subject lock): a national grade's writer read its subject
    (no industries yet), then waited for the lock behind a chunk that enrolled the subject; its re-evaluation must
    see the industry — the collections loaded before the lock are read again after it (populate_existing)."""
    if clean.dialect.name != "postgresql":
        pytest.skip(ONLY_POSTGRES)
    code, sid = _new_subject(clean)
    read, chunk_holds, errors = threading.Event(), threading.Event(), []

    def writer() -> None:
        try:
            with unit_of_work(clean) as s:
                mine = by_code(s.session, code)
                assert mine.industry_codes == []  # read before the chunk's enrolment
                read.set()
                assert chunk_holds.wait(10)
                record_national_grade(s, mine, NationalGradeIn(grade="B", effective_on=beijing_today(),
                                                               source="信用中国 测试"), "t")
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    assert read.wait(10)
    _enrol_while_the_writer_waits(clean, sid, thread, chunk_holds)
    assert errors == []
    with session_factory(clean)() as s:
        assert s.get(Evaluation, (sid, "survey_design")) is not None  # re-evaluated in the enrolled industry
