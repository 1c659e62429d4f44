"""The regulation as data: the default standards load, and the loader refuses standards that break 122号."""

from __future__ import annotations

from datetime import date

import pytest

from xinyong.standards.loader import (
    StandardError,
    accident_grade_problem,
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


# --------------------------------------------------------------- issue 7 item 6(c): design-time budget (D1-27(i))

def _general_draft():
    return standard_to_dict(next(s for s in defaults() if s.family == "general"))


@pytest.mark.article("122号 Art.11(2)")
def test_every_default_item_states_its_cap_and_every_bucket_adds_up_to_exactly_its_budget_122_art11_2():
    for s in defaults():
        for polarity in ("good", "bad"):
            caps = [it.cap for it in s.items if it.polarity == polarity]
            assert all(isinstance(c, int) for c in caps), s.version
            # exactly: a bucket's maximum is reachable (spec §1.6 worked examples 2 and 4), never more
            assert sum(caps) == PARAMS.budget(s.family, polarity), (s.version, polarity)  # type: ignore[arg-type]


@pytest.mark.article("122号 Art.11(2)")
def test_an_item_without_a_cap_is_refused_naming_it_122_art11_2():
    raw = _general_draft()
    item = next(it for it in raw["items"] if it["code"] == "GEN-D01")
    item["cap"] = None
    problems = _problems(raw)
    assert "GEN-D01: no cap — every item states the most points it gives in one period (122号 第十一条(二), spec " \
           "D1-27(i))" in problems


@pytest.mark.article("122号 Art.11(2)")
def test_deduction_caps_at_the_budget_are_accepted_and_one_point_more_is_refused_naming_bucket_and_sums_122_art11_2():
    raw = _general_draft()
    validate_standard(standard_from_dict(raw), PARAMS)  # 20 + 10 + 30 + 20 + 20 = 100 = the general deduction budget
    item = next(it for it in raw["items"] if it["code"] == "GEN-D01")
    item["cap"] += 1
    [problem] = _problems(raw)
    assert problem.startswith("general 减分 (deduction): item caps add up to 101 > budget 100 (122号 第十一条(二)): ")
    assert "GEN-D01 21" in problem and "GEN-D03 30" in problem


@pytest.mark.article("122号 Art.11(2)")
def test_industry_deduction_caps_at_350_accepted_351_refused_122_art11_2():
    raw = standard_to_dict(next(s for s in defaults() if s.industry == "land_development"))
    validate_standard(standard_from_dict(raw), PARAMS)
    raw["items"].append({"code": "LD-D99", "name": "新减分项", "polarity": "bad", "points": 1, "cap": 1,
                         "article": "122号 Art.11(2)"})
    [problem] = _problems(raw)
    assert problem.startswith("industry 减分 (deduction): item caps add up to 351 > budget 350")


@pytest.mark.article("122号 Art.16")
def test_a_fuse_only_item_may_give_0_points_and_cap_0_other_items_may_not_122_art16():
    raw = _general_draft()
    fuse_only = next(it for it in raw["items"] if it["code"] == "GEN-D08")
    assert (fuse_only["points"], fuse_only["cap"]) == (0, 0)
    validate_standard(standard_from_dict(raw), PARAMS)
    fuse_only["cap"] = 5
    assert "GEN-D08: cap 5 of an item that gives 0 points must be 0" in _problems(raw)
    fuse_only["cap"] = 0
    plain = next(it for it in raw["items"] if it["code"] == "GEN-D02")
    plain["points"], plain["cap"] = 0, 0
    assert _problems(raw) == ["GEN-D02: points must be a positive integer"]


# ----------------------------------------------------------------- issue 7 item 9: accident grades (G1-06(c))

@pytest.mark.article("122号 Art.16(1)")
def test_accident_grades_are_the_four_of_state_council_decree_493_and_the_fuse_starts_at_major_122_art16_1():
    assert PARAMS.accident_grades == ("一般", "较大", "重大", "特别重大")
    assert PARAMS.major_accident_grades == ("重大", "特别重大")


@pytest.mark.article("122号 Art.16(1)")
def test_the_accident_items_are_general_and_only_the_major_one_fuses_122_art16_1():
    items = [it for s in defaults() for it in s.items if it.accident_grades]
    assert {it.code: (it.family, it.accident_grades, it.fuse) for it in items} == {
        "GEN-D11": ("general", ("一般", "较大"), None),
        "GEN-D12": ("general", ("重大", "特别重大"), "第十六条(一)"),
    }
    # no industry item records an accident: recording one does not enrol the subject in an industry (G1-04)
    assert not [it.code for s in defaults() if s.family == "industry" for it in s.items if "事故" in it.name]


@pytest.mark.article("122号 Art.16(1)")
@pytest.mark.parametrize("grades,fuse,problem", [
    (["重大"], None, "GEN-D11: an accident of grade 重大 fires 122号 第十六条(一); the item must carry that fuse"),
    (["较大"], "122号 Art.16(1)", "GEN-D11: an accident of grade 较大 does not fire the fuse (122号 第十六条(一) only "
                                  "from 重大)"),
    (["较大", "重大"], "122号 Art.16(1)", "GEN-D11: accident_grades mix grades that fire 122号 第十六条(一) (重大) with "
                                        "grades that do not (较大)"),
    (["严重"], None, "GEN-D11: accident_grades 严重 not among 一般/较大/重大/特别重大 (国务院令第493号 第三条)"),
])
def test_the_loader_refuses_accident_grades_that_do_not_fit_the_fuse_122_art16_1(grades, fuse, problem):
    raw = _general_draft()
    item = next(it for it in raw["items"] if it["code"] == "GEN-D11")
    item["accident_grades"], item["fuse"] = grades, fuse
    if fuse:
        item["points"], item["cap"] = 0, 0  # keep the budget out of the way
    assert problem in _problems(raw)


def _by_code(code):
    return next(it for s in defaults() for it in s.items if it.code == code)


@pytest.mark.article("122号 Art.16(1)")
@pytest.mark.parametrize("code,grade,ok", [
    ("GEN-D11", "一般", True), ("GEN-D11", "较大", True), ("GEN-D11", "重大", False), ("GEN-D11", "特别重大", False),
    ("GEN-D12", "重大", True), ("GEN-D12", "特别重大", True), ("GEN-D12", "较大", False), ("GEN-D12", "一般", False),
    ("GEN-D11", None, False), ("GEN-D12", "", False), ("GEN-D12", "严重", False),
    ("GEN-D01", None, True), ("SD-D04", None, True), ("GEN-D01", "一般", False),
])
def test_accident_grade_problem_fires_the_fuse_only_from_major_up_122_art16_1(code, grade, ok):
    problem = accident_grade_problem(_by_code(code), grade)
    if ok:
        assert problem is None
    else:
        zh, en = problem
        assert code in zh and code in en


@pytest.mark.article("122号 Art.16(1)")
def test_accident_grade_problem_names_the_grades_the_item_accepts_122_art16_1():
    zh, en = accident_grade_problem(_by_code("GEN-D11"), "重大")
    assert "一般、较大" in zh and "122号 第十六条(一)" in zh and "'重大'" in en
    zh, en = accident_grade_problem(_by_code("GEN-D12"), None)
    assert "须填写事故等级" in zh and "重大、特别重大" in zh and "accident record carries its grade" in en


def test_source_and_accident_grades_round_trip_through_the_dict_shape():
    for s in defaults():
        again = validate_standard(standard_from_dict(standard_to_dict(s)), PARAMS)
        assert again == s
    raw = standard_to_dict(next(s for s in defaults() if s.family == "general"))
    gen_d01 = next(it for it in raw["items"] if it["code"] == "GEN-D01")
    assert "source" not in gen_d01 and "accident_grades" not in gen_d01  # the former shape where not given


# ----------------------------------------------------------------- issue 7 item 8: industry standards

FIELD_LAWS = {  # the regulation each industry's items rest on (besides 122号)
    "survey_design": ("《建设工程勘察设计管理条例》", "《建设工程质量管理条例》", "《建设工程安全生产管理条例》"),
    "surveying_mapping": ("《中华人民共和国测绘法》",),
    "fire_design_review": ("《建设工程消防设计审查验收管理暂行规定》", "《中华人民共和国消防法》"),
    "verification": ("《中华人民共和国城乡规划法》",),
    "land_development": ("《闲置土地处置办法》", "《中华人民共和国城市房地产管理法》", "《中华人民共和国土地管理法》"),
}


@pytest.mark.article("122号 Art.11(1)")
def test_every_industry_item_cites_its_source_regulation_and_the_field_law_is_cited_122_art11_1():
    for s in defaults():
        if s.family != "industry":
            continue
        for it in s.items:
            assert it.source.startswith("《"), it.code
        sources = " ".join(it.source for it in s.items)
        for law in FIELD_LAWS[s.industry]:  # type: ignore[index]
            assert law in sources, (s.industry, law)


@pytest.mark.article("122号 Art.11(1)")
@pytest.mark.parametrize("industry,phrases", [
    ("survey_design", ["超越资质等级", "转包或者违法分包", "工程建设强制性标准"]),
    ("surveying_mapping", ["泄露涉密测绘成果", "测绘成果质量不合格", "未取得测绘资质证书"]),
    ("fire_design_review", ["不符合国家工程建设消防技术标准", "虚假或者失实的消防设计技术审查意见"]),
    ("verification", ["未按规划许可内容建设", "擅自变更规划条件或者建设工程规划许可内容", "虚假的规划核验测量成果"]),
    ("land_development", ["闲置土地", "欠缴土地出让价款", "擅自改变土地用途", "竣工"]),
])
def test_each_industry_has_the_items_of_its_own_regulation_122_art11_1(industry, phrases):
    names = " ".join(it.name for s in defaults() if s.industry == industry for it in s.items)
    for phrase in phrases:
        assert phrase in names, (industry, phrase)


@pytest.mark.article("122号 Art.16(4)")
def test_only_industries_whose_qualification_the_commission_issues_have_a_revocation_item_122_art16_4():
    revoking = {s.industry for s in defaults() if s.family == "industry"
                for it in s.items if it.fuse == "第十六条(四)"}
    # 工程勘察设计资质 and 测绘资质; the subjects of fire-design review, verification and land use hold none
    assert revoking == {"survey_design", "surveying_mapping"}


# ----------------------------------------------------------------- issue 7 item 6(b): the one-year rule

@pytest.mark.article("122号 Art.12")
def test_the_one_year_rule_binds_every_standard_and_is_data_122_art12():
    from xinyong.standards.loader import earliest_replacement_date, standard_min_years_in_force

    assert standard_min_years_in_force(date(2026, 1, 1)) == 1 == PARAMS.standard_min_years_in_force
    assert earliest_replacement_date(date(2024, 5, 11)) == date(2025, 5, 11)  # on that day, not the day before
    assert earliest_replacement_date(date(2024, 2, 29)) == date(2025, 2, 28)  # 民法典 第二百零二条
    # the former parameter name still answers while callers move to the new one
    assert load_parameters().value("min_years_in_force_before_update", date(2026, 1, 1)) == 1
    raw = (__import__("pathlib").Path(default_standard_files()[0]).parent / "parameters.yaml").read_text("utf-8")
    assert "评价标准确需更新的,实施满一年后可以更新" in raw and "行业评价标准实施满一年" not in raw
