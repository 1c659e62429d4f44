"""What a case does (122号 Art.18; spec D1-36, G1-05, G1-07): a record under objection is shown so and still counts;
an upheld objection corrects or withdraws the record and re-evaluates in real time; a repair hides the record from
public views while the archive keeps it; a fuse the record or listing fired lifts; the outcome goes downstream."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from tests.api._api_helpers import evaluation, records_of
from tests.cases._case_helpers import act, file_case, subject_account, subject_with_record, to_resolved
from tests.conftest import auth
from xinyong.core.clock import DayClock, clock_at
from xinyong.messages.cases import CASE_RESOLVED, CaseResolved

DAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _pinned_day():
    with clock_at(DayClock(DAY)):
        yield


def _archive(client: TestClient, token: str, code: str) -> list[dict]:
    r = client.get(f"/api/v1/subjects/{code}/archive", headers=auth(token))
    assert r.status_code == 200, r.text
    return list(r.json()["entries"])


@pytest.mark.article("122号 Art.18")
def test_a_record_under_objection_is_shown_so_and_still_counts_spec_G1_07_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, record = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    before = evaluation(client, code)
    case = file_case(client, subject_account(clean, code), code, record_id=record["id"])
    public = {r["id"]: r for r in records_of(client, code)}
    assert public[record["id"]]["under_objection"] is True and public[record["id"]]["status"] == "active"
    staff = {r["id"]: r for r in records_of(client, code, tokens["admin"])}
    assert staff[record["id"]]["under_objection"] is True
    assert evaluation(client, code)["score"] == before["score"]  # it still counts (no suspension, G1-07)
    to_resolved(client, tokens, case["id"], "rejected")
    row = {r["id"]: r for r in records_of(client, code)}[record["id"]]
    assert "under_objection" not in row and row["status"] == "active"  # resolved: no longer under objection
    assert evaluation(client, code)["score"] == before["score"]


@pytest.mark.article("122号 Art.18", "122号 Art.10", "122号 Art.13")
def test_an_upheld_objection_corrects_the_record_and_the_grade_follows_at_once_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, record = subject_with_record(client, tokens, item="GEN-D03", act_date=date(2026, 3, 2))  # 30 points
    before = evaluation(client, code)
    case = file_case(client, tokens["hall"], code, record_id=record["id"], statement="应为一般行政处罚")
    r = client.post(f"/api/v1/cases/{case['id']}/route", json={"department": "kanchasheji"},
                    headers=auth(tokens["hall"]))
    assert r.status_code == 200
    act(client, tokens["business"], case["id"], "accept")
    for body, field in [({"outcome": "upheld", "opinion": "成立"}, "remedy"),
                        ({"outcome": "upheld", "opinion": "成立", "remedy": "correct"}, "correction"),
                        ({"outcome": "rejected", "opinion": "不成立", "remedy": "withdraw"}, "remedy"),
                        ({"outcome": "upheld", "opinion": "  ", "remedy": "withdraw"}, "opinion"),
                        ({"outcome": "maybe", "opinion": "x"}, "outcome")]:
        r = client.post(f"/api/v1/cases/{case['id']}/opinion", json=body, headers=auth(tokens["business"]))
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == field, (body, r.text)
    opinion = act(client, tokens["business"], case["id"], "opinion", outcome="upheld", opinion="处罚应为一般处罚",
                  remedy="correct", correction={"item": "GEN-D01"})
    assert opinion["remedy"] == "correct" and opinion["correction"] == {"item": "GEN-D01"}
    act(client, tokens["hall"], case["id"], "report")
    assert evaluation(client, code)["score"] == before["score"]  # nothing changes before the resolution
    resolved = act(client, tokens["hall"], case["id"], "resolve")
    assert resolved["state"] == "repaired" and resolved["result_record_id"] is not None
    assert evaluation(client, code)["score"] == before["score"] + 20  # 30 → 10 points deducted, in real time
    rows = {r["id"]: r for r in records_of(client, code, tokens["admin"])}
    old, new = rows[record["id"]], rows[resolved["result_record_id"]]
    assert old["status"] == "superseded" and old["superseded_by"] == new["id"]
    assert new["item"] == "GEN-D01" and new["supersedes"] == record["id"] and new["department"] == "kanchasheji"
    assert f"#{case['id']}" in new["correction"]["authority_ref"] and "处罚应为一般处罚" in new["correction"]["reason"]
    assert "kanchasheji" in new["correction"]["by"] and "test-hall" in new["correction"]["by"]
    kinds = [e["kind"] for e in _archive(client, tokens["admin"], code)]
    assert kinds.index("case_opinion_issued") < kinds.index("record_corrected") < kinds.index("case_resolved")
    assert "evaluation_changed" in kinds[kinds.index("record_corrected"):]
    act(client, tokens["hall"], case["id"], "close")


@pytest.mark.article("122号 Art.18")
def test_a_repair_hides_the_record_from_public_views_and_the_archive_keeps_it_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, record = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    attached = client.post(f"/api/v1/records/{record['id']}/evidence", headers=auth(tokens["admin"]),
                           files={"file": ("decision.pdf", b"%PDF-1.4 decision", "application/pdf")})
    assert attached.status_code == 201
    before = evaluation(client, code)
    case = file_case(client, tokens["hall"], code, kind="repair", record_id=record["id"], statement="已整改完毕")
    assert "under_objection" not in {r["id"]: r for r in records_of(client, code)}[record["id"]]  # a repair disputes nothing
    resolved = to_resolved(client, tokens, case["id"])
    assert resolved["state"] == "repaired"
    assert record["id"] not in {r["id"] for r in records_of(client, code)}  # hidden from the public
    assert record["id"] not in {r["id"] for r in records_of(client, code, tokens["viewer"])}
    staff = {r["id"]: r for r in records_of(client, code, tokens["admin"])}[record["id"]]
    assert staff["status"] == "withdrawn" and staff["withdrawal"]["kind"] == "repair"
    assert f"#{case['id']}" in staff["withdrawal"]["reason"]
    assert evaluation(client, code)["score"] == before["score"] + 10  # it no longer counts
    entries = _archive(client, tokens["admin"], code)
    kept = [e for e in entries if e["payload"].get("record_id") == record["id"]]
    assert [e["kind"] for e in kept][:2] == ["record_entered", "evidence_attached"]
    assert any(e["kind"] == "record_withdrawn" and e["payload"]["kind"] == "repair" for e in kept)
    assert client.get(f"/api/v1/records/{record['id']}/evidence", headers=auth(tokens["admin"])).json()


@pytest.mark.article("122号 Art.18", "122号 Art.16(5)")
def test_an_upheld_objection_to_a_fuse_trigger_lifts_the_fuse_spec_G1_05_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, record = subject_with_record(client, tokens, item="GEN-D06", act_date=date(2026, 3, 2))
    fused = evaluation(client, code)
    assert fused["fused"] is True and fused["grade"] == "D"
    case = file_case(client, tokens["hall"], code, record_id=record["id"])
    assert evaluation(client, code)["fused"] is True  # still counts while under objection
    to_resolved(client, tokens, case["id"], remedy="withdraw")
    lifted = evaluation(client, code)
    assert lifted["fused"] is False and lifted["grade"] != "D"
    staff = {r["id"]: r for r in records_of(client, code, tokens["admin"])}[record["id"]]
    assert staff["withdrawal"]["kind"] == "objection"
    assert record["id"] not in {r["id"] for r in records_of(client, code)}


@pytest.mark.article("122号 Art.18", "122号 Art.16(1)")
def test_a_repaired_listing_is_removed_and_its_fuse_lifts_spec_G1_05_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, _ = subject_with_record(client, tokens, item="GEN-B02", act_date=date(2026, 3, 2))
    r = client.post("/api/v1/listings", headers=auth(tokens["admin"]), json={
        "subject": code, "list": "national_serious_dishonesty", "listed_on": "2026-01-05", "source_ref": "LIST-1"})
    assert r.status_code == 201, r.text
    listing = r.json()["id"]
    assert evaluation(client, code)["fused"] is True
    case = file_case(client, tokens["hall"], code, kind="repair", listing_id=listing, statement="已移出国家名单")
    file_case(client, tokens["hall"], code, kind="repair", listing_id=listing, status=409)
    to_resolved(client, tokens, case["id"])
    assert evaluation(client, code)["fused"] is False
    listed = client.get(f"/api/v1/subjects/{code}/listings", headers=auth(tokens["admin"])).json()
    assert [(x["id"], x["removed_on"]) for x in listed] == [(listing, DAY.isoformat())]
    r = client.post("/api/v1/cases", headers=auth(tokens["hall"]), json={
        "kind": "repair", "subject": code, "listing_id": listing, "statement": "再次", "channel": "commission"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "listing_id"  # already removed


@pytest.mark.article("122号 Art.18", "122号 Art.13")
def test_an_upheld_objection_to_an_evaluation_result_re_evaluates_and_is_shared_downstream_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, _ = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    case = file_case(client, tokens["hall"], code, industry="general", statement="评价结果计算有误")
    act(client, tokens["hall"], case["id"], "route", department="fazhi")
    act(client, tokens["coordinator"], case["id"], "accept")
    act(client, tokens["coordinator"], case["id"], "opinion", outcome="upheld", opinion="重新计算")
    act(client, tokens["hall"], case["id"], "report")
    resolved = act(client, tokens["hall"], case["id"], "resolve")
    assert resolved["state"] == "repaired" and resolved["steps"][-1]["note"].startswith("general")
    with clean.connect() as conn:
        shared = conn.execute(text("SELECT type, subject_code, data FROM outbox_events WHERE type = :t"),
                              {"t": CASE_RESOLVED}).all()
    assert len(shared) == 1 and shared[0][1] == code
    data = json.loads(shared[0][2]) if isinstance(shared[0][2], str) else shared[0][2]
    assert (data["case_id"], data["state"], data["outcome"], data["industry"]) == (case["id"], "repaired", "upheld",
                                                                                  "general")


def test_the_case_outcome_is_one_downstream_change() -> None:
    event = CaseResolved(7, "91110000000000000X", case_id=3, by="hall", at="2026-03-10T10:00:00.000", due_on=None,
                         kind="repair", state="repaired", outcome="upheld", remedy=None, record_id=11,
                         new_record_id=None, listing_id=None, industry=None)
    (change,) = event.changes()
    assert change.type == "case_resolved" and change.subject_code == "91110000000000000X"
    assert change.data["case_id"] == 3 and change.data["state"] == "repaired" and change.data["record_id"] == 11
    assert event.archive_kind == "case_resolved" and "#3" in event.summary
