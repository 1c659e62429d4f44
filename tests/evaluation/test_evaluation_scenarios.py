"""Scenario tests through the services on a real database (SQLite and PostgreSQL), read like sentences."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import new_uscc
from xinyong.auth.actors import Actor
from xinyong.core.clock import DayClock, beijing_today, clock_at
from xinyong.errors import ConflictError
from xinyong.evaluation.models import Evaluation
from xinyong.evaluation.service import STORED_FIELDS, batch_evaluate, evaluate_subject
from xinyong.records.schemas import RecordIn
from xinyong.records.service import submit_record, withdraw_record
from xinyong.rules import citation
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import create_subject, get_subject

ADMIN = Actor(name="tester", role="admin")
TODAY = beijing_today()  # the clock's day (XINYONG_TODAY in the date runs of `make test`)
JAN = date(TODAY.year, 1, 1)  # first day of the current period (G1-02): never after today, whatever the date


def subject(db, grade="A", industries=("survey_design",)):
    s = create_subject(db, SubjectIn(code=new_uscc(), name="测试单位", kind="organization", national_grade=grade,
                                     industries=list(industries)), "tester")
    return s


_ref = iter(range(10**9))


# 国务院令第493号 第三条: an accident record carries its grade; GEN-D12 (重大及以上) fires 122号 Art.16(1)
ACCIDENT_GRADE = {"GEN-D11": "较大", "GEN-D12": "重大"}


def record(db, s, item, act=None, department="zhifa"):
    return submit_record(db, RecordIn(subject=s.code, item=item, act_date=act or JAN, department=department,
                                      source_ref=f"T-{next(_ref)}", accident_grade=ACCIDENT_GRADE.get(item)), ADMIN)


def current(db, s, industry="survey_design"):
    return evaluate_subject(db.session, s, TODAY)[industry]


FUSE_ITEMS = [  # the triggering item and the 122号 Art.16 item it cites, as the citation key
    pytest.param("GEN-D08", "122号 Art.16(1)", marks=pytest.mark.article("122号 Art.16(1)")),  # 严重失信主体名单
    pytest.param("GEN-D12", "122号 Art.16(1)", marks=pytest.mark.article("122号 Art.16(1)")),  # 发生重大安全事故
    pytest.param("GEN-D04", "122号 Art.16(2)", marks=pytest.mark.article("122号 Art.16(2)")),  # 拒不履行处罚决定
    pytest.param("GEN-D05", "122号 Art.16(3)", marks=pytest.mark.article("122号 Art.16(3)")),  # 未履行承诺或虚假承诺
    pytest.param("GEN-D09", "122号 Art.16(4)", marks=pytest.mark.article("122号 Art.16(4)")),  # 吊销资质、资格
    pytest.param("SD-D07", "122号 Art.16(4)", marks=pytest.mark.article("122号 Art.16(4)")),
    pytest.param("GEN-D06", "122号 Art.16(5)", marks=pytest.mark.article("122号 Art.16(5)")),  # 提供虚假证明材料
    pytest.param("GEN-D10", "122号 Art.16(7)", marks=pytest.mark.article("122号 Art.16(7)")),  # 其他严重违法
]


@pytest.mark.article("122号 Art.16")
@pytest.mark.parametrize("item,key", FUSE_ITEMS)
def test_an_A_subject_with_one_fuse_record_is_level_D_while_its_score_is_still_shown_122_art16(db, item, key):
    s = subject(db, "A")
    record(db, s, "GEN-B01")
    record(db, s, item)
    for scope in ("general", "survey_design"):
        ev = evaluate_subject(db.session, s, TODAY)[scope]
        assert ev.fused and ev.grade == "D" and ev.level == "D"
        assert ev.score > 350  # still computed and shown alongside
        assert [r["article"] for r in ev.fuse_reasons] == [citation.zh(citation.parse(key))]  # "122号 第十六条(四)"


@pytest.mark.article("122号 Art.16(6)")
def test_a_subject_with_two_heavier_penalties_in_the_period_is_level_D_122_art16_6(db):
    s = subject(db, "A")
    record(db, s, "GEN-D03")
    assert not current(db, s).fused
    r2 = record(db, s, "SD-D03")  # counted across families and industries: the fuse belongs to the subject
    ev = current(db, s)
    assert ev.fused and ev.level == "D" and ev.score == 800 - 30 - 50
    assert ev.fuse_reasons[0]["article"] == "122号 第十六条(六)"
    assert r2.record.id in ev.fuse_reasons[0]["record_ids"]
    # the general evaluation is D too: the fuse holds for all the subject's evaluations
    assert evaluate_subject(db.session, s, TODAY)["general"].level == "D"


def test_heavier_penalties_in_different_periods_do_not_add_up_g1_06(db):
    s = subject(db, "A")
    record(db, s, "GEN-D03", act=date(TODAY.year - 1, 12, 31))
    record(db, s, "SD-D03", act=JAN)
    assert not current(db, s).fused
    last_year = evaluate_subject(db.session, s, date(TODAY.year - 1, 12, 31))["survey_design"]
    assert not last_year.fused and last_year.score == 800 - 30


def test_withdrawing_the_triggering_record_lifts_the_fuse_g1_05(db):
    s = subject(db, "B")
    sub = record(db, s, "GEN-D09")
    assert current(db, s).fused
    withdraw_record(db, sub.record.id, "异议核实后撤销", ADMIN)
    ev = current(db, s)
    assert not ev.fused and ev.score == 650 and ev.level == "B-"
    stored = db.session.get(Evaluation, (s.id, "survey_design"))
    assert stored.fused is False and stored.score == 650


def test_a_record_of_last_year_does_not_count_this_year_g1_08(db):
    s = subject(db, "C")
    record(db, s, "SD-D01", act=date(TODAY.year - 1, 6, 1))
    assert current(db, s).score == 500
    assert evaluate_subject(db.session, s, date(TODAY.year - 1, 12, 31))["survey_design"].score == 480


@pytest.mark.article("122号 Art.13")
def test_as_of_before_the_act_date_ignores_the_record_122_art13(db):
    """A fixed date: the record's act day and the day before lie in one period (2026-03-10, 2026-03-09)."""
    act = date(2026, 3, 10)
    with clock_at(DayClock(act)):
        s = subject(db, "C")
        record(db, s, "SD-B01", act=act)
        assert evaluate_subject(db.session, s, act - timedelta(days=1))["survey_design"].score == 500
        assert evaluate_subject(db.session, s, act)["survey_design"].score == 510


