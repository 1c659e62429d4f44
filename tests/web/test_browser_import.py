"""Real browser (Debian chromium, Playwright): import a file with one bad row, see the counts and the rejected row,
download its error report (issue 11 items 2 and 5; 122号 Art.8), and export the subject list to Excel (台账)."""
# ruff: noqa: F811  (the fixtures `page`, `server` are imported from the module that defines them)

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.web import _signin
from tests.web.test_browser import CHROMIUM, page, server  # noqa: F401  (fixtures)
from tests.web.test_staff_browser import serious_violations
from xinyong.core.clock import beijing_today

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (make system-deps)"),
]


@pytest.mark.article("122号 Art.8")
def test_import_a_file_with_one_bad_row_and_download_its_report(
        page, server: str, client: TestClient, tokens: dict[str, str], tmp_path: Path, artifacts: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_EVIDENCE_DIR", str(tmp_path / "evidence"))
    code = client.get("/api/v1/subjects", params={"q": "规划核验"}).json()["items"][0]["code"]
    before = len(client.get(f"/api/v1/subjects/{code}/records").json())
    d = beijing_today().isoformat()
    csv_file = tmp_path / "records.csv"
    csv_file.write_text("subject,item,act_date,department,source_ref\n"
                        f"{code},GEN-B01,{d},kanchasheji,UI-IMP-1\n"
                        f"{code},NO-SUCH-ITEM,{d},kanchasheji,UI-IMP-2\n"
                        f"{code},GEN-B01,{d},kanchasheji,UI-IMP-3\n", encoding="utf-8")

    _signin.sign_in(page, tokens["business"], server)
    page.get_by_test_id("nav-import").click()
    page.locator("[data-testid=view-import][data-state=ready]").wait_for()
    page.get_by_test_id("import-file").set_input_files(str(csv_file))
    page.get_by_test_id("import-submit").click()
    page.get_by_test_id("import-result").wait_for()

    assert page.get_by_test_id("import-total").inner_text() == "3"
    assert page.get_by_test_id("import-accepted").inner_text() == "2"
    assert page.get_by_test_id("import-same").inner_text() == "0"
    assert page.get_by_test_id("import-refused").inner_text() == "1"
    rows = page.get_by_test_id("import-error-row")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[0] == "3" and cells[1] == "item"  # the header is row 1: the bad row is row 3 of the sheet
    assert len(client.get(f"/api/v1/subjects/{code}/records").json()) == before + 2
    assert serious_violations(page) == []
    page.screenshot(path=str(artifacts / "import.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_test_id("import-report-csv").click()
    report = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    lines = report.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("3,item,") and "NO-SUCH-ITEM" in lines[1]

    with page.expect_download() as info:
        page.get_by_test_id("import-report-xlsx").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert [c.value for c in sheet[2]][:2] == [3, "item"]


def test_the_subject_list_downloads_as_excel_with_its_filter(page, server: str, client: TestClient,
                                                             tokens: dict[str, str]) -> None:
    _signin.sign_in(page, tokens["admin"], server)
    page.goto(f"{server}/#/subjects?q=规划核验")
    page.locator("[data-testid=view-subjects][data-state=ready]").wait_for()
    with page.expect_download() as info:
        page.get_by_test_id("subject-export").click()
    rows = list(load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active.iter_rows(values_only=True))
    expected = client.get("/api/v1/subjects", params={"q": "规划核验"}).json()
    assert rows[0][0] == "对象代码" and len(rows) - 1 == expected["total"] >= 1
    assert all("规划核验" in r[1] for r in rows[1:])
