"""Resource limits checked before the work they bound (issue 12 item 7; records/limits.yaml): each refusal names
the field in Chinese and English — 422 over the API, a short message for a file — never a 500, never a huge
message, never a run that starves other writers."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api._api_helpers import make_subject, record_body
from tests.conftest import auth, new_uscc
from xinyong.auth.actors import Actor
from xinyong.bootstrap import unit_of_work
from xinyong.records import bulk, importer
from xinyong.records.importer import FileFormatError, import_records
from xinyong.records.schemas import BulkIn
from xinyong.subjects.schemas import SUBJECT_INDUSTRIES_MAX

ACTOR = Actor(name="cli-import", role="admin", channel="import", origin="cli:test")


def test_the_documented_limits_are_the_enforced_ones() -> None:
    lim = bulk.limits()
    assert BulkIn.model_fields["records"].metadata[0].max_length == lim["bulk_records"] == 10_000
    assert SUBJECT_INDUSTRIES_MAX == lim["subject_industries"]
    raw = bulk.LIMITS_FILE.read_text(encoding="utf-8")
    assert raw.count("reason:") == len(lim)  # every limit says why


def test_a_subject_with_too_many_industries_is_422_naming_industries(client: TestClient,
                                                                    tokens: dict[str, str]) -> None:
    body = {"code": new_uscc(), "name": "单位", "kind": "organization", "national_grade": None,
            "industries": ["survey_design"] * 100_000}  # (an 800,000-entry body is refused whole: 413, tests/security/test_body_limit.py)
    began = time.monotonic()
    r = client.post("/api/v1/subjects", json=body, headers=auth(tokens["admin"]))
    assert r.status_code == 422
    assert time.monotonic() - began < 20  # refused by its length, not after checking 800,000 entries
    problem = r.json()["detail"][0]
    assert problem["field"] == "industries" and problem["reason_zh"] and problem["reason_en"]
    at_limit = dict(body, industries=["survey_design"] * (SUBJECT_INDUSTRIES_MAX + 1))
    assert client.post("/api/v1/subjects", json=at_limit, headers=auth(tokens["admin"])).status_code == 422
    ok = make_subject(client, tokens["admin"], industries=["survey_design"])
    assert ok["industries"] == ["survey_design"]


def test_a_bulk_body_over_the_limit_is_422_naming_records_and_stores_nothing(client: TestClient,
                                                                           tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"])
    one = record_body(subject["code"], "GEN-B01")
    r = client.post("/api/v1/records/bulk", json={"records": [one] * 10_001}, headers=auth(tokens["admin"]))
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"].startswith("records")
    assert client.get(f"/api/v1/subjects/{subject['code']}/records").json() == []


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_a_header_of_a_million_columns_is_refused_with_a_short_message(db: object, tmp_path: Path) -> None:
    path = _csv(tmp_path / "wide.csv", [f"c{i}" for i in range(1_000_000)], [])
    with pytest.raises(FileFormatError) as caught:
        import_records(db, path, ACTOR)  # type: ignore[arg-type]
    message = str(caught.value)
    assert len(message) < 500
    assert "1000000" in message and "64" in message


def test_an_unknown_header_message_stays_short(db: object, tmp_path: Path) -> None:
    path = _csv(tmp_path / "odd.csv", ["subject", "item", "act_date", "department", "source_ref",
                                       *[f"x{'y' * 5000}{i}" for i in range(50)]], [])
    with pytest.raises(FileFormatError) as caught:
        import_records(db, path, ACTOR)  # type: ignore[arg-type]
    assert len(str(caught.value)) < 1000 and "+45" in str(caught.value)


def test_a_cell_longer_than_the_limit_is_refused(db: object, tmp_path: Path) -> None:
    path = _csv(tmp_path / "cell.csv", ["subject", "item", "act_date", "department", "source_ref", "note"],
                [["X", "GEN-B01", "2026-01-05", "kanchasheji", "R1", "备" * 20_000]])
    with pytest.raises(FileFormatError) as caught:
        import_records(db, path, ACTOR)  # type: ignore[arg-type]
    assert "10000" in str(caught.value)


def test_a_file_over_the_row_limit_is_refused_before_any_row_is_taken(engine: object, clean: object, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    lim = dict(bulk.limits(), file_rows=10)
    monkeypatch.setattr(importer, "limits", lambda: lim)
    rows = [[new_uscc(), "GEN-B01", "2026-01-05", "kanchasheji", f"R{i}"] for i in range(11)]
    path = _csv(tmp_path / "long.csv", ["subject", "item", "act_date", "department", "source_ref"], rows)
    with unit_of_work(clean, ACTOR) as uow:  # type: ignore[arg-type]
        with pytest.raises(FileFormatError, match="11"):
            import_records(uow, path, ACTOR)
        path10 = _csv(tmp_path / "ten.csv", ["subject", "item", "act_date", "department", "source_ref"], rows[:10])
        assert import_records(uow, path10, ACTOR).total == 10  # the limit itself is allowed (all unknown subjects)


def _bomb(path: Path, sheet_bytes: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            chunk = b"<row>" + b" " * (1 << 20) + b"</row>"
            for _ in range(sheet_bytes >> 20):
                fh.write(chunk)
    return path


def test_an_xlsx_that_unpacks_far_beyond_its_size_is_refused_before_parsing(db: object, tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.xlsx", 64 << 20)
    assert path.stat().st_size < 1 << 20
    began = time.monotonic()
    with pytest.raises(FileFormatError) as caught:
        import_records(db, path, ACTOR)  # type: ignore[arg-type]
    assert time.monotonic() - began < 5  # the sizes in the zip directory, not the XML, decided
    assert "100" in str(caught.value) and len(str(caught.value)) < 500


def test_an_ordinary_workbook_passes_the_guard(tmp_path: Path) -> None:
    from openpyxl import Workbook  # noqa: I001  # local: only this test writes a workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["subject", "item", "act_date", "department", "source_ref"])
    for i in range(2000):
        ws.append([new_uscc(), "GEN-B01", "2026-01-05", "kanchasheji", f"R{i}"])
    path = tmp_path / "ok.xlsx"
    wb.save(path)
    table = importer.open_table(path)
    assert table.count == 2000 and table.header[:2] == ["subject", "item"]
    assert sum(1 for _ in table.rows()) == 2000


def test_the_error_report_is_capped_with_the_count_of_all(engine: object, clean: object, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    lim = dict(bulk.limits(), error_rows=5)
    monkeypatch.setattr(importer, "limits", lambda: lim)
    rows = [[new_uscc(), "NO-SUCH", "2026-01-05", "kanchasheji", f"R{i}"] for i in range(30)]
    path = _csv(tmp_path / "bad.csv", ["subject", "item", "act_date", "department", "source_ref"], rows)
    with unit_of_work(clean, ACTOR) as uow:  # type: ignore[arg-type]
        report = import_records(uow, path, ACTOR)
    assert (report.total, report.rejected, report.error_count, len(report.errors)) == (30, 30, 60, 5)
    out = tmp_path / "errors.csv"
    report.write_errors(out)
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(lines) == 1 + 5 + 1
    assert "55" in lines[-1][2] and "60" in lines[-1][3]
