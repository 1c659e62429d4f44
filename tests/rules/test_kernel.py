"""The scoring kernel against spec §1.6 and 122号 第十一条, 第十三条, 第十四条, 第十六条 (pure, no database).

A small hand-made standard keeps the arithmetic visible: general items G+ (10, cap 20), G+big (50), G+u (10),
G- (10), G-big (100); industry items I+ (20), I- (50, cap 100), I-s (20), I-big (350); a fuse item and heavier ones.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.rules import kernel
from xinyong.rules.table import build_table
from xinyong.standards.loader import load_parameters
from xinyong.standards.model import Item, Standard

PARAMS = load_parameters().at(date(2026, 1, 1))


def _item(code, polarity, family, points, cap=None, industry=None, fuse=None, heavier=False):
    return Item(code=code, name=code, polarity=polarity, family=family, industry=industry, points=points, cap=cap,
                article="test", fuse=fuse, heavier=heavier, work_safety=True)


GENERAL = Standard("g", "general", None, "g", date(2024, 5, 11), "ref", (
    _item("G+", "good", "general", 10, cap=20),
    _item("G+big", "good", "general", 50),
    _item("G+u", "good", "general", 10),
    _item("G-", "bad", "general", 10),
    _item("G-big", "bad", "general", 100),
    _item("FUSE2", "bad", "general", 50, fuse="第十六条(二)"),
    _item("HEAVY", "bad", "general", 30, heavier=True),
))
INDUSTRY = Standard("i", "industry", "x", "i", date(2024, 5, 11), "ref", (
    _item("I+", "good", "industry", 20, industry="x"),
    _item("I-", "bad", "industry", 50, cap=100, industry="x"),
    _item("I-s", "bad", "industry", 20, industry="x"),
    _item("I-big", "bad", "industry", 350, industry="x"),
    _item("IHEAVY", "bad", "industry", 50, heavier=True, industry="x"),
))
TABLE = build_table([GENERAL, INDUSTRY], PARAMS, ["x"])
IDX = TABLE.index_of()


def run(base: int, items: list[str]):
    rs = np.zeros(len(items), dtype=np.int64)
    ri = np.asarray([IDX[c] for c in items], dtype=np.int64)
    s = kernel.score(np.asarray([base], dtype=np.int64), rs, ri, TABLE)
    ind = s.industry[0, 0]
    level = TABLE.level_names[kernel.level_index(s.industry[:, 0], s.fused, TABLE)[0]]
    grade = TABLE.grade_names[kernel.fused_grade_index(s.industry[:, 0], s.fused, TABLE)[0]]
    return int(s.general[0]), int(ind), grade, level, bool(s.fused[0]), s.applied[0]


def test_worked_example_liang_with_bonuses_and_deduction_is_720_b_spec_1_6():
    """良 650, general bonus +30, industry bonus +60, industry deduction −20 → 720 → B (level B)."""
    general, ind, grade, level, fused, applied = run(650, ["G+", "G+", "G+u", "I+", "I+", "I+", "I-s"])
    assert applied.tolist() == [30, 0, 60, 20]
    assert (general, ind, grade, level, fused) == (680, 720, "B", "B", False)


@pytest.mark.article("122号 Art.11(2)")
def test_per_item_cap_limits_an_item_before_the_family_budget_122_art11_2():
    # G+ gives 10 per occurrence, at most 20 a period: three occurrences count 20.
    general, *_ = run(500, ["G+", "G+", "G+"])
    assert general == 520


@pytest.mark.article("122号 Art.11(2)")
def test_family_budget_general_bonus_50_122_art11_2():
    general, *_rest, applied = run(500, ["G+big", "G+", "G+"])
    assert applied[0] == 50 and general == 550


@pytest.mark.article("122号 Art.11(2)")
def test_family_budget_general_deduction_100_and_industry_deduction_350_122_art11_2():
    general, ind, grade, level, fused, applied = run(800, ["G-big", "G-", "I-big", "I-", "I-"])
    assert applied.tolist() == [0, 100, 0, 350]
    # spec §1.6: 优 800 with every deduction maxed → 350 → D
    assert (general, ind, grade, level, fused) == (700, 350, "D", "D", False)


@pytest.mark.article("122号 Art.11(2)")
def test_lower_clamp_binds_at_350_122_art11_2():
    # spec §1.6: 差 350 with industry deduction −50 → 300 → clamped to 350
    _g, ind, grade, *_ = run(350, ["I-"])
    assert ind == 350 and grade == "D"


def test_upper_clamp_never_binds_full_bonus_reaches_950_exactly():
    _g, ind, grade, level, *_ = run(800, ["G+big", "I+", "I+", "I+", "I+", "I+"])
    assert ind == 950 and grade == "A" and level == "A"


def test_no_national_level_with_full_bonus_is_650_b_minus_g1_03():
    _g, ind, grade, level, *_ = run(500, ["G+big", "I+", "I+", "I+", "I+", "I+"])
    assert (ind, grade, level) == (650, "B", "B-")


@pytest.mark.parametrize("score,grade", [(950, "A"), (800, "A"), (799, "B"), (650, "B"), (649, "C"), (500, "C"),
                                         (499, "D"), (350, "D")])
@pytest.mark.article("122号 Art.14")
def test_grade_boundaries_122_art14(score, grade):
    s = np.asarray([score])
    assert TABLE.grade_names[kernel.grade_index(s, TABLE)[0]] == grade


@pytest.mark.parametrize("score,level", [(950, "A"), (875, "A"), (874, "A-"), (800, "A-"), (799, "B+"), (750, "B+"),
                                         (749, "B"), (700, "B"), (699, "B-"), (650, "B-"), (649, "C+"), (600, "C+"),
                                         (599, "C"), (550, "C"), (549, "C-"), (500, "C-"), (499, "D"), (350, "D")])
def test_nine_level_boundaries_g1_01(score, level):
    s = np.asarray([score])
    assert TABLE.level_names[kernel.level_index(s, np.asarray([False]), TABLE)[0]] == level


@pytest.mark.article("122号 Art.16(6)")
def test_score_900_with_a_second_heavier_penalty_is_level_d_fuse_122_art16_6():
    # spec §1.6 last example: the score stays computed and shown; the level is D.
    _g, ind, grade, level, fused, _ = run(800, ["G+big", "I+", "I+", "I+", "HEAVY", "IHEAVY"])
    assert ind == 800 + 50 + 60 - 30 - 50
    assert fused and grade == "D" and level == "D"


@pytest.mark.article("122号 Art.16(6)")
def test_one_heavier_penalty_does_not_fuse_122_art16_6():
    *_, fused, _ = run(800, ["HEAVY"])
    assert not fused


@pytest.mark.article("122号 Art.16(2)")
def test_fuse_item_forces_d_whatever_the_score_122_art16_2():
    general, _ind, grade, level, fused, _ = run(800, ["FUSE2", "G+big"])
    assert general == 800 and fused and grade == "D" and level == "D"
    pairs = kernel.occurrence_pairs(np.zeros(1, dtype=np.int64), np.asarray([IDX["FUSE2"]]), len(TABLE.item_codes))
    hits = kernel.fuse_hits(pairs, 1, TABLE)
    assert TABLE.fuse_articles[int(np.flatnonzero(hits[0])[0])] == "第十六条(二)"


def test_a_class_rise_is_at_most_one_within_a_period_spec_1_6():
    for base in (350, 500, 650, 800):
        _g, ind, *_ = run(base, ["G+big", "I+", "I+", "I+", "I+", "I+"])
        assert ind - base <= 150


records = st.lists(st.tuples(st.integers(0, 4), st.sampled_from(sorted(IDX))), max_size=60)


@pytest.mark.article("122号 Art.19")
@settings(max_examples=200, deadline=None)
@given(records, st.lists(st.sampled_from([350, 500, 650, 800]), min_size=5, max_size=5))
def test_explanation_lines_add_up_to_the_applied_components_122_art19(recs, bases):
    """Per record allocation (the explanation) sums exactly to the capped totals the score uses."""
    rs = np.asarray([r[0] for r in recs], dtype=np.int64)
    ri = np.asarray([IDX[r[1]] for r in recs], dtype=np.int64)
    scores = kernel.score(np.asarray(bases, dtype=np.int64), rs, ri, TABLE)
    applied = kernel.allocate(rs, ri, TABLE)
    sums = np.zeros_like(scores.applied)
    np.add.at(sums, (rs, TABLE.bucket[ri]), applied)
    assert (sums == scores.applied).all()
    assert (applied >= 0).all() and (applied <= TABLE.points[ri]).all()


@settings(max_examples=100, deadline=None)
@given(records)
def test_scoring_many_subjects_at_once_equals_scoring_each_alone(recs):
    """The batch call and the one-subject call of the same kernel agree (arrays in, arrays out)."""
    bases = np.asarray([650, 800, 350, 500, 650], dtype=np.int64)
    rs = np.asarray([r[0] for r in recs], dtype=np.int64)
    ri = np.asarray([IDX[r[1]] for r in recs], dtype=np.int64)
    together = kernel.score(bases, rs, ri, TABLE)
    for s in range(5):
        mine = rs == s
        alone = kernel.score(bases[s : s + 1], np.zeros(mine.sum(), dtype=np.int64), ri[mine], TABLE)
        assert alone.general[0] == together.general[s]
        assert (alone.industry[0] == together.industry[s]).all()
        assert alone.fused[0] == together.fused[s]
