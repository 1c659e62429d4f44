"""The case queue and the commitments as Excel 台账 (122号 Art.18, spec G1-07; 122号 Art.8): the same filters, role
scoping and masking as GET /cases and GET /commitments, due dates as date cells, the overdue flag on the day after
the deadline (across National Day), not on the deadline itself."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from tests.api._api_helpers import make_subject, post_record
from tests.cases._case_helpers import act, business_token, file_case, subject_with_record
from tests.conftest import auth
from xinyong.auth.models import AuditEvent
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import DayClock, clock_at
from xinyong.rules.identifiers import mask_resident_id

FILED = date(2026, 9, 29)  # Tue; routing due 2 working days later across National Day: 2026-10-08


def sheet(r: Any) -> tuple[Any, list[dict[str, Any]]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith("attachment")
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    return ws, [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.article("122号 Art.18")
def test_queue_workbook_due_dates_as_dates_and_overdue_from_the_day_after_across_a_holiday_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(FILED)):
        code, record = subject_with_record(client, tokens, act_date=date(2026, 9, 28))
        case = file_case(client, tokens["hall"], code, record_id=record["id"])
        other_code, other_record = subject_with_record(client, tokens, act_date=date(2026, 9, 28))
        other = file_case(client, tokens["hall"], other_code, record_id=other_record["id"])
    with clock_at(DayClock(date(2026, 10, 8))):  # the due day itself: in time
        ws, rows = sheet(client.get("/api/v1/cases.xlsx", headers=auth(tokens["hall"])))
        assert ws.freeze_panes == "A2" and ws.title == "异议与修复案件"
        assert [c.value for c in ws[1]][:10] == ["案件编号", "类型", "对象代码", "对象名称", "状态", "承办部门",
                                                 "受理日期", "当前环节期限", "期限为预估", "已逾期"]
        mine = next(r for r in rows if r["案件编号"] == case["id"])
        assert (mine["类型"], mine["对象代码"], mine["状态"], mine["已逾期"]) == ("异议", code, case["state_zh"], "否")
        assert mine["当前环节期限"] == datetime(2026, 10, 8) and mine["受理日期"] == datetime(2026, 9, 29)
        assert ws.cell(row=2, column=8).is_date and ws.cell(row=2, column=8).number_format == "yyyy-mm-dd"
        assert mine["渠道"] == "市规划自然资源委" and mine["申请事项及理由"] == "该记录与事实不符"
    with clock_at(DayClock(date(2026, 10, 9))):  # the day after: overdue, and `overdue=true` filters as the JSON does
        _ws, rows = sheet(client.get("/api/v1/cases.xlsx", params={"overdue": "true"}, headers=auth(tokens["hall"])))
        assert {r["案件编号"] for r in rows} == {case["id"], other["id"]}
        assert {r["已逾期"] for r in rows} == {"是"}
        json_ids = [c["id"] for c in client.get("/api/v1/cases", params={"overdue": "true"},
                                                headers=auth(tokens["hall"])).json()]
        assert [r["案件编号"] for r in rows] == json_ids  # the queue's order: by due date
        routed = act(client, tokens["hall"], case["id"], "route", department="kanchasheji")
        # a business department sees only the cases routed to it (its queue); another department none
        _ws, rows = sheet(client.get("/api/v1/cases.xlsx", headers=auth(tokens["business"])))
        assert [(r["案件编号"], r["承办部门"], r["已逾期"]) for r in rows] == [(case["id"], "kanchasheji", "否")]
        assert rows[0]["当前环节期限"].date() == date.fromisoformat(routed["due_on"]) > date(2026, 10, 9)
        _ws, rows = sheet(client.get("/api/v1/cases.xlsx", headers=auth(business_token(clean, "guotucehui"))))
        assert rows == []
        _ws, rows = sheet(client.get("/api/v1/cases.xlsx", params={"state": "received"},
                                     headers=auth(tokens["hall"])))
        assert [r["案件编号"] for r in rows] == [other["id"]]
    # the same role as GET /cases
    assert client.get("/api/v1/cases.xlsx").status_code == 401
    assert client.get("/api/v1/cases.xlsx", headers=auth(tokens["viewer"])).status_code == \
        client.get("/api/v1/cases", headers=auth(tokens["viewer"])).status_code
    assert client.get("/api/v1/cases.xlsx", params={"limit": 0}, headers=auth(tokens["hall"])).status_code == 422


@pytest.mark.article("122号 Art.18")
def test_an_individuals_case_is_masked_where_the_json_masks_it_and_audited_where_it_is_shown_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(FILED)):
        person = make_subject(client, tokens["admin"], kind="individual", grade="B")["code"]
        record = post_record(client, tokens["business"], person, "GEN-D01", act_date=date(2026, 9, 28))
        case = file_case(client, tokens["hall"], person, record_id=record["id"])
        with unit_of_work(clean) as s:
            before = s.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0
        _ws, rows = sheet(client.get("/api/v1/cases.xlsx", headers=auth(tokens["hall"])))
        assert rows[0]["对象代码"] == person  # the hall needs it, as in the JSON …
        with unit_of_work(clean) as s:
            reads = [(e.action, e.target) for e in s.session.scalars(
                select(AuditEvent).where(AuditEvent.seq > before).order_by(AuditEvent.seq))]
        assert ("personal_data.read", person) in reads  # … and the read is audited
        # the leader reads the queue without personal-data need (spec G1-17): masked in both
        shown = client.get("/api/v1/cases", headers=auth(tokens["leader"])).json()
        _ws, rows = sheet(client.get("/api/v1/cases.xlsx", headers=auth(tokens["leader"])))
        assert rows[0]["对象代码"] == shown[0]["subject"] == mask_resident_id(person) != person
        assert rows[0]["案件编号"] == case["id"]


@pytest.mark.article("122号 Art.8")
def test_commitments_workbook_same_filters_and_masking_as_the_json_122_art8(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(date(2026, 3, 10))):
        person = make_subject(client, tokens["admin"], kind="individual", grade="B")["code"]
        org = make_subject(client, tokens["admin"], grade="B")["code"]
        for code, ref in ((person, "许可-1"), (org, "许可-2")):
            r = client.post("/api/v1/commitments", headers=auth(tokens["business"]), json={
                "subject": code, "content": "按期补交材料", "due_on": "2026-04-10", "licence_ref": ref,
                "department": "kanchasheji"})
            assert r.status_code == 201, r.text
        ws, rows = sheet(client.get("/api/v1/commitments.xlsx"))  # as public as its JSON twin
        assert ws.title == "信用承诺" and ws.freeze_panes == "A2"
        public = client.get("/api/v1/commitments").json()
        assert [r["编号"] for r in rows] == [c["id"] for c in public]
        assert [r["对象代码"] for r in rows] == [c["subject"] for c in public]
        assert mask_resident_id(person) in [r["对象代码"] for r in rows] and person not in [r["对象代码"] for r in rows]
        first = rows[0]
        assert first["承诺期限"] == datetime(2026, 4, 10) and first["状态"] == "履行中" and first["自动认定"] == "否"
        assert ws.cell(row=2, column=6).is_date
        _ws, rows = sheet(client.get("/api/v1/commitments.xlsx", params={"subject": org}))
        assert [r["许可文号"] for r in rows] == ["许可-2"]
        assert client.get("/api/v1/commitments.xlsx", params={"state": "breached"}).status_code == 200
        assert client.get("/api/v1/commitments.xlsx", params={"subject": "NOPE"}).status_code == \
            client.get("/api/v1/commitments", params={"subject": "NOPE"}).status_code
