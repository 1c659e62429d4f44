"""The regulation as data: the default standards load, and the loader refuses standards that break 122号."""

from __future__ import annotations

from datetime import date

import pytest

from xinyong.standards.loader import (
    StandardError,
    default_standard_files,
    load_parameters,
    load_reference,
    load_standard_file,
    standard_from_dict,
    standard_to_dict,
    validate_standard,
)
from xinyong.standards.model import FUSE_ARTICLES

PARAMS = load_parameters().at(date(2026, 1, 1))


def defaults():
    return [load_standard_file(p, PARAMS) for p in default_standard_files()]


def _industry_draft(**override):
    std = next(s for s in defaults() if s.family == "industry")
    raw = standard_to_dict(std)
    raw.update(override)
    return raw


@pytest.mark.article("122号 Art.11", "122号 Art.13", "122号 Art.14")
def test_framework_parameters_follow_122_art11_13_14():
    assert (PARAMS.score_min, PARAMS.score_max) == (350, 950)  # 第十一条(二)
    assert PARAMS.base_scores == {"A": 800, "B": 650, "C": 500, "D": 350, "none": 500}  # 第十三条, G1-03
    assert PARAMS.budgets == {("general", "bonus"): 50, ("general", "deduction"): 100,
                              ("industry", "bonus"): 100, ("industry", "deduction"): 350}
    assert PARAMS.grade_mins == {"A": 800, "B": 650, "C": 500, "D": 350}  # 第十四条
    assert [b.level for b in PARAMS.levels] == ["A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D"]
    assert PARAMS.heavier_fuse_count == 2  # 第十六条(六)
    assert PARAMS.entry_deadline_workdays == 5  # 第八条(一)
    # spans: 150 + 450 = 600 = the scoring span of 第十一条(二)
    assert sum(PARAMS.budgets.values()) == PARAMS.score_max - PARAMS.score_min


@pytest.mark.article("122号 Art.4", "122号 Art.11(1)")
def test_default_standards_cover_five_industries_of_122_art4_each_with_work_safety_122_art11_1():
    stds = defaults()
    industries = {s.industry for s in stds if s.family == "industry"}
    assert industries == {i["code"] for i in load_reference()["industries"]}
    assert len(industries) >= 5
    for s in stds:
        if s.family == "industry":
            assert any(it.work_safety for it in s.items), s.version


@pytest.mark.article("122号 Art.16")
def test_every_fuse_trigger_of_122_art16_has_an_item():
    items = [it for s in defaults() for it in s.items]
    fuses = {it.fuse for it in items if it.fuse}
    assert fuses == set(FUSE_ARTICLES) - {"第十六条(六)"}
    assert any(it.heavier for it in items if it.family == "general")
    assert all(any(it.heavier for it in s.items) for s in defaults() if s.family == "industry")


def test_every_item_cites_its_article_and_is_marked_default_because_the_annexes_are_omitted():
    for s in defaults():
        for it in s.items:
            assert it.article.startswith("122号"), it.code
            assert it.default, it.code


@pytest.mark.article("122号 Art.11(2)")
def test_loader_refuses_item_caps_exceeding_the_family_budget_122_art11_2():
    raw = _industry_draft()
    bonus = [it for it in raw["items"] if it["polarity"] == "good"]
    bonus[0]["cap"] = 100  # the other bonus caps already use part of the 100-point budget
    with pytest.raises(StandardError, match=r"\((122号 第十一条\(二\)|122号 Art\.11\(2\))\)"):  # display or key
        validate_standard(standard_from_dict(raw), PARAMS)


@pytest.mark.article("122号 Art.11(2)")
def test_loader_accepts_caps_adding_up_to_exactly_the_budget_122_art11_2():
    raw = _industry_draft()
    bonus = [it for it in raw["items"] if it["polarity"] == "good"]
    other = sum(it["cap"] for it in bonus[1:])
    bonus[0]["cap"] = 100 - other
    validate_standard(standard_from_dict(raw), PARAMS)
    bonus[0]["cap"] += 1
    with pytest.raises(StandardError):
        validate_standard(standard_from_dict(raw), PARAMS)


def test_loader_refuses_an_item_without_citation():
    raw = _industry_draft()
    raw["items"][0]["article"] = " "
    with pytest.raises(StandardError, match="citation"):
        validate_standard(standard_from_dict(raw), PARAMS)


@pytest.mark.article("122号 Art.11(1)")
def test_loader_refuses_an_industry_standard_without_work_safety_item_122_art11_1():
    raw = _industry_draft()
    raw["items"] = [it for it in raw["items"] if not it["work_safety"]]
    with pytest.raises(StandardError, match="安全生产"):
        validate_standard(standard_from_dict(raw), PARAMS)


def _problems(raw):
    with pytest.raises(StandardError) as err:
        validate_standard(standard_from_dict(raw), PARAMS)
    return err.value.problems


def _item(raw, polarity):
    return next(it for it in raw["items"] if it["polarity"] == polarity and not it["fuse"] and not it["heavier"])


@pytest.mark.article("122号 Art.16", "122号 Art.16(6)")
@pytest.mark.parametrize("fuse", ["第十六条(八)", "122号 Art.16(8)", "第十六条(六)", "122号 Art.16(6)"])
def test_loader_refuses_a_fuse_outside_the_single_item_triggers_122_art16(fuse):
    raw = _industry_draft()
    item = _item(raw, "bad")
    item["fuse"] = fuse
    assert _problems(raw) == [f"{item['code']}: fuse must be one of 第十六条(一)…(五),(七); (六) is counted via heavier"]


@pytest.mark.article("122号 Art.16")
def test_loader_refuses_a_good_item_that_fuses_122_art16():
    raw = _industry_draft()
    item = _item(raw, "good")
    item["fuse"] = "第十六条(四)"
    [problem] = _problems(raw)  # the article as display (第十六条) or, after the citation sweep, as key
    assert problem in (f"{item['code']}: only bad information can trigger the fuse (第十六条)",
                       f"{item['code']}: only bad information can trigger the fuse (122号 Art.16)")


@pytest.mark.article("122号 Art.16(4)")
@pytest.mark.parametrize("fuse", ["第十六条(四)", "122号 Art.16(4)"])
def test_loader_accepts_a_fuse_as_display_or_as_key_122_art16_4(fuse):
    raw = _industry_draft()
    item = _item(raw, "bad")
    item["fuse"] = fuse
    std = validate_standard(standard_from_dict(raw), PARAMS)
    loaded = next(it for it in std.items if it.code == item["code"])
    assert loaded.fuse == "第十六条(四)" and str(loaded.fuse_key) == "122号 Art.16(4)"


def test_loader_names_every_problem_at_once():
    raw = _industry_draft()
    raw["items"][0]["article"] = ""
    raw["items"][1]["points"] = 0
    code0, code1 = raw["items"][0]["code"], raw["items"][1]["code"]
    problems = _problems(raw)
    assert f"{code0}: no legal citation (article) — every indicator cites its basis" in problems
    assert f"{code1}: points must be a positive integer" in problems


def test_parameters_without_reference_are_refused(tmp_path):
    from xinyong.standards.loader import ParameterHistory

    with pytest.raises(StandardError, match="reference"):
        ParameterHistory({"score_range": {"values": {"2024-05-11": {"value": {"min": 1, "max": 2}}}}})
