"""End to end with `xinyong archive verify` (122号 第十九条 全流程可追溯): after a correction (第十条), an
objection withdrawal (第十八条, hidden from public views) and an evidence upload, the archive still verifies; a file
swapped on disk is then named."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import auth, new_uscc
from xinyong.archive.verify import verify_archive
from xinyong.core.clock import beijing_today
from xinyong.core.uow import UnitOfWork

PDF = b"%PDF-1.7\n% evidence for the archive verify test\n%%EOF\n"


@pytest.mark.article("122号 Art.19")
def test_corrected_redacted_and_documented_records_still_verify_then_a_swap_is_named_122_art19(
        client: TestClient, tokens: dict[str, str], db: UnitOfWork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XINYONG_EVIDENCE_DIR", str(tmp_path))
    code = new_uscc()
    assert client.post("/api/v1/subjects", json={"code": code, "name": "档案校验单位", "kind": "organization",
                                                 "national_grade": "B", "industries": ["survey_design"]},
                       headers=auth(tokens["admin"])).status_code == 201
    ids = []
    for n, item in enumerate(("SD-D01", "SD-D02")):
        r = client.post("/api/v1/records", json={"subject": code, "item": item, "department": "kanchasheji",
                                                 "act_date": beijing_today().isoformat(), "source_ref": f"AV-{n}"},
                        headers=auth(tokens["business"]))
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    v2 = client.post(f"/api/v1/records/{ids[0]}/correct", json={"reason": "更正", "item": "SD-D02"},
                     headers=auth(tokens["business"]))
    assert v2.status_code == 201, v2.text
    assert client.post(f"/api/v1/records/{ids[1]}/withdraw", json={"reason": "异议成立", "kind": "objection"},
                       headers=auth(tokens["business"])).status_code == 200
    up = client.post(f"/api/v1/records/{v2.json()['id']}/evidence", files={"file": ("核查意见.pdf", PDF, "application/pdf")},
                     headers=auth(tokens["business"]))
    assert up.status_code == 201, up.text

    report = verify_archive(db.session)
    assert report.ok, report.problems

    sha = hashlib.sha256(PDF).hexdigest()
    (tmp_path / sha[:2] / sha).write_bytes(PDF.replace(b"evidence", b"EVIDENCE"))
    db.session.rollback()
    report = verify_archive(db.session)
    assert not report.ok
    assert any(sha in p and "swapped" in p for p in report.problems), report.problems
