"""POST /api/v1/records/import and its error report (issue 11 item 2: bulk import page with a downloadable per-row
error report; 122号 Art.8), and GET /api/v1/subjects.xlsx (Excel export of the filtered list, 台账)."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from tests.api._api_helpers import make_subject, new_ref, today
from tests.conftest import auth

HEADER = "subject,item,act_date,department,source_ref\n"


@pytest.fixture(autouse=True)
def _reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XINYONG_EVIDENCE_DIR", str(tmp_path / "evidence"))
    return tmp_path / "evidence" / "import_reports"


def _csv(code: str, bad_item: str = "NO-SUCH-ITEM") -> tuple[str, list[str]]:
    refs = [new_ref("IMP") for _ in range(3)]
    d = today().isoformat()
    body = (HEADER + f"{code},GEN-B01,{d},kanchasheji,{refs[0]}\n"
            f"{code},{bad_item},{d},kanchasheji,{refs[1]}\n"
            f"{code},GEN-B01,{d},kanchasheji,{refs[2]}\n")
    return body, refs


def _upload(client: TestClient, token: str, text: str, name: str = "records.csv") -> dict:
    r = client.post("/api/v1/records/import", files={"file": (name, text.encode("utf-8"), "text/csv")},
                    headers=auth(token))
    assert r.status_code == 200, r.text
    return r.json()


def test_one_bad_row_is_refused_with_its_row_number_and_the_report_downloads(
        client: TestClient, tokens: dict[str, str], _reports: Path) -> None:
    code = make_subject(client, tokens["admin"])["code"]
    text, _refs = _csv(code)
    out = _upload(client, tokens["business"], text)
    assert (out["total"], out["accepted"], out["same"], out["refused"]) == (3, 2, 0, 1)
    assert [(e["row"], e["field"]) for e in out["errors"]] == [(3, "item")]  # header = row 1
    assert out["errors"][0]["reason_zh"] and out["errors"][0]["reason_en"]
    assert len(client.get(f"/api/v1/subjects/{code}/records").json()) == 2

    r = client.get(f"/api/v1/records/import/{out['report_id']}/errors.csv", headers=auth(tokens["business"]))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("3,item,")

    x = client.get(f"/api/v1/records/import/{out['report_id']}/errors.xlsx", headers=auth(tokens["admin"]))
    assert x.status_code == 200
    rows = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    assert rows[1][:2] == (3, "item")

    # the same file again: nothing twice (subject + source_ref), the bad row still refused
    again = _upload(client, tokens["business"], text)
    assert (again["accepted"], again["same"], again["refused"]) == (0, 2, 1)

    # a report is read by its department (or a non-business role) and kept REPORT_TTL, not longer
    report = _reports / f"{out['report_id']}.json"
    week = 7 * 24 * 3600
    os.utime(report, (time.time() - week + 60,) * 2)  # a minute before it expires: still there
    assert client.get(f"/api/v1/records/import/{out['report_id']}/errors.csv",
                      headers=auth(tokens["business"])).status_code == 200
    os.utime(report, (time.time() - week - 60,) * 2)
    assert client.get(f"/api/v1/records/import/{out['report_id']}/errors.csv",
                      headers=auth(tokens["business"])).status_code == 404
    assert client.get("/api/v1/records/import/../errors.csv", headers=auth(tokens["admin"])).status_code == 404
    assert client.get(f"/api/v1/records/import/{'0' * 32}/errors.csv",
                      headers=auth(tokens["admin"])).status_code == 404


def test_an_xlsx_upload_works_and_refusals_name_the_file(client: TestClient, tokens: dict[str, str]) -> None:
    code = make_subject(client, tokens["admin"])["code"]
    wb = Workbook()
    ws = wb.active
    ws.append(["subject", "item", "act_date", "department", "source_ref"])
    ws.append([code, "GEN-B01", today().isoformat(), "kanchasheji", new_ref("X")])
    ws.append([code, "GEN-B01", "not-a-date", "kanchasheji", new_ref("X")])
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post("/api/v1/records/import", headers=auth(tokens["admin"]),
                    files={"file": ("r.xlsx", buf.getvalue(), "application/octet-stream")})
    assert r.status_code == 200, r.text
    assert (r.json()["accepted"], r.json()["refused"]) == (1, 1)
    assert r.json()["errors"][0]["row"] == 3 and r.json()["errors"][0]["field"] == "act_date"

    for files, field in (({"file": ("a.txt", b"x", "text/plain")}, "file"),
                         ({"file": ("a.csv", b"wrong,header\n1,2\n", "text/csv")}, "file")):
        bad = client.post("/api/v1/records/import", files=files, headers=auth(tokens["admin"]))
        assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == field
    assert client.post("/api/v1/records/import", headers=auth(tokens["admin"])).status_code == 422
    assert client.post("/api/v1/records/import", files={"file": ("a.csv", HEADER.encode(), "text/csv")}
                       ).status_code == 401
    assert client.post("/api/v1/records/import", files={"file": ("a.csv", HEADER.encode(), "text/csv")},
                       headers=auth(tokens["viewer"])).status_code == 403


def test_a_business_department_imports_only_its_own_and_reads_only_its_reports(
        client: TestClient, tokens: dict[str, str]) -> None:
    code = make_subject(client, tokens["admin"])["code"]
    text = HEADER + f"{code},GEN-B01,{today().isoformat()},guihua,{new_ref('O')}\n"
    admin_report = _upload(client, tokens["admin"], text.replace("GEN-B01", "NOPE"))
    out = _upload(client, tokens["business"], text)
    assert (out["accepted"], out["refused"]) == (0, 1)  # another department's record: refused row by row
    assert client.get(f"/api/v1/records/import/{admin_report['report_id']}/errors.csv",
                      headers=auth(tokens["business"])).status_code == 403


def test_the_subject_list_exports_to_excel_with_the_same_filters(client: TestClient, tokens: dict[str, str]) -> None:
    make_subject(client, tokens["admin"], name="甲导出单位")
    make_subject(client, tokens["admin"], name="乙其他单位")
    r = client.get("/api/v1/subjects.xlsx", params={"q": "导出"})
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("对象代码", "名称")
    assert [row[1] for row in rows[1:]] == ["甲导出单位"]
    everyone = list(load_workbook(io.BytesIO(client.get("/api/v1/subjects.xlsx").content)).active.iter_rows())
    assert len(everyone) - 1 == client.get("/api/v1/subjects").json()["total"] == 2
    assert client.get("/api/v1/subjects.xlsx", params={"industry": "nope"}).status_code == 422
