"""Excel twins of the ranking, decision-log and inspection-plan JSON (122号 Art.17, 22, 25; spec G1-09, G1-11,
G1-17): same roles, same masking, same audit; the plan's sheets hold everything a re-computation needs."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from tests.api._api_helpers import make_subject
from tests.conftest import auth
from tests.inspections._helpers import SEED, add_inspectors, post_plan, subjects, whitelist
from tests.supervision._helpers import leader_session
from xinyong.auth.models import AuditEvent
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import DayClock, clock_at
from xinyong.rules.identifiers import mask_resident_id

DAY = date(2026, 6, 15)
SD = "survey_design"


def book(r: Any) -> Any:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return load_workbook(io.BytesIO(r.content))


def values(ws: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def personal_reads(engine: Engine) -> list[str]:
    with unit_of_work(engine) as s:
        return [e.target for e in s.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "personal_data.read").order_by(AuditEvent.seq))]


@pytest.mark.article("122号 Art.17")
def test_ranking_workbook_published_without_login_masked_drafts_for_staff_only_122_art17(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        person = make_subject(client, tokens["admin"], kind="individual", grade="A", industries=[SD], name="张三")
        make_subject(client, tokens["admin"], grade="B", industries=[SD], name="乙公司")
        rid = client.post("/api/v1/rankings", json={"industry": SD, "as_of": DAY.isoformat()},
                          headers=auth(tokens["business"])).json()["id"]
        url = f"/api/v1/rankings/{rid}.xlsx"
        # a draft: not for the public (as if absent), not for a non-staff token; staff see it whole
        assert client.get(url).status_code == 404
        assert client.get(url, headers=auth(tokens["viewer"])).status_code == 404
        before = len(personal_reads(clean))
        wb = book(client.get(url, headers=auth(tokens["business"])))
        rows = values(wb["排行榜"])
        assert rows[0] == ["名次", "统一社会信用代码/身份证号", "名称", "得分", "信用等级", "信用级别", "熔断",
                           "期间不良记录数", "最近不良记录日期"]
        assert rows[1][:7] == [1, person["code"], "张三", 800, "A", "A-", "否"]  # business may see it: audited
        assert personal_reads(clean)[before:] == [f"ranking:{rid}"]
        assert wb["排行榜"].freeze_panes == "A2"
        facts = {r[0]: r[1] for r in values(wb["说明"])[1:]}
        assert facts["状态"] == "草案" and facts["排名日期"] == datetime(2026, 6, 15)
        assert client.get("/api/v1/rankings/999999.xlsx", headers=auth(tokens["business"])).status_code == 404

        assert client.post(f"/api/v1/rankings/{rid}/approve",
                           headers=auth(leader_session(clean, [SD]))).status_code == 200
        # published: no login needed, resident ID masked as in GET /public/rankings, no staff columns
        public = client.get("/api/v1/public/rankings", params={"industry": SD}).json()[0]
        rows = values(book(client.get(url))["排行榜"])
        assert len(rows[0]) == 7
        assert rows[1][1] == public["entries"][0]["subject"] == mask_resident_id(person["code"]) != person["code"]
        assert [r[1] for r in rows[1:]] == [e["subject"] for e in public["entries"]]
        assert client.get(f"/api/v1/rankings/{rid}", headers=auth(tokens["business"])).status_code == 200


@pytest.mark.article("122号 Art.22", "122号 Art.25")
def test_decision_log_workbook_for_its_readers_only_with_what_was_answered_122_art25(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        code = make_subject(client, tokens["admin"], grade="A", industries=[SD])["code"]
        r = client.get("/api/v1/decisions", params={"subject": code, "process": "award", "industry": SD},
                       headers=auth(tokens["business"]))
        assert r.status_code == 200, r.text
        log_id = r.json()["log_id"]
        assert client.get("/api/v1/decisions/log.xlsx", headers=auth(tokens["business"])).status_code == 403
        assert client.get("/api/v1/decisions/log.xlsx").status_code == 401
        wb = book(client.get("/api/v1/decisions/log.xlsx", params={"subject": code},
                             headers=auth(tokens["coordinator"])))
        ws = wb["决策查询日志"]
        rows = values(ws)
        assert rows[0][:3] == ["编号", "查询时间", "查询人"] and len(rows) == 2
        row = dict(zip(rows[0], rows[1], strict=True))
        assert (row["编号"], row["查询人"], row["对象代码"], row["流程"], row["行业"], row["信用等级"]) == (
            log_id, "test-business", code, "评优评先", SD, "A")
        assert isinstance(row["查询时间"], datetime) and ws["B2"].is_date
        assert "尚无施行中的措施清单" in row["提示"]  # the warning the official saw
        r = client.get("/api/v1/decisions/log.xlsx", params={"process": "nothing"}, headers=auth(tokens["admin"]))
        assert r.status_code == 422


@pytest.mark.article("122号 Art.25")
def test_plan_workbook_holds_draws_with_inspectors_population_whitelisted_seed_and_recipe_122_art25(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(date(2026, 3, 10))):
        team = add_inspectors(client, tokens["business"])
        subjects(client, tokens["admin"], "B", 4)
        subjects(client, tokens["admin"], "D", 2)
        [white] = subjects(client, tokens["admin"], "A", 1)
        whitelist(client, tokens["business"], white)
        plan = post_plan(client, tokens["business"], base_ratio="0.5")
        wb = book(client.get(f"/api/v1/inspection-plans/{plan['id']}.xlsx"))  # public, like its JSON twin
        assert wb.sheetnames == ["抽取结果", "对象名单", "白名单", "抽取比例", "随机种子与复算方法"]
        draws = values(wb["抽取结果"])
        assert draws[0] == ["序号", "对象代码", "信用等级", "检查人员1", "检查人员2", "抽取理由"]
        assert [(r[1], r[2], [r[3], r[4]], r[5]) for r in draws[1:]] == [
            (d["code"], d["grade"], d["inspectors"], d["reason"]) for d in plan["draws"]]
        assert {r[3] for r in draws[1:]} <= set(team)
        population = values(wb["对象名单"])[1:]
        assert [(r[0], r[1]) for r in population] == [(p["code"], p["grade"]) for p in plan["population"]]
        assert all(r[2] == hashlib.sha256(f"{SEED}:{r[0]}".encode()).hexdigest() for r in population)
        assert values(wb["白名单"])[1:] == [[white, "A"]]
        quotas = values(wb["抽取比例"])[1:]
        assert [r[0] for r in quotas] == ["A", "B", "C", "D"]
        d_row = quotas[3]
        assert (d_row[3], d_row[4], d_row[5]) == (2, 2, "是")  # every D drawn
        facts = {r[0]: r[1] for r in values(wb["随机种子与复算方法"])[1:]}
        assert facts["随机种子 seed"] == SEED and facts["摘要 digest (SHA-256)"] == plan["digest"]
        assert facts["计划期初"] == datetime(2026, 1, 1) and wb["随机种子与复算方法"]["B5"].is_date
        rows = values(wb["随机种子与复算方法"])
        start = next(n for n, r in enumerate(rows) if r[0] == "复算方法 recipe")
        assert "\n".join(r[1] or "" for r in rows[start:]) == plan["recipe"]  # the recipe, line by line
        assert client.get("/api/v1/inspection-plans/999999.xlsx").status_code == 404
        assert client.get(f"/api/v1/inspection-plans/{plan['id']}").status_code == 200
