"""Evidence of a case (证明材料, 122号 Art.18, Art.19): the same checks and content-addressed store as record
evidence, archived, readable only by who may read the case."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.cases._case_helpers import file_case, subject_account, subject_with_record
from tests.conftest import auth
from xinyong.core.clock import DayClock, clock_at

PDF = "%PDF-1.4\n% 整改报告\n".encode()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture(autouse=True)
def _store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XINYONG_EVIDENCE_DIR", str(tmp_path / "evidence"))
    with clock_at(DayClock(date(2026, 3, 10))):
        yield


@pytest.mark.article("122号 Art.18", "122号 Art.19")
def test_case_evidence_is_checked_stored_archived_and_read_back_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, record = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    own = subject_account(clean, code)
    case = file_case(client, own, code, kind="repair", record_id=record["id"], statement="已整改")
    url = f"/api/v1/cases/{case['id']}/evidence"
    r = client.post(url, headers=auth(own), files={"file": ("整改报告.pdf", PDF, "application/pdf")})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["name"] == "整改报告.pdf" and body["media_type"] == "application/pdf" and body["size"] == len(PDF)
    again = client.post(url, headers=auth(tokens["hall"]), files={"file": ("copy.pdf", PDF, "application/pdf")})
    assert again.status_code == 200 and again.json()["id"] == body["id"]  # same content, same attachment
    for name, data, declared in [("x.pdf", b"MZ\x90\x00", "application/pdf"), ("x.pdf", PNG, "application/pdf"),
                                 ("x.png", PDF, "application/octet-stream"), ("empty.pdf", b"", "application/pdf")]:
        bad = client.post(url, headers=auth(own), files={"file": (name, data, declared)})
        assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "file", (name, bad.text)
    assert client.post(url, headers=auth(own)).status_code == 422  # no file at all
    shown = client.get(f"/api/v1/cases/{case['id']}", headers=auth(own)).json()
    assert [e["sha256"] for e in shown["evidence"]] == [body["sha256"]]
    got = client.get(f"{url}/{body['sha256']}", headers=auth(own))
    assert got.status_code == 200 and got.content == PDF
    assert client.get(f"{url}/{'0' * 64}", headers=auth(own)).status_code == 404
    other, other_record = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    stranger = subject_account(clean, other)
    assert client.get(f"{url}/{body['sha256']}", headers=auth(stranger)).status_code == 403
    assert client.post(url, headers=auth(stranger), files={"file": ("a.pdf", PDF, "application/pdf")}
                       ).status_code == 403
    assert client.post(url, headers=auth(tokens["business"]), files={"file": ("a.pdf", PDF, "application/pdf")}
                       ).status_code == 403  # cases.file: the subject or the hall hand material in
    entries = client.get(f"/api/v1/subjects/{code}/archive", headers=auth(tokens["admin"])).json()["entries"]
    attached = [e for e in entries if e["kind"] == "case_evidence_attached"]
    assert len(attached) == 1 and attached[0]["payload"]["sha256"] == body["sha256"]
    assert attached[0]["payload"]["case_id"] == case["id"]
