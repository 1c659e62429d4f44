"""信息纠错 (122号 第十条) without editing (第八条(二) 不得擅自修改): a correction is a new version of the record."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from tests.conftest import auth, new_uscc
from xinyong.archive.models import ArchiveEntry
from xinyong.core.clock import beijing_today
from xinyong.core.uow import UnitOfWork


def _subject(client: TestClient, token: str, grade: str = "B", industries: list[str] | None = None) -> str:
    code = new_uscc()
    r = client.post("/api/v1/subjects", json={"code": code, "name": "纠错测试单位", "kind": "organization",
                                              "national_grade": grade, "industries": industries or []},
                    headers=auth(token))
    assert r.status_code == 201, r.text
    return code


_n = iter(range(1, 10**6))


def _record(client: TestClient, token: str, subject: str, item: str, department: str = "kanchasheji",
            act_date: date | None = None, **extra: Any) -> dict[str, Any]:
    body = {"subject": subject, "item": item, "act_date": (act_date or beijing_today()).isoformat(),
            "department": department, "source_ref": f"京规自罚〔2025〕{next(_n)}号", **extra}
    r = client.post("/api/v1/records", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    return dict(r.json())


def _row(engine: Engine, record_id: int) -> tuple[Any, ...]:
    with engine.connect() as conn:
        return tuple(conn.execute(text("SELECT * FROM records WHERE id = :id"), {"id": record_id}).one())


def _records(client: TestClient, code: str, token: str | None = None) -> dict[int, dict[str, Any]]:
    r = client.get(f"/api/v1/subjects/{code}/records", headers=auth(token) if token else {})
    assert r.status_code == 200, r.text
    return {rec["id"]: rec for rec in r.json()}


@pytest.mark.article("122号 Art.10", "122号 Art.8(2)")
def test_correction_is_a_new_version_and_the_old_row_stays_byte_identical_122_art10_122_art8_2(
        client: TestClient, tokens: dict[str, str], clean: Engine) -> None:
    code = _subject(client, tokens["admin"], industries=["survey_design"])
    old = _record(client, tokens["admin"], code, "SD-D01", note="原始")  # −20
    assert old["evaluation"]["score"] == 630
    before = _row(clean, old["id"])

    r = client.post(f"/api/v1/records/{old['id']}/correct",
                    json={"reason": "处罚类别录入错误，应为检查不合格", "item": "SD-D02", "authority_ref": "核字〔2025〕7号"},
                    headers=auth(tokens["business"]))
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["id"] != old["id"]
    assert new["supersedes"] == old["id"]
    assert new["item"] == "SD-D02" and new["note"] == "原始" and new["department"] == "kanchasheji"
    assert new["source_ref"] == old["source_ref"] + "#v2"
    assert new["status"] == "active"
    assert new["correction"]["reason"] == "处罚类别录入错误，应为检查不合格"
    assert new["correction"]["authority_ref"] == "核字〔2025〕7号"
    assert new["correction"]["by"] == "test-business"
    # 第十三条 实时更新: the old version stops counting, the new one counts
    assert new["evaluation"]["score"] == 640
    assert [ln["record_id"] for ln in new["evaluation"]["lines"]] == [new["id"]]
    ev = client.get(f"/api/v1/subjects/{code}/evaluation", params={"industry": "survey_design"}).json()
    assert ev["score"] == 640

    # 第八条(二): every column of the old row is exactly as it was
    assert _row(clean, old["id"]) == before

    listed = _records(client, code, tokens["admin"])
    assert listed[old["id"]]["status"] == "superseded"
    assert listed[old["id"]]["superseded_by"] == new["id"]
    assert listed[new["id"]]["status"] == "active"
    assert listed[new["id"]]["supersedes"] == old["id"]
    assert listed[new["id"]]["correction"]["reason"].startswith("处罚类别")
    public = _records(client, code)  # the public sees both versions and the link, not the staff details
    assert public[old["id"]]["status"] == "superseded" and public[new["id"]]["supersedes"] == old["id"]
    assert "correction" not in public[new["id"]]


@pytest.mark.article("122号 Art.19")
def test_correction_is_archived_with_new_facts_and_cause_122_art19(
        client: TestClient, tokens: dict[str, str], db: UnitOfWork) -> None:
    code = _subject(client, tokens["admin"], grade="C")
    old = _record(client, tokens["admin"], code, "GEN-D01", department="zhifa")
    # three days before the act (today): on 1-3 January that is last year, the correction then moves the record
    # out of the period and the evaluation changes with the correction as its cause (checked below)
    corrected_date = beijing_today() - timedelta(days=3)
    r = client.post(f"/api/v1/records/{old['id']}/correct",
                    json={"reason": "行为日期有误", "act_date": corrected_date.isoformat()},
                    headers=auth(tokens["coordinator"]))
    assert r.status_code == 201, r.text
    new = r.json()
    entered = [e.payload["record_id"] for e in db.session.scalars(select(ArchiveEntry).where(ArchiveEntry.kind == "record_entered"))]
    assert entered == [old["id"]]  # the first version's entry stays; the correction is a further entry
    corrected = list(db.session.scalars(select(ArchiveEntry).where(ArchiveEntry.kind == "record_corrected")))
    assert len(corrected) == 1
    payload = corrected[0].payload
    assert payload["record_id"] == new["id"] and payload["supersedes"] == old["id"]
    assert payload["supersedes_id"] == old["id"]
    assert payload["act_date"] == corrected_date.isoformat()
    assert payload["reason"] == "行为日期有误" and payload["by"] == "test-coordinator"
    assert payload["source_ref"] == new["source_ref"]
    # the evaluation did not change (same points) or changed with the correction as its cause
    causes = [e.payload["cause"] for e in db.session.scalars(select(ArchiveEntry).where(ArchiveEntry.kind == "evaluation_changed"))
              if e.payload.get("cause", {}).get("event") == "record_corrected"]
    assert all(c == {"event": "record_corrected", "record_id": new["id"], "supersedes": old["id"]} for c in causes)


@pytest.mark.article("122号 Art.19")
def test_correction_that_changes_the_score_archives_the_evaluation_change_with_its_cause_122_art19(
        client: TestClient, tokens: dict[str, str], db: UnitOfWork) -> None:
    code = _subject(client, tokens["admin"], grade="C")
    old = _record(client, tokens["admin"], code, "GEN-D01", department="zhifa")
    r = client.post(f"/api/v1/records/{old['id']}/correct", json={"reason": "应为行政检查合格", "item": "GEN-B02"},
                    headers=auth(tokens["admin"]))
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["evaluation"]["score"] == 505
    changed = [e for e in db.session.scalars(select(ArchiveEntry).where(ArchiveEntry.kind == "evaluation_changed"))
               if e.payload["cause"].get("event") == "record_corrected"]
    assert [e.payload["cause"] for e in changed] == [
        {"event": "record_corrected", "record_id": new["id"], "supersedes": old["id"]}]
    assert changed[0].payload["old"]["score"] == 490 and changed[0].payload["new"]["score"] == 505


@pytest.mark.article("122号 Art.8(1)")
def test_second_correction_chains_versions_and_keeps_due_date_semantics_122_art8_1(
        client: TestClient, tokens: dict[str, str]) -> None:
    code = _subject(client, tokens["admin"], industries=["survey_design"])
    v1 = _record(client, tokens["admin"], code, "SD-D01")
    v2 = client.post(f"/api/v1/records/{v1['id']}/correct", json={"reason": "补充说明", "note": "补充"},
                     headers=auth(tokens["admin"])).json()
    v3 = client.post(f"/api/v1/records/{v2['id']}/correct", json={"reason": "再次更正", "note": "再次"},
                     headers=auth(tokens["admin"]))
    assert v3.status_code == 201, v3.text
    assert v3.json()["source_ref"] == v1["source_ref"] + "#v3"
    assert v3.json()["supersedes"] == v2["id"]
    # same act date: the same due date; a timely first report stays timely
    assert v3.json()["due_date"] == v1["due_date"] and v3.json()["late"] is False
    listed = _records(client, code, tokens["admin"])
    assert [listed[i]["status"] for i in (v1["id"], v2["id"], v3.json()["id"])] == ["superseded", "superseded", "active"]
    assert v3.json()["evaluation"]["score"] == 630  # one event, counted once


@pytest.mark.article("122号 Art.10")
def test_correcting_a_superseded_or_withdrawn_record_is_a_conflict_409_122_art10(
        client: TestClient, tokens: dict[str, str]) -> None:
    code = _subject(client, tokens["admin"], industries=["survey_design"])
    old = _record(client, tokens["admin"], code, "SD-D01")
    ok = client.post(f"/api/v1/records/{old['id']}/correct", json={"reason": "更正", "item": "SD-D02"},
                     headers=auth(tokens["admin"]))
    assert ok.status_code == 201
    again = client.post(f"/api/v1/records/{old['id']}/correct", json={"reason": "再更正", "item": "SD-D01"},
                        headers=auth(tokens["admin"]))
    assert again.status_code == 409
    assert again.json()["detail"][0]["field"] == "id"
    # a superseded version cannot be withdrawn either: act on the current version
    w = client.post(f"/api/v1/records/{old['id']}/withdraw", json={"reason": "撤销"}, headers=auth(tokens["admin"]))
    assert w.status_code == 409

    other = _record(client, tokens["admin"], code, "SD-B01")
    assert client.post(f"/api/v1/records/{other['id']}/withdraw", json={"reason": "误报"},
                       headers=auth(tokens["admin"])).status_code == 200
    gone = client.post(f"/api/v1/records/{other['id']}/correct", json={"reason": "更正", "note": "x"},
                       headers=auth(tokens["admin"]))
    assert gone.status_code == 409


def test_correction_refusals_name_the_field_422_404(client: TestClient, tokens: dict[str, str]) -> None:
    code = _subject(client, tokens["admin"], industries=["survey_design"])
    old = _record(client, tokens["admin"], code, "SD-D01")
    url = f"/api/v1/records/{old['id']}/correct"
    same = client.post(url, json={"reason": "无变化"}, headers=auth(tokens["admin"]))
    assert same.status_code == 422
    blank = client.post(url, json={"reason": "  ", "note": "x"}, headers=auth(tokens["admin"]))
    assert blank.status_code == 422 and blank.json()["detail"][0]["field"] == "reason"
    bad_item = client.post(url, json={"reason": "r", "item": "NO-SUCH"}, headers=auth(tokens["admin"]))
    assert bad_item.status_code == 422 and bad_item.json()["detail"][0]["field"] == "item"
    future = (beijing_today() + timedelta(days=2)).isoformat()
    fut = client.post(url, json={"reason": "r", "act_date": future}, headers=auth(tokens["admin"]))
    assert fut.status_code == 422 and fut.json()["detail"][0]["field"] == "act_date"
    extra = client.post(url, json={"reason": "r", "subject": code}, headers=auth(tokens["admin"]))
    assert extra.status_code == 422
    taken = _record(client, tokens["admin"], code, "SD-B01")
    dup = client.post(url, json={"reason": "r", "source_ref": taken["source_ref"]}, headers=auth(tokens["admin"]))
    assert dup.status_code == 409 and dup.json()["detail"][0]["field"] == "source_ref"
    assert client.post("/api/v1/records/999999/correct", json={"reason": "r", "note": "x"},
                       headers=auth(tokens["admin"])).status_code == 404
    assert client.post(f"/api/v1/records/{2**40}/correct", json={"reason": "r", "note": "x"},
                       headers=auth(tokens["admin"])).status_code == 404
    # nothing was written by the refusals: the record is still the only version, active
    listed = _records(client, code, tokens["admin"])
    assert listed[old["id"]]["status"] == "active" and len(listed) == 2


@pytest.mark.article("122号 Art.8")
def test_business_department_corrects_only_its_own_records_403_122_art8(
        client: TestClient, tokens: dict[str, str]) -> None:
    code = _subject(client, tokens["admin"], grade="C")
    foreign = _record(client, tokens["admin"], code, "GEN-D01", department="zhifa")
    r = client.post(f"/api/v1/records/{foreign['id']}/correct", json={"reason": "r", "note": "x"},
                    headers=auth(tokens["business"]))
    assert r.status_code == 403
    own = _record(client, tokens["admin"], code, "GEN-D01", department="kanchasheji")
    moved = client.post(f"/api/v1/records/{own['id']}/correct", json={"reason": "r", "department": "zhifa"},
                        headers=auth(tokens["business"]))
    assert moved.status_code == 403 and moved.json()["detail"][0]["field"] == "department"
    for role in ("viewer", "leader", "hall"):
        assert client.post(f"/api/v1/records/{own['id']}/correct", json={"reason": "r", "note": "x"},
                           headers=auth(tokens[role])).status_code == 403
    assert client.post(f"/api/v1/records/{own['id']}/correct", json={"reason": "r", "note": "x"}).status_code == 401
    ok = client.post(f"/api/v1/records/{own['id']}/correct", json={"reason": "r", "note": "x"},
                     headers=auth(tokens["business"]))
    assert ok.status_code == 201, ok.text
