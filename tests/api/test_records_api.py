"""Records through the API: intake with a fresh evaluation, idempotence by source_ref, bulk intake with
per-record atomicity, withdrawal, due dates (122号 第八条, 第十三条, 第十九条)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from _api_helpers import evaluation, make_subject, post_record, record_body, records_of, today
from fastapi.testclient import TestClient

from tests.conftest import auth, new_uscc

RECORD_KEYS = {"id", "subject", "item", "act_date", "due_date", "late", "status", "evaluation"}


@pytest.mark.article("122号 Art.13")
def test_post_record_returns_201_with_fresh_industry_evaluation_122_art13(client: TestClient,
                                                                          tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    before = evaluation(client, subject["code"], industry="survey_design")
    assert before["score"] == 650
    r = client.post("/api/v1/records", json=record_body(subject["code"], "SD-B01"), headers=auth(tokens["admin"]))
    assert r.status_code == 201, r.text
    rec = r.json()
    assert RECORD_KEYS <= set(rec)
    assert isinstance(rec["id"], int)
    assert rec["subject"] == subject["code"]
    assert rec["item"] == "SD-B01"
    assert rec["act_date"] == today().isoformat()
    assert rec["status"] == "active"
    ev = rec["evaluation"]
    assert ev["industry"] == "survey_design"
    assert ev["subject"] == subject["code"]
    assert ev["score"] == 660  # 650 + SD-B01 10 points
    assert ev["components"]["industry_bonus"] == 10
    assert [ln["record_id"] for ln in ev["lines"]] == [rec["id"]]
    # the fresh evaluation is what a read returns
    assert evaluation(client, subject["code"], industry="survey_design")["score"] == 660


@pytest.mark.article("122号 Art.11(1)")
def test_post_general_item_returns_general_evaluation_122_art11_1(client: TestClient,
                                                                  tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="C", industries=["verification"])
    rec = post_record(client, tokens["admin"], subject["code"], "GEN-D01", department="zhifa")
    ev = rec["evaluation"]
    assert ev["industry"] is None
    assert ev["score"] == 490
    assert ev["components"] == {"general_bonus": 0, "general_deduction": 10, "industry_bonus": 0,
                                "industry_deduction": 0}
    # the general part is shared by the industry evaluation too (spec G1-04)
    assert evaluation(client, subject["code"], industry="verification")["score"] == 490


def test_industry_record_enrols_subject_in_industry_g1_04(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B")
    assert subject["industries"] == []
    rec = post_record(client, tokens["admin"], subject["code"], "SM-D01", department="guotucehui")
    assert rec["evaluation"]["industry"] == "surveying_mapping"
    assert rec["evaluation"]["score"] == 630
    got = client.get(f"/api/v1/subjects/{subject['code']}").json()
    assert "surveying_mapping" in got["industries"]


@pytest.mark.article("122号 Art.19")
def test_same_source_ref_same_content_returns_200_same_id_122_art19(client: TestClient,
                                                                     tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    body = record_body(subject["code"], "SD-D01", note="决定书")
    first = client.post("/api/v1/records", json=body, headers=auth(tokens["admin"]))
    assert first.status_code == 201
    second = client.post("/api/v1/records", json=body, headers=auth(tokens["admin"]))
    assert second.status_code == 200, second.text
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["evaluation"]["score"] == first.json()["evaluation"]["score"] == 630
    # one event, one record: still one record, counted once
    assert len(records_of(client, subject["code"])) == 1
    assert evaluation(client, subject["code"], industry="survey_design")["components"]["industry_deduction"] == 20


def test_same_source_ref_lowercase_subject_code_is_same_content(client: TestClient, tokens: dict[str, str]
                                                                ) -> None:
    subject = make_subject(client, tokens["admin"], grade="B")
    body = record_body(subject["code"], "GEN-B01")
    first = client.post("/api/v1/records", json=body, headers=auth(tokens["admin"]))
    again = client.post("/api/v1/records", json=dict(body, subject=subject["code"].lower()),
                        headers=auth(tokens["admin"]))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


@pytest.mark.article("122号 Art.8(2)")
def test_same_source_ref_different_content_returns_409_122_art8_2(client: TestClient,
                                                                   tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    other = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    body = record_body(subject["code"], "SD-D01", act_date=today() - timedelta(days=3))
    first = client.post("/api/v1/records", json=body, headers=auth(tokens["admin"]))
    assert first.status_code == 201
    changes = [
        {"item": "SD-D02"},
        {"act_date": (today() - timedelta(days=4)).isoformat()},
        {"department": "zhifa"},
        {"note": "另一份说明"},
        {"decision_no": "京规自罚〔2026〕9号"},
    ]
    for change in changes:
        r = client.post("/api/v1/records", json=dict(body, **change), headers=auth(tokens["admin"]))
        assert r.status_code == 409, (change, r.text)
        [problem] = r.json()["detail"]
        assert problem["field"] == "source_ref"
        assert problem["reason_zh"] and problem["reason_en"]
    # the stored record is unchanged and nothing else was stored (不得擅自修改)
    [stored] = records_of(client, subject["code"])
    assert stored["id"] == first.json()["id"]
    assert stored["item"] == "SD-D01" and stored["department"] == "kanchasheji"
    assert records_of(client, other["code"]) == []
    assert evaluation(client, other["code"], industry="survey_design")["score"] == 650


@pytest.mark.article("122号 Art.8")
def test_bulk_each_record_atomic_on_its_own_122_art8(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    good1 = record_body(subject["code"], "SD-B01")
    bad_item = record_body(subject["code"], "NO-SUCH-ITEM")
    bad_date = dict(record_body(subject["code"], "SD-B02"), act_date="2026-13-01")
    future = record_body(subject["code"], "SD-B02", act_date=today() + timedelta(days=3))
    unknown_subject = record_body(new_uscc(), "SD-B02")
    good2 = record_body(subject["code"], "GEN-B01")
    missing = {k: v for k, v in record_body(subject["code"], "SD-B02").items() if k != "source_ref"}
    good3 = record_body(subject["code"], "SD-D01")
    payload = [good1, bad_item, bad_date, future, unknown_subject, good2, missing, good3]
    r = client.post("/api/v1/records/bulk", json={"records": payload}, headers=auth(tokens["admin"]))
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert len(results) == len(payload)
    assert [x["index"] for x in results] == list(range(len(payload)))
    assert [x["status"] for x in results] == [201, 422, 422, 422, 422, 201, 422, 201]
    fields = {i: {p["field"] for p in results[i]["errors"]} for i in (1, 2, 3, 4, 6)}
    assert fields == {1: {"item"}, 2: {"act_date"}, 3: {"act_date"}, 4: {"subject"}, 6: {"source_ref"}}
    for i in (1, 2, 3, 4, 6):
        assert all(p["reason_zh"] and p["reason_en"] for p in results[i]["errors"])
    assert r.json()["summary"] == {"created": 3, "existing": 0, "rejected": 5}
    # good ones stored, bad ones not
    stored = records_of(client, subject["code"])
    assert sorted(x["source_ref"] for x in stored) == sorted(x["source_ref"] for x in (good1, good2, good3))
    assert {x["id"] for x in stored} == {results[i]["record"]["id"] for i in (0, 5, 7)}
    assert evaluation(client, subject["code"], industry="survey_design")["components"] == {
        "general_bonus": 10, "general_deduction": 0, "industry_bonus": 10, "industry_deduction": 20}


@pytest.mark.article("122号 Art.19")
def test_bulk_repeats_and_conflicts_by_source_ref_122_art19(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    existing = post_record(client, tokens["admin"], subject["code"], "SD-B01")
    same = record_body(subject["code"], "SD-B01", source_ref=existing["source_ref"])
    conflicting = record_body(subject["code"], "SD-B02", source_ref=existing["source_ref"])
    fresh = record_body(subject["code"], "SD-B02")
    repeat_in_batch = dict(fresh)
    r = client.post("/api/v1/records/bulk", json={"records": [same, conflicting, fresh, repeat_in_batch]},
                    headers=auth(tokens["admin"]))
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == [200, 409, 201, 200]
    assert results[0]["record"]["id"] == existing["id"]
    assert results[3]["record"]["id"] == results[2]["record"]["id"]
    assert results[1]["errors"][0]["field"] == "source_ref"
    assert len(records_of(client, subject["code"])) == 2


def test_bulk_business_token_other_department_rejected_per_record(client: TestClient,
                                                                  tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    own = record_body(subject["code"], "SD-B01", department="kanchasheji")
    other = record_body(subject["code"], "SD-B02", department="zhifa")
    r = client.post("/api/v1/records/bulk", json={"records": [other, own]}, headers=auth(tokens["business"]))
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["results"]] == [403, 201]
    assert [x["source_ref"] for x in records_of(client, subject["code"])] == [own["source_ref"]]


def test_bulk_empty_list_is_ok_and_stores_nothing(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.post("/api/v1/records/bulk", json={"records": []}, headers=auth(tokens["admin"]))
    assert r.status_code == 200
    assert r.json()["results"] == []


@pytest.mark.article("122号 Art.13")
def test_withdraw_record_stops_counting_score_returns_122_art13(client: TestClient, tokens: dict[str, str]
                                                                ) -> None:
    subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    post_record(client, tokens["admin"], subject["code"], "SD-B01")
    before_ind = evaluation(client, subject["code"], industry="survey_design")
    before_gen = evaluation(client, subject["code"])
    rec = post_record(client, tokens["admin"], subject["code"], "SD-D01")
    gen = post_record(client, tokens["admin"], subject["code"], "GEN-D01", department="zhifa")
    assert evaluation(client, subject["code"], industry="survey_design")["score"] == before_ind["score"] - 30
    assert evaluation(client, subject["code"])["score"] == before_gen["score"] - 10

    r = client.post(f"/api/v1/records/{rec['id']}/withdraw", json={"reason": "异议核实后撤销"},
                    headers=auth(tokens["admin"]))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["id"] == rec["id"]
    assert out["status"] == "withdrawn"
    assert out["evaluation"]["industry"] == "survey_design"
    assert out["evaluation"]["score"] == before_ind["score"] - 10
    assert rec["id"] not in [ln["record_id"] for ln in out["evaluation"]["lines"]]

    r = client.post(f"/api/v1/records/{gen['id']}/withdraw", json={"reason": "录入错误"},
                    headers=auth(tokens["admin"]))
    assert r.status_code == 200
    assert r.json()["evaluation"]["industry"] is None
    after_ind = evaluation(client, subject["code"], industry="survey_design")
    after_gen = evaluation(client, subject["code"])
    assert after_ind["score"] == before_ind["score"]
    assert after_ind["components"] == before_ind["components"]
    assert after_gen["score"] == before_gen["score"]
    statuses = {x["id"]: x["status"] for x in records_of(client, subject["code"])}
    assert statuses[rec["id"]] == "withdrawn" and statuses[gen["id"]] == "withdrawn"
    # the stored evaluation (list view) is updated too
    listed = client.get("/api/v1/subjects", params={"q": subject["code"]}).json()["items"][0]["evaluation"]
    assert listed["score"] == before_gen["score"]


def test_withdraw_twice_returns_409(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B")
    rec = post_record(client, tokens["admin"], subject["code"], "GEN-D01", department="zhifa")
    url = f"/api/v1/records/{rec['id']}/withdraw"
    assert client.post(url, json={"reason": "第一次"}, headers=auth(tokens["admin"])).status_code == 200
    r = client.post(url, json={"reason": "第二次"}, headers=auth(tokens["admin"]))
    assert r.status_code == 409
    assert r.json()["detail"][0]["reason_zh"] and r.json()["detail"][0]["reason_en"]
    assert evaluation(client, subject["code"])["score"] == 650


def test_withdraw_unknown_record_returns_404(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.post("/api/v1/records/987654321/withdraw", json={"reason": "不存在"}, headers=auth(tokens["admin"]))
    assert r.status_code == 404
    assert r.json()["detail"][0]["reason_en"]


def test_withdraw_needs_a_reason(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B")
    rec = post_record(client, tokens["admin"], subject["code"], "GEN-D01", department="zhifa")
    url = f"/api/v1/records/{rec['id']}/withdraw"
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        r = client.post(url, json=body, headers=auth(tokens["admin"]))
        assert r.status_code == 422, body
        assert r.json()["detail"][0]["field"] == "reason"
    assert evaluation(client, subject["code"])["score"] == 640  # still counting


def test_resubmitting_withdrawn_record_does_not_revive_it(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B")
    body = record_body(subject["code"], "GEN-D01", department="zhifa")
    rec = client.post("/api/v1/records", json=body, headers=auth(tokens["admin"])).json()
    client.post(f"/api/v1/records/{rec['id']}/withdraw", json={"reason": "撤销"}, headers=auth(tokens["admin"]))
    again = client.post("/api/v1/records", json=body, headers=auth(tokens["admin"]))
    assert again.status_code == 200
    assert again.json()["id"] == rec["id"]
    assert again.json()["status"] == "withdrawn"
    assert evaluation(client, subject["code"])["score"] == 650


@pytest.mark.article("122号 Art.8(1)")
def test_due_date_tuesday_plus_five_working_days_is_next_tuesday_122_art8_1(
        client: TestClient, tokens: dict[str, str], manual_token: str) -> None:
    act = date(2026, 3, 10)
    assert act.weekday() == 1  # a Tuesday, no holiday within two weeks
    subject = make_subject(client, tokens["admin"], grade="B")
    rec = post_record(client, manual_token, subject["code"], "GEN-B02", act_date=act)
    assert rec["due_date"] == "2026-03-17"
    assert date.fromisoformat(rec["due_date"]).weekday() == 1
    assert rec["late"] is True  # entered long after the deadline
    assert rec["due_date"] == client.get("/api/v1/calendar/add-workdays",
                                         params={"start": act.isoformat(), "days": 5}).json()["date"]


@pytest.mark.article("122号 Art.8(1)")
def test_record_entered_on_act_day_is_not_late_122_art8_1(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B")
    rec = post_record(client, tokens["admin"], subject["code"], "GEN-B02", act_date=today())
    assert rec["late"] is False
    assert date.fromisoformat(rec["due_date"]) >= today() + timedelta(days=5)  # 5 working days ≥ 5 days


@pytest.mark.article("122号 Art.8(1)")
def test_record_act_date_30_days_ago_is_late_122_art8_1(client: TestClient, tokens: dict[str, str],
                                                        manual_token: str) -> None:
    subject = make_subject(client, tokens["admin"], grade="B")
    act = today() - timedelta(days=30)
    rec = post_record(client, manual_token, subject["code"], "GEN-B02", act_date=act)
    assert rec["late"] is True and rec["channel"] == "manual"
    assert act < date.fromisoformat(rec["due_date"]) < today()
    listed = {x["id"]: x["late"] for x in records_of(client, subject["code"])}
    assert listed[rec["id"]] is True


@pytest.mark.article("122号 Art.8(1)")
def test_art8_1_an_interface_record_is_never_late_the_credential_decides_the_channel(
        client: TestClient, tokens: dict[str, str]) -> None:
    """Docked systems deliver 尽量实时: the five-working-day limit binds manual entry only. A docking token is an
    interface whatever the body says (an unknown `channel` field is refused, never believed)."""
    subject = make_subject(client, tokens["admin"], grade="B")
    rec = post_record(client, tokens["admin"], subject["code"], "GEN-B02", act_date=today() - timedelta(days=30))
    assert rec["channel"] == "interface" and rec["late"] is False
    body = record_body(subject["code"], "GEN-B02", act_date=today() - timedelta(days=30))
    r = client.post("/api/v1/records", json=dict(body, channel="manual"), headers=auth(tokens["admin"]))
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "channel"


@pytest.mark.article("122号 Art.8")
def test_g1_16_one_decision_naming_several_parties_is_one_record_per_subject(
        client: TestClient, tokens: dict[str, str]) -> None:
    a = make_subject(client, tokens["admin"], grade="B")["code"]
    b = make_subject(client, tokens["admin"], grade="B")["code"]
    first = client.post("/api/v1/records", json=record_body(a, "GEN-D01", source_ref="京规自罚〔2026〕3号"),
                        headers=auth(tokens["admin"]))
    second = client.post("/api/v1/records", json=record_body(b, "GEN-D01", source_ref="京规自罚〔2026〕3号"),
                         headers=auth(tokens["admin"]))
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    again = client.post("/api/v1/records", json=record_body(a, "GEN-D01", source_ref="京规自罚〔2026〕3号"),
                        headers=auth(tokens["admin"]))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


@pytest.mark.article("122号 Art.8")
def test_g1_16_the_same_decision_by_interface_and_by_hand_counts_once_and_the_interface_record_wins(
        client: TestClient, tokens: dict[str, str], manual_token: str) -> None:
    code = make_subject(client, tokens["admin"], grade="B")["code"]
    manual = client.post("/api/v1/records", headers=auth(manual_token), json=dict(
        record_body(code, "GEN-D01", department="zhifa", source_ref="MANUAL-77"), decision_no="京规自罚〔2026〕77号"))
    assert manual.status_code == 201, manual.text
    after_manual = manual.json()["evaluation"]["score"]
    docked = client.post("/api/v1/records", headers=auth(tokens["admin"]), json=dict(
        record_body(code, "GEN-D01", department="zhifa", source_ref="ZF-SYS-0077"), decision_no="京规自罚〔2026〕77号"))
    assert docked.status_code == 201, docked.text
    assert docked.json()["evaluation"]["score"] == after_manual  # the penalty counts once
    lines = docked.json()["evaluation"]["lines"]
    assert [ln["record_id"] for ln in lines if ln["applied"]] == [docked.json()["id"]]  # the interface one counts
    listed = {x["id"]: x for x in records_of(client, code)}
    assert listed[manual.json()["id"]]["duplicate_of"] == docked.json()["id"]
    assert listed[docked.json()["id"]]["duplicate_of"] is None
    # another item of the same decision is another fact: it counts
    other = client.post("/api/v1/records", headers=auth(tokens["admin"]), json=dict(
        record_body(code, "GEN-D03", department="zhifa", source_ref="ZF-SYS-0078"), decision_no="京规自罚〔2026〕77号"))
    assert other.status_code == 201 and other.json()["evaluation"]["score"] < after_manual


@pytest.mark.article("122号 Art.7")
def test_art6_art7_record_classes_are_enumerated_and_fit_the_item(client: TestClient, tokens: dict[str, str]) -> None:
    code = make_subject(client, tokens["admin"], grade="B")["code"]
    rec = post_record(client, tokens["admin"], code, "GEN-D01")
    assert rec["info_class"] == "planning" and rec["admin_category"]  # defaults from the item
    bad_class = client.post("/api/v1/records", headers=auth(tokens["admin"]),
                            json=dict(record_body(code, "GEN-D01"), info_class="rumour"))
    assert bad_class.status_code == 422 and bad_class.json()["detail"][0]["field"] == "info_class"
    wrong_side = client.post("/api/v1/records", headers=auth(tokens["admin"]),
                             json=dict(record_body(code, "GEN-D01"), admin_category="administrative_reward"))
    assert wrong_side.status_code == 422 and wrong_side.json()["detail"][0]["field"] == "admin_category"
    related = post_record(client, tokens["admin"], code, "GEN-D01", info_class="related")
    assert related["info_class"] == "related"


@pytest.mark.article("122号 Art.7")
def test_art7_information_without_points_is_collected_and_shown(client: TestClient, tokens: dict[str, str]) -> None:
    code = make_subject(client, tokens["admin"], grade="B")["code"]
    before = evaluation(client, code)
    lic = post_record(client, tokens["admin"], code, "COL-LIC", department="zhifa")
    assert lic["admin_category"] == "administrative_licensing"
    assert lic["evaluation"]["score"] == before["score"]  # collected, carries no points
    assert lic["id"] in {x["id"] for x in records_of(client, code)}


@pytest.mark.article("122号 Art.16(1)")
def test_art16_1_only_a_major_accident_and_above_fires_the_fuse_and_no_industry_is_enrolled(
        client: TestClient, tokens: dict[str, str]) -> None:
    """G1-06(c), X-08: an accident record carries its State Council grade (国务院令第493号 第三条); the general
    accident items keep the subject out of every industry evaluation."""
    code = make_subject(client, tokens["admin"], grade="A")["code"]

    def post(item: str, grade: str | None) -> Any:
        return client.post("/api/v1/records", headers=auth(tokens["admin"]),
                           json=record_body(code, item, department="zhifa", accident_grade=grade))

    assert post("GEN-D12", None).json()["detail"][0]["field"] == "accident_grade"  # a grade is required
    assert post("GEN-D12", "较大").json()["detail"][0]["field"] == "accident_grade"  # 较大 is not 重大
    assert post("GEN-D12", "巨大").json()["detail"][0]["field"] == "accident_grade"  # not a grade at all
    assert post("GEN-D01", "一般").json()["detail"][0]["field"] == "accident_grade"  # not an accident item
    larger = post("GEN-D11", "较大")
    assert larger.status_code == 201 and larger.json()["evaluation"]["fused"] is False
    major = post("GEN-D12", "重大")
    assert major.status_code == 201 and major.json()["accident_grade"] == "重大"
    ev = major.json()["evaluation"]
    assert ev["fused"] is True and ev["grade"] == "D"
    assert ev["fuse_reasons"][0]["article"] == "122号 第十六条(一)" and ev["fuse_reasons"][0]["record_ids"] == [
        major.json()["id"]]
    assert client.get(f"/api/v1/subjects/{code}").json()["industries"] == []