@pytest.mark.article("122号 Art.15")
def test_no_national_level_starts_at_c_minus_500_122_art15_g1_03(db):
    s = subject(db, None)
    ev = current(db, s)
    assert (ev.base_score, ev.score, ev.grade, ev.level) == (500, 500, "C", "C-")


@pytest.mark.article("122号 Art.13")
def test_real_time_store_is_updated_in_the_same_transaction_122_art13(db):
    s = subject(db, "B")
    record(db, s, "SD-B01")
    stored = db.session.get(Evaluation, (s.id, "survey_design"))
    assert stored.score == 660 and stored.level == "B-"
    record(db, s, "SD-B01")
    db.session.refresh(stored)
    assert stored.score == 670


def test_an_industry_record_enrols_the_subject_in_that_industry_g1_04(db):
    s = subject(db, "B", industries=())
    record(db, s, "SM-B02")
    s = get_subject(db.session, s.code)
    assert s.industry_codes == ["surveying_mapping"]
    assert evaluate_subject(db.session, s, TODAY)["surveying_mapping"].score == 655


@pytest.mark.article("122号 Art.8(2)")
def test_same_source_ref_with_other_content_is_refused_122_art8_2(db):
    s = subject(db, "B")
    submit_record(db, RecordIn(subject=s.code, item="SD-B01", act_date=JAN, department="zhifa", source_ref="X-1"), ADMIN)
    with pytest.raises(ConflictError):
        submit_record(db, RecordIn(subject=s.code, item="SD-B02", act_date=JAN, department="zhifa",
                                   source_ref="X-1"), ADMIN)


@pytest.mark.article("122号 Art.19")
def test_the_lines_explain_the_score_down_to_the_article_122_art19(db):
    s = subject(db, "B")
    record(db, s, "SD-D02")
    record(db, s, "GEN-B01")
    ev = current(db, s)
    total = sum(ln["applied"] * (1 if ln["points"] > 0 else -1) for ln in ev.lines)
    assert ev.score == ev.base_score + total
    assert all(ln["article"].startswith("122号") for ln in ev.lines)
    comps = ev.components
    assert ev.score == ev.base_score + comps["general_bonus"] - comps["general_deduction"] \
        + comps["industry_bonus"] - comps["industry_deduction"]


ITEMS = ["GEN-B01", "GEN-B02", "GEN-D01", "GEN-D02", "GEN-D03", "GEN-D07", "GEN-D09", "SD-B01", "SD-B03", "SD-D01",
         "SD-D02", "SD-D03", "GEN-D11", "SM-B01", "SM-D01", "SM-D03", "SM-D08"]


@pytest.mark.article("122号 Art.13")
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_batch_evaluation_equals_the_real_time_store_on_random_data_122_art13(clean, data):
    """Property: records written one by one (real time, with withdrawals) leave exactly what a full batch
    recomputation produces."""
    from sqlalchemy import text

    from xinyong.bootstrap import unit_of_work

    with clean.begin() as conn:
        for table in ("archive_entries", "evaluations", "record_withdrawals", "records", "national_grades",
                      "subject_industries",
                      "subjects"):
            conn.execute(text(f"DELETE FROM {table}"))
    n_subjects = data.draw(st.integers(1, 5))
    with unit_of_work(clean) as db:
        subjects = [subject(db, data.draw(st.sampled_from(["A", "B", "C", "D", None])),
                            data.draw(st.sets(st.sampled_from(["survey_design", "surveying_mapping"]), max_size=2)))
                    for _ in range(n_subjects)]
        written = []
        for _ in range(data.draw(st.integers(0, 25))):
            s = data.draw(st.sampled_from(subjects))
            day = data.draw(st.dates(min_value=date(TODAY.year - 1, 10, 1), max_value=TODAY))
            written.append(record(db, s, data.draw(st.sampled_from(ITEMS)), act=day).record.id)
            if written and data.draw(st.booleans()) and data.draw(st.booleans()):
                rid = data.draw(st.sampled_from(written))
                try:
                    withdraw_record(db, rid, "test", ADMIN)
                except ConflictError:
                    pass
    with unit_of_work(clean) as db:
        before = {(e.subject_id, e.scope): {f: getattr(e, f) for f in STORED_FIELDS}
                  for e in db.session.query(Evaluation).all()}
        summary = batch_evaluate(db, TODAY)
        assert summary.mismatches == [] and summary.changed == 0
    with unit_of_work(clean) as db:
        after = {(e.subject_id, e.scope): {f: getattr(e, f) for f in STORED_FIELDS}
                 for e in db.session.query(Evaluation).all()}
    assert before == after
