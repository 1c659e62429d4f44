"""Inspections: an on-site inspection of a whitelisted subject needs one of the four exception codes (44号 Task 12,
spec D3-01); results flow back as credit records (122号 Art.7 行政检查合格/不合格); the report counts inspections of
whitelisted subjects by code and planned vs done by grade (122号 Art.25)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api._api_helpers import records_of
from tests.conftest import auth
from tests.inspections._helpers import INDUSTRY, TODAY, add_inspectors, post_plan, subjects, whitelist
from xinyong.core.clock import DayClock, clock_at


@pytest.fixture(autouse=True)
def pinned() -> Iterator[None]:
    with clock_at(DayClock(TODAY)):
        yield


def inspect(client: TestClient, token: str, code: str, *, status: int = 201, **fields: Any) -> dict[str, Any]:
    body = {"subject": code, "department": "kanchasheji", "kind": "on_site", "date": TODAY.isoformat(),
            "result": "pass", "findings": "", **fields}
    r = client.post("/api/v1/inspections", headers=auth(token), json=body)
    assert r.status_code == status, r.text
    return dict(r.json())


@pytest.mark.article("122号 Art.25")
def test_on_site_inspection_of_a_whitelisted_subject_needs_an_exception_code(client, tokens):
    listed, plain = subjects(client, tokens["admin"], "A", 2)
    whitelist(client, tokens["business"], listed)
    refused = inspect(client, tokens["business"], listed, status=422)
    assert refused["detail"][0]["field"] == "exception_code"
    assert "complaint" in refused["detail"][0]["reason_en"] and "44号" in refused["detail"][0]["reason_zh"]
    assert inspect(client, tokens["business"], listed, status=422, exception_code="other")
    done = inspect(client, tokens["business"], listed, exception_code="complaint")
    assert done["whitelisted"] and done["exception_code"] == "complaint"
    # off site needs none; a subject off the whitelist needs none
    assert inspect(client, tokens["business"], listed, kind="off_site")["exception_code"] is None
    assert not inspect(client, tokens["business"], plain)["whitelisted"]


@pytest.mark.article("122号 Art.25")
def test_results_flow_back_as_credit_records(client, tokens):
    add_inspectors(client, tokens["admin"])
    codes = subjects(client, tokens["admin"], "C", 2)
    plan = post_plan(client, tokens["business"], base_ratio="1")
    target = plan["draws"][0]["code"]
    # a failed inspection needs its findings
    assert inspect(client, tokens["business"], target, status=422, result="fail")["detail"][0]["field"] == "findings"
    failed = inspect(client, tokens["business"], target, plan_id=plan["id"], result="fail", findings="勘察文件深度不足")
    assert failed["record_item"] == "SD-D02" and failed["grade"] == "C"  # the industry's own item
    record = next(r for r in records_of(client, target, tokens["admin"]) if r["id"] == failed["record_id"])
    assert record["item"] == "SD-D02" and record["note"] == "勘察文件深度不足"
    assert record["source_ref"] == f"INSPECTION-{failed['id']}" and record["department"] == "kanchasheji"
    other = next(c for c in codes if c != target)
    passed = inspect(client, tokens["business"], other, kind="off_site")  # outside a plan: the general item
    assert passed["record_item"] == "GEN-B02" and passed["plan_id"] is None


def test_an_inspection_of_a_plan_is_of_a_drawn_subject_in_its_period(client, tokens):
    add_inspectors(client, tokens["admin"])
    subjects(client, tokens["admin"], "A", 3)
    plan = post_plan(client, tokens["admin"], base_ratio="0.1")
    drawn = {d["code"] for d in plan["draws"]}
    not_drawn = next(p["code"] for p in plan["population"] if p["code"] not in drawn)
    assert inspect(client, tokens["admin"], not_drawn, plan_id=plan["id"], status=422)["detail"][0]["field"] == "subject"
    code = next(iter(drawn))
    r = inspect(client, tokens["admin"], code, plan_id=plan["id"], department="zhifa", status=422)
    assert r["detail"][0]["field"] == "plan_id"
    assert inspect(client, tokens["admin"], code, plan_id=999999, status=422)["detail"][0]["field"] == "plan_id"
    assert inspect(client, tokens["admin"], code, date="2026-03-11", status=422)["detail"][0]["field"] == "date"
    assert inspect(client, tokens["admin"], code, plan_id=plan["id"])["plan_id"] == plan["id"]


def test_roles(client, tokens):
    code = subjects(client, tokens["admin"], "B", 1)[0]
    assert inspect(client, tokens["business"], code, department="zhifa", status=403)
    for role in ("viewer", "hall", "leader", "support"):
        inspect(client, tokens[role], code, status=403)
    assert client.post("/api/v1/inspections", json={}).status_code == 401
    assert inspect(client, tokens["coordinator"], code, department="zhifa")["department"] == "zhifa"
    r = client.get("/api/v1/reports/inspections", params={"department": "zhifa", "year": 2026},
                   headers=auth(tokens["business"]))
    assert r.status_code == 403


@pytest.mark.article("122号 Art.25")
def test_the_report_counts_planned_vs_done_by_grade_and_whitelisted_inspections_by_code(client, tokens):
    add_inspectors(client, tokens["admin"])
    a = subjects(client, tokens["admin"], "A", 3)
    d = subjects(client, tokens["admin"], "D", 2)
    whitelist(client, tokens["business"], a[0])
    plan = post_plan(client, tokens["business"], base_ratio="0.1")  # A: ceil(0.03 × 2) = 1; D: 2
    drawn = {x["code"]: x["grade"] for x in plan["draws"]}
    assert sorted(drawn.values()) == ["A", "D", "D"]
    for code in drawn:
        inspect(client, tokens["business"], code, plan_id=plan["id"], result="pass")
    inspect(client, tokens["business"], d[0], plan_id=plan["id"], kind="off_site")  # the same subject again
    inspect(client, tokens["business"], a[0], exception_code="complaint")
    inspect(client, tokens["business"], a[0], exception_code="special_inspection")
    inspect(client, tokens["business"], a[0], exception_code="special_inspection")
    inspect(client, tokens["business"], a[0], kind="off_site")
    r = client.get("/api/v1/reports/inspections", params={"department": "kanchasheji", "year": 2026},
                   headers=auth(tokens["business"]))
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["whitelisted_on_site"] == {"complaint": 1, "case_lead": 0, "special_inspection": 2,
                                             "legal_provision": 0}
    assert report["whitelisted_off_site"] == 1
    rows = {row["grade"]: row for row in report["by_grade"]}
    assert (rows["A"]["planned"], rows["A"]["done"], rows["A"]["unplanned"]) == (1, 1, 4)
    assert (rows["D"]["planned"], rows["D"]["done"], rows["D"]["unplanned"]) == (2, 2, 0)
    assert (rows["B"]["planned"], rows["C"]["planned"]) == (0, 0)
    other_year = client.get("/api/v1/reports/inspections", params={"department": "kanchasheji", "year": 2025},
                            headers=auth(tokens["business"])).json()
    assert all(row["planned"] == row["done"] == row["unplanned"] == 0 for row in other_year["by_grade"])
    assert INDUSTRY == plan["industry"]
