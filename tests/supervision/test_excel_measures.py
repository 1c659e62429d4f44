"""Measures lists in and out of Excel (122号 Art.24, template Annex 5; spec D1-41): the export in the template's
column order with a frozen header and real dates, the import of a draft exactly as POST /measures makes one, each
problem naming its row and column, nothing written on any error."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine

from tests.auth.test_authorization_matrix import _routes
from tests.conftest import auth
from tests.supervision._helpers import business_token, draft, in_force, leader_session, line
from tests.web.test_openapi_contract import declaration_problems
from xinyong.core.clock import DayClock, clock_at
from xinyong.core.xlsx import MEDIA_TYPE
from xinyong.supervision.excel import MEASURES_COLUMNS

DAY = date(2026, 3, 10)
ANNEX5 = ["信用等级", "监管应用事项", "措施依据", "实施类别", "实施部门", "流程", "检查系数", "信用级别"]


def sheet(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header if header is not None else ANNEX5[:7])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client: TestClient, token: str, data: bytes, kind: str = "punishment", industry: str = "survey_design"
           ) -> Any:
    return client.post("/api/v1/measures/import", headers=auth(token), data={"industry": industry, "kind": kind},
                       files={"file": ("清单.xlsx", data, MEDIA_TYPE)})


def lists(client: TestClient, token: str) -> list[dict[str, Any]]:
    r = client.get("/api/v1/measures", headers=auth(token))
    assert r.status_code == 200, r.text
    return list(r.json())


@pytest.mark.article("122号 Art.24")
def test_export_has_the_template_columns_frozen_header_dates_as_dates_and_inert_text_122_art24(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        leader = leader_session(clean, ["survey_design"])
        filed = in_force(client, tokens["business"], leader, tokens["coordinator"], "punishment",
                         [line("D", item="=HYPERLINK(\"http://x\",\"点我\")"),
                          line("D", process="inspection", factor=2.5, item="增加检查频次"),
                          line("C", level="C-", item="C- 级措施")], effective=date(2026, 3, 12))
        r = client.get(f"/api/v1/measures/{filed['id']}.xlsx", headers=auth(tokens["leader"]))
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == MEDIA_TYPE
        assert "attachment" in r.headers["content-disposition"] and r.headers["cache-control"] == "private, no-store"
        wb = load_workbook(io.BytesIO(r.content))
        ws = wb["措施清单"]
        assert [c.value for c in ws[1]] == ANNEX5 == [c.title for c in MEASURES_COLUMNS]
        assert ws.freeze_panes == "A2"
        assert ws.column_dimensions["B"].width == 40
        rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
        assert rows[0][:6] == ["D", "=HYPERLINK(\"http://x\",\"点我\")", "122号 第二十三条", "行政审批", "kanchasheji",
                               "行政审批"]
        assert ws["B2"].data_type == "s"  # text, never a formula (formula injection)
        assert rows[1][5:7] == ["监督检查", 2.5]
        assert rows[2][0] == "C" and rows[2][7] == "C-"
        facts = {row[0].value: row[1] for row in wb["清单信息"].iter_rows(min_row=2)}
        assert facts["施行日期"].value.date() == date(2026, 3, 12) and facts["施行日期"].is_date
        assert facts["应更新日期"].value.date() == date(2027, 3, 12)
        assert facts["状态"].value == "已备案（未施行）"  # filed, in force from the 12th
        # the same role as its JSON twin (staff); the route is not taken for GET /measures/{list_id}
        assert client.get(f"/api/v1/measures/{filed['id']}.xlsx").status_code == 401
        assert client.get(f"/api/v1/measures/{filed['id']}.xlsx", headers=auth(tokens["viewer"])).status_code == 403
        r = client.get("/api/v1/measures/999999.xlsx", headers=auth(tokens["leader"]))
        assert r.status_code == 404 and r.json()["detail"][0]["field"] == "list_id"
        assert client.get(f"/api/v1/measures/{filed['id']}", headers=auth(tokens["leader"])).status_code == 200


@pytest.mark.article("122号 Art.24")
def test_an_exported_list_imports_back_as_an_identical_draft_of_the_next_version_122_art24(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        entries = [line("A", item="容缺受理"), line("B", level="B+", item="B+ 绿色通道"),
                   line("A", process="inspection", factor=0.2, item="减少检查")]
        first = draft(client, tokens["business"], "incentive", entries)
        data = client.get(f"/api/v1/measures/{first['id']}.xlsx", headers=auth(tokens["business"])).content
        r = upload(client, tokens["business"], data, kind="incentive")
        assert r.status_code == 201, r.text
        body = r.json()
        assert (body["status"], body["version"], body["kind"], body["drafted_by"]) == (
            "draft", 2, "incentive", "test-business")
        assert body["entries"] == first["entries"]
        # then the usual lifecycle: approve, file
        r = client.post(f"/api/v1/measures/{body['id']}/approve", headers=auth(leader_session(clean, None)))
        assert r.status_code == 200 and r.json()["status"] == "approved"


def test_the_grade_column_takes_a_level_and_the_process_by_code_or_name(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        data = sheet([["B+级", "优先办理", "第二十三条", "行政审批", "kanchasheji", "administrative_approval"],
                      [None, None, None, None, None, None],  # a blank line between blocks is skipped
                      ["a", "减少检查", "第二十二条", "监督检查", "kanchasheji", "inspection", 0.3]])
        r = upload(client, tokens["business"], data, kind="incentive")
        assert r.status_code == 201, r.text
        got = [(e["grade"], e["level"], e["process"], e["inspection_factor"]) for e in r.json()["entries"]]
        assert got == [("B", "B+", "administrative_approval", None), ("A", None, "inspection", 0.3)]


@pytest.mark.article("122号 Art.24")
def test_every_bad_row_is_named_by_row_and_column_and_nothing_is_written_122_art24(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        before = len(lists(client, tokens["admin"]))
        data = sheet([["D", "限制", "依据", "行政审批", "kanchasheji", "行政审批"],  # row 2 fine
                      ["A", "奖励", "依据", "行政审批", "kanchasheji", "行政审批"],  # row 3: A in a punishment list
                      ["D", "限制", "依据", "行政审批", "kanchasheji", "盖章"],  # row 4: unknown process
                      ["D", "检查", "依据", "监督检查", "kanchasheji", "监督检查", "很多"],  # row 5: not a number
                      ["D", "", "依据", "行政审批", "kanchasheji", "行政审批"],  # row 6: empty item
                      ["C", "检查", "依据", "监督检查", "kanchasheji", "监督检查", 0.5]])  # row 7: C factor must be 1
        r = upload(client, tokens["business"], data)
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        fields = [p["field"] for p in detail]
        assert fields == ["rows[4].process", "rows[5].inspection_factor", "rows[6].item", "rows[3].grade",
                          "rows[7].inspection_factor"], detail
        assert detail[0]["reason_zh"].startswith("第 4 行「流程」列") and "盖章" in detail[0]["reason_zh"]
        assert detail[0]["reason_en"].startswith("row 4, column 流程 (process)")
        assert "第 3 行「信用等级」列" in detail[3]["reason_zh"] and "row 3, column 信用等级" in detail[3]["reason_en"]
        assert len(lists(client, tokens["admin"])) == before  # nothing written

        # the header: a missing template column, an unknown one
        r = upload(client, tokens["business"], sheet([["D", "限制", "行政审批", "kanchasheji", "行政审批"]],
                                                      header=["信用等级", "监管应用事项", "实施类别", "实施部门", "流程"]))
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "rows[1].basis"
        assert "措施依据" in r.json()["detail"][0]["reason_zh"]
        r = upload(client, tokens["business"], sheet([], header=[*ANNEX5[:6], "备注"]))
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "rows[1].column7"
        # only a header: no lines; not a workbook at all; no file
        r = upload(client, tokens["business"], sheet([]))
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "file"
        r = upload(client, tokens["business"], b"PK\x03\x04 not really a workbook")
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "file"
        r = client.post("/api/v1/measures/import", headers=auth(tokens["business"]),
                        data={"industry": "survey_design", "kind": "punishment"})
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "file"
        assert len(lists(client, tokens["admin"])) == before


@pytest.mark.article("122号 Art.24")
def test_who_may_import_is_who_may_draft_refused_before_the_file_is_read_122_art24(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        data = sheet([["D", "限制", "依据", "行政审批", "kanchasheji", "行政审批"]])
        assert upload(client, tokens["leader"], data).status_code == 403  # roles table: leaders approve, not draft
        r = upload(client, business_token(clean, "guotucehui"), data)  # not the industry's regulator
        assert r.status_code == 403 and r.json()["detail"][0]["field"] == "industry"
        r = upload(client, business_token(clean, "guotucehui"), b"junk")  # 403 before the file's 422
        assert r.status_code == 403
        assert client.post("/api/v1/measures/import", data={"industry": "survey_design", "kind": "punishment"},
                           files={"file": ("x.xlsx", data, MEDIA_TYPE)}).status_code == 401
        r = upload(client, tokens["coordinator"], data, industry="no_such")
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "industry"
        assert upload(client, tokens["coordinator"], data).status_code == 201


def test_the_workbook_routes_declare_their_bodies_and_refusals(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    routes = [r for r in _routes(client.app.routes) if r.path.endswith((".xlsx", "/measures/import"))]
    assert {r.path for r in routes} >= {
        "/api/v1/measures/{list_id}.xlsx", "/api/v1/measures/import", "/api/v1/rankings/{ranking_id}.xlsx",
        "/api/v1/decisions/log.xlsx", "/api/v1/inspection-plans/{plan_id}.xlsx", "/api/v1/cases.xlsx",
        "/api/v1/commitments.xlsx"}
    assert declaration_problems(spec, routes) == []
    for r in routes:
        if r.path.endswith(".xlsx"):
            content = spec["paths"][r.path]["get"]["responses"]["200"]["content"]
            assert list(content) == [MEDIA_TYPE], r.path
