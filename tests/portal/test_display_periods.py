"""公示期限 (spec G1-17): the public portal shows a bad record until the display period of its record type has ended
(records/disclosure.yaml: 国家发展改革委令2023年第58号, before it 发改办财金〔2019〕527号), counted per 民法典
第二百零一条、第二百零二条 (spec G0-1): the day of the decision is not counted, the period ends on the corresponding
day — that day is still shown, the next is not. Staff views and the archive keep the record."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.api._api_helpers import make_subject, post_record
from tests.conftest import auth
from xinyong.core.clock import DayClock, clock_at
from xinyong.records.disclosure import DISCLOSURE_FILE, _rules, display_periods
from xinyong.reference.service import admin_categories
from xinyong.rules.period import add_months_civil

ACT = date(2025, 3, 10)


def test_a_period_ends_on_the_corresponding_day_or_the_months_last_day_civil_code_art_201_202() -> None:
    assert add_months_civil(date(2025, 3, 10), 12) == date(2026, 3, 10)  # the start day is not counted (Art.201)
    assert add_months_civil(date(2025, 3, 10), 36) == date(2028, 3, 10)
    assert add_months_civil(date(2024, 2, 29), 12) == date(2025, 2, 28)  # no corresponding day (Art.202)
    assert add_months_civil(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months_civil(date(2023, 12, 31), 2) == date(2024, 2, 29)


def test_every_bad_record_type_has_a_display_period_with_its_legal_reference_spec_G1_17() -> None:
    history = display_periods()
    for day in (date(2020, 1, 1), date(2023, 4, 30), date(2023, 5, 1), date(2026, 3, 10)):
        rules = _rules(history.value("display_periods", day), day.isoformat())
        assert rules and all(r.reference and r.months > 0 for r in rules)
        assert rules[-1].match == ()  # a catch-all: no bad record is shown without end by omission
        for category in admin_categories("bad"):
            for severity in ("severe", "general"):
                fit = next(r for r in rules if r.fits({"admin_category": category, "severity": severity}))
                assert fit.months <= 36, (category, severity)  # the national maximum (三年)
    on_58 = _rules(history.value("display_periods", date(2023, 5, 1)), "2023-05-01")
    assert "58号" in on_58[0].reference and on_58[0].months == 36  # 严重失信行为的行政处罚信息: 最长三年
    assert "58号" in on_58[1].reference and on_58[1].months == 12  # 一般失信行为的行政处罚信息: 最长一年
    assert "to be confirmed" in DISCLOSURE_FILE.read_text(encoding="utf-8")  # said, not guessed


@pytest.mark.parametrize("body", [[{"match": {"colour": "red"}, "months": 12, "reference": "x"}],
                                  [{"match": {}, "months": 0, "reference": "x"}],
                                  [{"match": {}, "months": 12}],
                                  [{"match": {"admin_category": "administrative_reward"}, "months": 12,
                                    "reference": "x"}]])
def test_a_malformed_display_rule_is_refused_when_loaded(body: list) -> None:
    with pytest.raises(ValueError, match="disclosure.yaml"):
        _rules(body, "test")


def _public(client: TestClient, code: str, day: date) -> dict[int, dict]:
    with clock_at(DayClock(day)):
        r = client.get(f"/api/v1/public/subjects/{code}")
    assert r.status_code == 200, r.text
    return {rec["id"]: rec for rec in r.json()["records"]}


def _anonymous_ids(client: TestClient, code: str, day: date) -> set[int]:
    with clock_at(DayClock(day)):
        r = client.get(f"/api/v1/subjects/{code}/records")
    assert r.status_code == 200, r.text
    return {rec["id"] for rec in r.json()}


@pytest.mark.article("122号 Art.19")
def test_display_period_58号令_general_penalty_shown_through_its_last_day_hidden_the_day_after_staff_and_archive_keep_it(
        client: TestClient, tokens) -> None:
    """一般失信行为的行政处罚信息: 最长公示期一年 — act 2025-03-10, last day shown 2026-03-10 (民法典 第二百零一条、
    第二百零二条), hidden from 2026-03-11; a 较重行政处罚 (severe: three years) and a good record stay."""
    with clock_at(DayClock(ACT)):
        org = make_subject(client, tokens["admin"], name="北京公示期限测试设计院有限公司")
        code = org["code"]
        general = post_record(client, tokens["admin"], code, "GEN-D01", act_date=ACT)["id"]
        severe = post_record(client, tokens["admin"], code, "GEN-D03", act_date=ACT)["id"]
        good = post_record(client, tokens["admin"], code, "GEN-B01", act_date=ACT)["id"]
    last_day = _public(client, code, date(2026, 3, 10))
    assert set(last_day) == {general, severe, good}
    assert last_day[general]["shown_until"] == "2026-03-10"
    assert last_day[severe]["shown_until"] == "2028-03-10"
    assert last_day[good]["shown_until"] is None
    assert _anonymous_ids(client, code, date(2026, 3, 10)) == {general, severe, good}
    day_after = _public(client, code, date(2026, 3, 11))
    assert set(day_after) == {severe, good}
    assert _anonymous_ids(client, code, date(2026, 3, 11)) == {severe, good}
    with clock_at(DayClock(date(2026, 3, 11))):
        assert client.get(f"/api/v1/public/subjects/{code}").json()["records_total"] == 2
        staff = client.get(f"/api/v1/subjects/{code}/records", headers=auth(tokens["admin"])).json()
        assert general in {r["id"] for r in staff}  # staff views keep it
        archive = client.get(f"/api/v1/subjects/{code}/archive", headers=auth(tokens["admin"])).json()
        entered = {e["payload"]["record_id"] for e in archive["entries"] if e["kind"] == "record_entered"}
        assert general in entered  # the archive keeps it (122号 Art.19)


def test_display_period_58号令_severe_penalty_shown_three_years_through_its_last_day_hidden_the_day_after(
        client: TestClient, tokens) -> None:
    """涉及严重失信行为的行政处罚信息: 最长公示期三年 — GEN-D03 较重行政处罚 act 2025-03-10: shown through 2028-03-10."""
    with clock_at(DayClock(ACT)):
        code = make_subject(client, tokens["admin"], name="北京公示期限严重失信测试有限公司")["code"]
        severe = post_record(client, tokens["admin"], code, "GEN-D03", act_date=ACT)["id"]
    assert severe in _public(client, code, date(2028, 3, 10))
    assert severe not in _public(client, code, date(2028, 3, 11))
    assert severe not in _anonymous_ids(client, code, date(2028, 3, 11))
