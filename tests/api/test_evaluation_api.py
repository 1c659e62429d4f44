"""Evaluations through the API: shape, period and as_of, the worked examples of spec §1.6 end to end, the fuse
(122号 第十一条至第十六条; spec G1-01, G1-02, G1-04, G1-08)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from _api_helpers import (
    capped_total,
    catalogue,
    evaluation,
    make_subject,
    plan,
    post_bulk,
    post_record,
    record_body,
    today,
)
from fastapi.testclient import TestClient

from tests.conftest import auth
from xinyong.core.clock import DayClock, clock_at

EVALUATION_KEYS = {"subject", "industry", "as_of", "standard_version", "base_score", "score", "grade", "level",
                   "fused", "fuse_reasons", "components", "lines", "warnings"}
COMPONENT_KEYS = {"general_bonus", "general_deduction", "industry_bonus", "industry_deduction"}
LINE_KEYS = {"record_id", "item", "points", "applied", "article"}


def _check_shape(ev: dict) -> None:
    assert set(ev) == EVALUATION_KEYS, set(ev) ^ EVALUATION_KEYS
    assert set(ev["components"]) == COMPONENT_KEYS
    assert all(type(v) is int and v >= 0 for v in ev["components"].values()), ev["components"]
    assert type(ev["score"]) is int and 350 <= ev["score"] <= 950
    assert type(ev["base_score"]) is int
    assert ev["grade"] in ("A", "B", "C", "D")
    assert ev["level"] in ("A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D")
    assert type(ev["fused"]) is bool
    assert isinstance(ev["standard_version"], str) and ev["standard_version"]
    date.fromisoformat(ev["as_of"])
    for reason in ev["fuse_reasons"]:
        assert set(reason) == {"article", "record_ids"}
    for line in ev["lines"]:
        assert LINE_KEYS <= set(line)
        assert type(line["points"]) is int and type(line["applied"]) is int
        assert isinstance(line["article"], str) and line["article"]


@pytest.mark.article("122号 Art.13")
def test_evaluation_shape_general_by_default_122_art13(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    ev = evaluation(client, subject["code"])
    _check_shape(ev)
    assert ev["subject"] == subject["code"]
    assert ev["industry"] is None
    assert ev["as_of"] == today().isoformat()
    assert ev["base_score"] == 650 and ev["score"] == 650
    assert (ev["grade"], ev["level"]) == ("B", "B-")
    assert ev["fused"] is False and ev["fuse_reasons"] == [] and ev["lines"] == []
    assert ev["components"] == dict.fromkeys(COMPONENT_KEYS, 0)


@pytest.mark.article("122号 Art.19")
def test_evaluation_with_industry_and_lines_explain_each_record_122_art19(client: TestClient,
                                                                           tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="C", industries=["survey_design"])
    g = post_record(client, tokens["admin"], subject["code"], "GEN-B01", department="fazhi")
    i = post_record(client, tokens["admin"], subject["code"], "SD-D02")
    ev = evaluation(client, subject["code"], industry="survey_design")
    _check_shape(ev)
    assert ev["industry"] == "survey_design"
    assert ev["components"] == {"general_bonus": 10, "general_deduction": 0, "industry_bonus": 0,
                                "industry_deduction": 10}
    assert ev["score"] == 500
    lines = {ln["record_id"]: ln for ln in ev["lines"]}
    assert set(lines) == {g["id"], i["id"]}
    assert (lines[g["id"]]["item"], lines[g["id"]]["points"], lines[g["id"]]["applied"]) == ("GEN-B01", 10, 10)
    assert lines[i["id"]]["item"] == "SD-D02"
    assert lines[i["id"]]["points"] == -10 and lines[i["id"]]["applied"] == 10
    cat = catalogue(client)
    assert lines[i["id"]]["article"] == cat["SD-D02"]["article"]
    # the general evaluation shows only the general line
    general = evaluation(client, subject["code"])
    assert [ln["record_id"] for ln in general["lines"]] == [g["id"]]
    assert general["score"] == 510


@pytest.mark.article("122号 Art.11(2)")
def test_item_cap_limits_applied_points_122_art11_2(client: TestClient, tokens: dict[str, str]) -> None:
    cat = catalogue(client)
    assert cat["GEN-B01"]["cap"] == 20 and cat["GEN-B01"]["points"] == 10
    subject = make_subject(client, tokens["admin"], grade="C")
    for _ in range(3):
        post_record(client, tokens["admin"], subject["code"], "GEN-B01", department="fazhi")
    ev = evaluation(client, subject["code"])
    assert ev["components"]["general_bonus"] == 20
    assert sorted(ln["applied"] for ln in ev["lines"]) == [0, 10, 10]
    assert ev["score"] == 520


def test_as_of_before_act_date_record_does_not_count(client: TestClient, tokens: dict[str, str]) -> None:
    """At a fixed day (2026-03-10): two days of the period before it, so the test runs on any date."""
    with clock_at(DayClock(date(2026, 3, 10))):
        t = date(2026, 3, 10)
        subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
        early = post_record(client, tokens["admin"], subject["code"], "SD-B01", act_date=t - timedelta(days=1))
        late = post_record(client, tokens["admin"], subject["code"], "SD-B02", act_date=t)
        ev_today = evaluation(client, subject["code"], industry="survey_design", as_of=t.isoformat())
        assert ev_today["score"] == 665
        ev_yesterday = evaluation(client, subject["code"], industry="survey_design",
                                  as_of=(t - timedelta(days=1)).isoformat())
        assert ev_yesterday["as_of"] == (t - timedelta(days=1)).isoformat()
        assert ev_yesterday["score"] == 660
        assert [ln["record_id"] for ln in ev_yesterday["lines"]] == [early["id"]]
        assert late["id"] not in [ln["record_id"] for ln in ev_yesterday["lines"]]
        ev_before = evaluation(client, subject["code"], industry="survey_design",
                               as_of=(t - timedelta(days=2)).isoformat())
        assert ev_before["score"] == 650 and ev_before["lines"] == []


def test_record_of_last_year_does_not_count_this_year_g1_02_g1_08(client: TestClient, tokens: dict[str, str]
                                                                   ) -> None:
    t = today()
    last_year = date(t.year - 1, 6, 15)
    subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    old = post_record(client, tokens["admin"], subject["code"], "SD-D01", act_date=last_year)
    assert old["evaluation"]["score"] == 650  # the fresh (this year's) evaluation ignores it
    ev = evaluation(client, subject["code"], industry="survey_design")
    assert ev["score"] == 650 and ev["lines"] == []
    # it counted in its own period (the calendar year of its act date)
    ev_then = evaluation(client, subject["code"], industry="survey_design",
                         as_of=date(t.year - 1, 12, 31).isoformat())
    assert ev_then["score"] == 630
    assert [ln["record_id"] for ln in ev_then["lines"]] == [old["id"]]
    # and did not before its act date
    ev_before = evaluation(client, subject["code"], industry="survey_design",
                           as_of=date(t.year - 1, 6, 14).isoformat())
    assert ev_before["score"] == 650


def test_evaluation_query_errors(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    url = f"/api/v1/subjects/{subject['code']}/evaluation"
    cases = [
        ({"industry": "no_such_industry"}, "industry"),
        ({"industry": "verification"}, "industry"),  # the subject is not evaluated in it
        ({"as_of": (today() + timedelta(days=1)).isoformat()}, "as_of"),
        ({"as_of": "2026-13-01"}, "as_of"),
        ({"as_of": "yesterday"}, "as_of"),
    ]
    for params, field in cases:
        r = client.get(url, params=params)
        assert r.status_code == 422, (params, r.text)
        assert [p["field"] for p in r.json()["detail"]] == [field], params
        assert all(p["reason_zh"] and p["reason_en"] for p in r.json()["detail"])


# ---- worked examples of spec §1.6, end to end -------------------------------------------------------------


def _post_all(client: TestClient, token: str, code: str, items: list[str]) -> None:
    general = [i for i in items if i.startswith("GEN-")]
    industry = [i for i in items if not i.startswith("GEN-")]
    if general:
        post_bulk(client, token, code, general, act_date=today())
    if industry:
        post_bulk(client, token, code, industry, act_date=today())


def test_worked_example_good_b_plus_bonuses_minus_deduction_is_720_b_spec_1_6(client: TestClient,
                                                                             tokens: dict[str, str]) -> None:
    cat = catalogue(client)
    items = (plan(cat, polarity="good", industry=None, target=30)
             + plan(cat, polarity="good", industry="survey_design", target=60)
             + plan(cat, polarity="bad", industry="survey_design", target=20))
    subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    _post_all(client, tokens["admin"], subject["code"], items)
    ev = evaluation(client, subject["code"], industry="survey_design")
    assert ev["base_score"] == 650
    assert ev["components"] == {"general_bonus": 30, "general_deduction": 0, "industry_bonus": 60,
                                "industry_deduction": 20}
    assert (ev["score"], ev["grade"], ev["level"], ev["fused"]) == (720, "B", "B", False)
    assert sum(ln["applied"] * (1 if ln["points"] > 0 else -1) for ln in ev["lines"]) == 70
    general = evaluation(client, subject["code"])
    assert (general["score"], general["grade"]) == (680, "B")


def test_worked_example_excellent_a_every_deduction_maxed_is_350_d_spec_1_6(client: TestClient,
                                                                           tokens: dict[str, str]) -> None:
    """Every deduction item of the general family and of 勘察设计 used up to its cap: the caps of a bucket add up
    to its budget (D1-27(i)), so the deductions are 100 and 350 and an A subject (800) ends at 350, D."""
    cat = catalogue(client)

    def filled(industry: str | None) -> list[str]:
        out: list[str] = []
        for code, it in sorted(cat.items()):
            if it["polarity"] == "bad" and it["industry"] == industry and it["points"] and not it["fuse"] \
                    and it["family"] == ("general" if industry is None else "industry"):
                out += [code] * -(-it["cap"] // it["points"])  # enough records to reach the cap
        return out

    general_bad, industry_bad = filled(None), filled("survey_design")
    assert capped_total(cat, general_bad) == 100 and capped_total(cat, industry_bad) == 350
    heavier = sum(1 for c in general_bad + industry_bad if cat[c]["heavier"])
    subject = make_subject(client, tokens["admin"], grade="A", industries=["survey_design"])
    code = subject["code"]
    for n, item in enumerate(general_bad + industry_bad):
        grade = cat[item]["accident_grades"][0] if cat[item].get("accident_grades") else None
        body = record_body(code, item, department="zhifa" if item.startswith("GEN-") else "kanchasheji",
                           accident_grade=grade)
        assert client.post("/api/v1/records", json=body, headers=auth(tokens["admin"])).status_code == 201, n
    ev = evaluation(client, code, industry="survey_design")
    assert ev["base_score"] == 800
    assert ev["components"] == {"general_bonus": 0, "general_deduction": 100, "industry_bonus": 0,
                                "industry_deduction": 350}
    assert (ev["score"], ev["grade"], ev["level"]) == (350, "D", "D")
    assert ev["fused"] is (heavier >= 2)  # two heavier penalties also fire 122号 Art.16(6)
    general = evaluation(client, code)
    assert (general["score"], general["grade"]) == (700, "D" if heavier >= 2 else "B")


def test_worked_example_poor_d_industry_deduction_clamped_to_350_spec_1_6(client: TestClient,
                                                                         tokens: dict[str, str]) -> None:
    cat = catalogue(client)
    items = plan(cat, polarity="bad", industry="survey_design", target=50)
    subject = make_subject(client, tokens["admin"], grade="D", industries=["survey_design"])
    _post_all(client, tokens["admin"], subject["code"], items)
    ev = evaluation(client, subject["code"], industry="survey_design")
    assert ev["base_score"] == 350
    assert ev["components"]["industry_deduction"] == 50
    assert (ev["score"], ev["grade"], ev["level"]) == (350, "D", "D")  # 300 clamped to 350 (第十一条(二))
    assert ev["fused"] is False


def test_worked_example_no_grade_full_bonus_is_650_b_minus_spec_1_6(client: TestClient,
                                                                   tokens: dict[str, str]) -> None:
    cat = catalogue(client)
    items = (plan(cat, polarity="good", industry=None, target=50)
             + plan(cat, polarity="good", industry="survey_design", target=100))
    subject = make_subject(client, tokens["admin"], grade=None, industries=["survey_design"])
    before = evaluation(client, subject["code"], industry="survey_design")
    assert (before["base_score"], before["grade"], before["level"]) == (500, "C", "C-")  # 第十五条: starts at C
    _post_all(client, tokens["admin"], subject["code"], items)
    ev = evaluation(client, subject["code"], industry="survey_design")
    assert ev["components"] == {"general_bonus": 50, "general_deduction": 0, "industry_bonus": 100,
                                "industry_deduction": 0}
    assert (ev["score"], ev["grade"], ev["level"]) == (650, "B", "B-")
    # more bonus does not help: the family budgets are full (at most one class up per period)
    extra = post_record(client, tokens["admin"], subject["code"], "SD-B01")
    assert extra["evaluation"]["score"] == 650


@pytest.mark.article("122号 Art.14")
def test_grade_boundaries_are_inclusive_below_122_art14(client: TestClient, tokens: dict[str, str]) -> None:
    cat = catalogue(client)
    subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    # 650 - 5 = 645 -> C (650 以上 is B; below 650 is C)
    post_record(client, tokens["admin"], subject["code"], plan(cat, polarity="bad", industry=None, target=5)[0],
                department="zhifa")
    ev = evaluation(client, subject["code"])
    assert (ev["score"], ev["grade"], ev["level"]) == (645, "C", "C+")


@pytest.mark.article("122号 Art.16(6)")
def test_two_heavier_penalties_fuse_to_d_with_score_shown_122_art16_6(client: TestClient,
                                                                      tokens: dict[str, str]) -> None:
    cat = catalogue(client)
    heavier_general = next(c for c, it in cat.items() if it["heavier"] and it["industry"] is None)
    heavier_industry = next(c for c, it in cat.items() if it["heavier"] and it["industry"] == "survey_design")
    subject = make_subject(client, tokens["admin"], grade="A", industries=["survey_design"])
    _post_all(client, tokens["admin"], subject["code"],
              plan(cat, polarity="good", industry=None, target=50)
              + plan(cat, polarity="good", industry="survey_design", target=100))
    first = post_record(client, tokens["admin"], subject["code"], heavier_industry)
    assert first["evaluation"]["score"] == 950 - cat[heavier_industry]["points"]  # 900 with the defaults
    assert first["evaluation"]["fused"] is False and first["evaluation"]["grade"] == "A"
    second = post_record(client, tokens["admin"], subject["code"], heavier_general, department="zhifa")
    ev = evaluation(client, subject["code"], industry="survey_design")
    expected = 950 - cat[heavier_industry]["points"] - cat[heavier_general]["points"]
    assert expected >= 800
    assert ev["score"] == expected  # the score keeps being computed and shown
    assert (ev["grade"], ev["level"], ev["fused"]) == ("D", "D", True)
    [reason] = ev["fuse_reasons"]
    assert "第十六条(六)" in reason["article"]
    assert sorted(reason["record_ids"]) == sorted([first["id"], second["id"]])
    assert evaluation(client, subject["code"])["fused"] is True
    # withdrawing one of them lifts the fuse (G1-05)
    r = client.post(f"/api/v1/records/{second['id']}/withdraw", json={"reason": "复议撤销"},
                    headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert r.status_code == 200
    ev = evaluation(client, subject["code"], industry="survey_design")
    assert ev["fused"] is False and ev["grade"] == "A"


@pytest.mark.article("122号 Art.16")
@pytest.mark.parametrize("article", ["(一)", "(二)", "(三)", "(四)", "(五)", "(七)"])
def test_single_fuse_item_forces_d_122_art16(client: TestClient, tokens: dict[str, str], article: str) -> None:
    cat = catalogue(client)
    code = next(c for c, it in sorted(cat.items())
                if it["fuse"] and it["fuse_article"].endswith(f"第十六条{article}"))
    it = cat[code]
    industries = [it["industry"]] if it["industry"] else []
    subject = make_subject(client, tokens["admin"], grade="A", industries=industries)
    rec = post_record(client, tokens["admin"], subject["code"], code, department="zhifa")
    ev = rec["evaluation"]
    assert ev["fused"] is True
    assert (ev["grade"], ev["level"]) == ("D", "D")
    assert ev["score"] > 350  # the score itself is not D-low: the fuse decides
    assert [r["article"] for r in ev["fuse_reasons"]] == [it["fuse_article"]]
    assert ev["fuse_reasons"][0]["record_ids"] == [rec["id"]]


@pytest.mark.article("122号 Art.28")
def test_art28_no_evaluation_before_the_measures_took_effect_and_acts_before_score_nothing(
        client: TestClient, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(date(2024, 6, 10))):
        subject = make_subject(client, tokens["admin"], grade="B")
        code = subject["code"]
        before = client.post("/api/v1/records", headers=auth(tokens["admin"]), json={
            "subject": code, "item": "GEN-D01", "act_date": "2024-05-10", "department": "zhifa",
            "source_ref": "ART28-before"})
        assert before.status_code == 201  # accepted and stored: it is history
        ev = before.json()["evaluation"]
        assert ev["score"] == 650 and ev["fused"] is False
        [line] = [ln for ln in ev["lines"] if ln["record_id"] == before.json()["id"]]
        assert line["applied"] == 0 and "Art.28" in line["note_en"]
        first_day = client.post("/api/v1/records", headers=auth(tokens["admin"]), json={
            "subject": code, "item": "GEN-D01", "act_date": "2024-05-11", "department": "zhifa",
            "source_ref": "ART28-first-day"})
        assert first_day.json()["evaluation"]["score"] < 650  # from the first day in force it counts
        r = client.get(f"/api/v1/subjects/{code}/evaluation", params={"as_of": "2024-05-10"})
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "as_of"
        assert client.get(f"/api/v1/subjects/{code}/evaluation", params={"as_of": "2024-05-11"}).status_code == 200


@pytest.mark.article("122号 Art.28")
def test_art28_status_and_evaluations_warn_six_months_before_and_after_the_last_day(
        client: TestClient, tokens: dict[str, str]) -> None:
    code = make_subject(client, tokens["admin"], grade="B")["code"]
    with clock_at(DayClock(date(2026, 11, 10))):
        assert client.get("/api/v1/status").json()["validity"]["warning"] is None
        assert client.get(f"/api/v1/subjects/{code}/evaluation").json()["warnings"] == []
    with clock_at(DayClock(date(2026, 11, 11))):
        assert client.get("/api/v1/status").json()["validity"]["warning"]["kind"] == "expiring"
    with clock_at(DayClock(date(2027, 5, 11))):
        status = client.get("/api/v1/status").json()
        assert status["validity"]["status"] == "lapsed" and status["today"] == "2027-05-11"
        [warning] = client.get(f"/api/v1/subjects/{code}/evaluation").json()["warnings"]
        assert warning["kind"] == "lapsed"  # evaluations go on, but say so
