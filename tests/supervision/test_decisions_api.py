"""The decision service and its log (122号 Art.22, 23, 25, 26; spec D1-39, D1-40, D1-43, D1-44; G1-10)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api._api_helpers import make_subject
from tests.conftest import auth
from tests.supervision._helpers import in_force, leader_session, line, viewer_token
from xinyong.core.clock import DayClock, clock_at

DAY = date(2026, 6, 15)


def _lists(client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    leader = leader_session(clean, None)
    biz, coord = tokens["business"], tokens["coordinator"]
    in_force(client, biz, leader, coord, "incentive", [
        line("A", item="A 容缺受理"), line("A", level="A-", item="A- 专项便利"), line("B", item="B 便利"),
        line("A", "inspection", item="A 大幅减少检查", factor=0.3), line("A", "award", item="A 评优优先")])
    in_force(client, biz, leader, coord, "punishment", [line("D", item="D 审慎参考"), line("C", "inspection",
                                                                                         item="C 常规抽查")])
    in_force(client, coord, leader, coord, "punishment", [line("D", item="全委 D 约束")], industry="general")


def _ask(client: TestClient, token: str, subject: str, process: str = "administrative_approval",
         industry: str | None = "survey_design", **extra: str) -> dict[str, Any]:
    params = {"subject": subject, "process": process, **extra}
    if industry:
        params["industry"] = industry
    r = client.get("/api/v1/decisions", params=params, headers=auth(token))
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.article("122号 Art.23", "122号 Art.22")
def test_measures_per_grade_with_the_level_override_and_the_process_122_art23(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        _lists(client, clean, tokens)
        admin = tokens["admin"]
        a = make_subject(client, admin, grade="A", industries=["survey_design"])["code"]  # 800: A, level A-
        b = make_subject(client, admin, grade="B", industries=["survey_design"])["code"]  # 650: B, level B-
        c = make_subject(client, admin, grade=None, industries=["survey_design"])["code"]  # 500: C-
        d = make_subject(client, admin, grade="D", industries=["survey_design"])["code"]  # 350: D
        biz = tokens["business"]

        got = _ask(client, biz, a)
        assert (got["grade"], got["level"], got["fused"], got["industry"]) == ("A", "A-", False, "survey_design")
        # G1-10: the list's lines for level A- replace its grade-A lines
        assert [(m["kind"], m["item"], m["level"]) for m in got["measures"]] == [("incentive", "A- 专项便利", "A-")]
        assert set(got["measures"][0]) >= {"kind", "item", "basis", "category", "department"}
        assert [m["item"] for m in _ask(client, biz, b)["measures"]] == ["B 便利"]
        assert _ask(client, biz, c)["measures"] == []  # 122号 Art.23(3): C 按常规流程
        assert [m["item"] for m in _ask(client, biz, c, "inspection")["measures"]] == ["C 常规抽查"]
        got = _ask(client, biz, d)
        # the industry's list and the coordinating department's, punishment
        assert [(m["kind"], m["item"], m["industry"]) for m in got["measures"]] == [
            ("punishment", "D 审慎参考", "survey_design"), ("punishment", "全委 D 约束", "general")]
        assert [m["item"] for m in _ask(client, biz, a, "award")["measures"]] == ["A 评优优先"]
        assert [m["item"] for m in _ask(client, biz, a, "inspection")["measures"]] == ["A 大幅减少检查"]
        assert _ask(client, biz, a, "land_transaction")["measures"] == []
        # without an industry: the general evaluation and the general lists
        got = _ask(client, biz, d, industry=None)
        assert got["industry"] is None and [m["item"] for m in got["measures"]] == ["全委 D 约束"]
        # an industry the subject is not evaluated in: the general evaluation, said so
        got = _ask(client, biz, b, industry="surveying_mapping")
        assert got["industry"] is None
        assert {"industry_not_evaluated", "no_measures_list"} <= {w["code"] for w in got["warnings"]}

        r = client.get("/api/v1/decisions", params={"subject": a, "process": "lottery"}, headers=auth(biz))
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "process"
        r = client.get("/api/v1/decisions", params={"subject": a, "process": "award", "industry": "x"},
                       headers=auth(biz))
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "industry"
        r = client.get("/api/v1/decisions", params={"subject": "91110000000000000X", "process": "award"},
                       headers=auth(biz))
        assert r.status_code == 404
        assert client.get("/api/v1/decisions", params={"subject": a, "process": "award"}).status_code == 401


@pytest.mark.article("122号 Art.25")
def test_every_answer_is_logged_and_the_log_is_read_by_coordinator_admin_leader_122_art25(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        _lists(client, clean, tokens)
        d = make_subject(client, tokens["admin"], grade="D", industries=["survey_design"])["code"]
        person = make_subject(client, tokens["admin"], kind="individual", grade="A",
                              industries=["survey_design"])["code"]
        first = _ask(client, tokens["business"], d)
        _ask(client, tokens["hall"], d, "procurement_bidding")
        _ask(client, tokens["business"], person)
        r = client.get("/api/v1/decisions/log", params={"subject": d}, headers=auth(tokens["coordinator"]))
        assert r.status_code == 200
        log = r.json()
        assert log["total"] == 2
        newest, oldest = log["items"]
        assert (oldest["id"], oldest["actor"], oldest["role"], oldest["department"], oldest["process"]) == (
            first["log_id"], "test-business", "business", "kanchasheji", "administrative_approval")
        assert (oldest["grade"], oldest["industry"]) == ("D", "survey_design")
        assert [m["item"] for m in oldest["measures"]] == ["D 审慎参考", "全委 D 约束"]
        assert (newest["actor"], newest["process"]) == ("test-hall", "procurement_bidding")
        r = client.get("/api/v1/decisions/log", params={"process": "procurement_bidding"},
                       headers=auth(tokens["admin"]))
        assert r.json()["total"] == 1
        # the leader reads the log with individuals' ID numbers masked; business and viewers do not read it
        r = client.get("/api/v1/decisions/log", params={"subject": person}, headers=auth(tokens["leader"]))
        assert r.status_code == 200 and r.json()["total"] == 1
        assert r.json()["items"][0]["subject"] != person and "*" in r.json()["items"][0]["subject"]
        assert client.get("/api/v1/decisions/log", headers=auth(tokens["business"])).status_code == 403
        assert client.get("/api/v1/decisions/log", headers=auth(tokens["viewer"])).status_code == 403
        assert client.get("/api/v1/decisions/log").status_code == 401
        r = client.get("/api/v1/audit", params={"action": "decision.query"}, headers=auth(tokens["admin"]))
        assert r.status_code == 200, r.text
        assert f"decision_log:{first['log_id']}" in r.text


@pytest.mark.article("122号 Art.26")
def test_a_social_body_states_purpose_and_legal_basis_which_are_logged_122_art26(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        _lists(client, clean, tokens)
        person = make_subject(client, tokens["admin"], kind="individual", grade="A",
                              industries=["survey_design"])["code"]
        association = viewer_token(clean, "北京市勘察设计协会")
        r = client.get("/api/v1/decisions", params={"subject": person, "process": "award",
                                                    "industry": "survey_design"}, headers=auth(association))
        assert r.status_code == 422
        assert [p["field"] for p in r.json()["detail"]] == ["purpose", "legal_basis"]
        r = client.get("/api/v1/decisions", params={"subject": person, "process": "award", "purpose": "  ",
                                                    "legal_basis": "协会章程"}, headers=auth(association))
        assert r.status_code == 422 and [p["field"] for p in r.json()["detail"]] == ["purpose"]
        got = _ask(client, association, person, "award", purpose="年度评优", legal_basis="122号 第二十六条")
        assert got["subject"] != person and "*" in got["subject"]  # no full resident ID for a social body
        assert got["grade"] == "A"
        assert _ask(client, tokens["business"], person)["subject"] == person  # a personal-data role sees it
        r = client.get("/api/v1/decisions/log", params={"subject": person, "process": "award"},
                       headers=auth(tokens["coordinator"]))
        [row] = r.json()["items"]
        assert (row["actor"], row["role"], row["purpose"], row["legal_basis"]) == (
            "北京市勘察设计协会", "viewer", "年度评优", "122号 第二十六条")
        assert row["subject"] == person


@pytest.mark.article("122号 Art.22(4)")
def test_listings_in_force_are_warnings_and_the_fuse_shows_122_art22_4(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        _lists(client, clean, tokens)
        code = make_subject(client, tokens["admin"], grade="A", industries=["survey_design"])["code"]
        assert _ask(client, tokens["business"], code)["warnings"] == []
        r = client.post("/api/v1/listings", json={"subject": code, "list": "national_serious_dishonesty",
                                                  "listed_on": DAY.isoformat(), "source_ref": "LIST-1"},
                        headers=auth(tokens["admin"]))
        assert r.status_code == 201, r.text
        got = _ask(client, tokens["business"], code)
        assert (got["grade"], got["fused"]) == ("D", True)
        assert [w["code"] for w in got["warnings"]] == ["listed"]
        assert [m["item"] for m in got["measures"]] == ["D 审慎参考", "全委 D 约束"]


@pytest.mark.article("122号 Art.18", "122号 Art.8")
def test_open_objections_and_commitments_are_warnings_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        _lists(client, clean, tokens)
        code = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])["code"]
        r = client.post("/api/v1/commitments", json={
            "subject": code, "content": "按期补交勘察资料", "due_on": "2026-07-15", "licence_ref": "XK-2026-1",
            "department": "kanchasheji"}, headers=auth(tokens["business"]))
        assert r.status_code == 201, r.text
        commitment = r.json()["id"]
        r = client.post("/api/v1/cases", json={
            "kind": "objection", "subject": code, "industry": "survey_design", "statement": "评价结果有误",
            "channel": "commission"}, headers=auth(tokens["hall"]))
        assert r.status_code == 201, r.text
        case = r.json()["id"]
        got = _ask(client, tokens["business"], code)
        assert [(w["code"], w["ref"]) for w in got["warnings"]] == [
            ("open_objection", f"case:{case}"), ("commitment_open", f"commitment:{commitment}")]
        assert "按期补交勘察资料" in got["warnings"][1]["reason_zh"]
