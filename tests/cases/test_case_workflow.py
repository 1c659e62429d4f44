"""Objection and repair cases through the API: every transition of D1-36 and every refusal (122号 Art.18).

States exactly `received → routed → under_verification → opinion_issued → reported_to_credit_authority →
repaired|rejected → closed`; the hall routes, reports, resolves and closes (cases.intake); the routed department
accepts, extends once and gives the opinion (cases.verify); a wrong role is 403, a wrong state 409 naming it.
"""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from tests.api._api_helpers import make_subject, post_record
from tests.cases._case_helpers import act, business_token, file_case, subject_account, subject_with_record
from tests.conftest import auth
from xinyong.core.clock import DayClock, clock_at

DAY = date(2026, 3, 10)  # a Tuesday of an ordinary week


@pytest.fixture(autouse=True)
def _pinned_day():
    with clock_at(DayClock(DAY)):
        yield


def _archive_kinds(client: TestClient, token: str, code: str) -> list[str]:
    r = client.get(f"/api/v1/subjects/{code}/archive", headers=auth(token))
    assert r.status_code == 200, r.text
    return [e["kind"] for e in r.json()["entries"]]


def _notices(engine: Engine, case_id: int) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT kind, recipient_kind, recipient FROM notifications WHERE link = :l ORDER BY id"),
            {"l": f"/api/v1/cases/{case_id}"})]


@pytest.mark.article("122号 Art.18")
def test_an_objection_goes_through_every_state_with_its_timeline_archive_and_notices_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, record = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    case = file_case(client, tokens["hall"], code, record_id=record["id"], channel="credit_china_beijing")
    assert (case["state"], case["kind"], case["subject"], case["record_id"]) == ("received", "objection", code,
                                                                                 record["id"])
    assert case["channel"] == "credit_china_beijing" and case["department"] is None and case["outcome"] is None
    assert case["due_on"] == "2026-03-12" and case["overdue"] is False and case["extended"] is False
    cid = case["id"]
    routed = act(client, tokens["hall"], cid, "route", department="kanchasheji")
    assert (routed["state"], routed["department"], routed["due_on"]) == ("routed", "kanchasheji", "2026-03-24")
    accepted = act(client, tokens["business"], cid, "accept")
    assert accepted["state"] == "under_verification" and accepted["due_on"] == "2026-03-24"
    extended = act(client, tokens["business"], cid, "extend", reason="需调取现场勘验材料")
    assert extended["extended"] is True and extended["extension_reason"] == "需调取现场勘验材料"
    assert extended["due_on"] == "2026-04-08"  # +10 working days (清明 2026-04-04..06 off)
    opinion = act(client, tokens["business"], cid, "opinion", outcome="rejected", opinion="经核实，记录无误")
    assert (opinion["state"], opinion["outcome"], opinion["opinion"]) == ("opinion_issued", "rejected", "经核实，记录无误")
    assert opinion["due_on"] == "2026-03-12"
    reported = act(client, tokens["hall"], cid, "report")
    assert reported["state"] == "reported_to_credit_authority" and reported["due_on"] == "2026-03-12"
    resolved = act(client, tokens["hall"], cid, "resolve")
    assert resolved["state"] == "rejected" and resolved["due_on"] is None and resolved["overdue"] is False
    closed = act(client, tokens["hall"], cid, "close")
    assert closed["state"] == "closed"
    assert [s["state"] for s in closed["steps"]] == ["received", "routed", "under_verification",
                                                     "under_verification", "opinion_issued",
                                                     "reported_to_credit_authority", "rejected", "closed"]
    assert [s["by"] for s in closed["steps"]][:3] == ["test-hall", "test-hall", "test-business"]
    assert closed["steps"][3]["note"] == "需调取现场勘验材料"
    # every step is in the subject's archive (122号 Art.19)
    kinds = [k for k in _archive_kinds(client, tokens["admin"], code) if k.startswith("case_")]
    assert kinds == ["case_filed", "case_routed", "case_accepted", "case_extended", "case_opinion_issued",
                     "case_reported", "case_resolved", "case_closed"]
    # the subject, the hall and (once routed) the department are told at each step
    notices = _notices(clean, cid)
    assert ("case_received", "subject", code) in notices and ("case_received", "role", "hall") in notices
    for kind in ("case_routed", "case_under_verification", "case_opinion_issued", "case_rejected", "case_closed"):
        assert {(r, who) for k, r, who in notices if k == kind} == {
            ("subject", code), ("department", "kanchasheji"), ("role", "hall")}, kind
    mine = client.get("/api/v1/notifications", headers=auth(tokens["business"])).json()
    assert any(n["link"] == f"/api/v1/cases/{cid}" and n["kind"] == "case_routed" for n in mine)


@pytest.mark.article("122号 Art.18")
def test_a_transition_not_allowed_from_the_state_is_409_naming_it_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, record = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    cid = file_case(client, tokens["hall"], code, record_id=record["id"])["id"]
    assert client.post(f"/api/v1/cases/{cid}/accept", headers=auth(tokens["business"])).status_code == 403  # not its own
    for step, token, body in [("accept", "coordinator", {}), ("opinion", "admin", {"outcome": "rejected", "opinion": "x"}),
                              ("report", "hall", {}), ("resolve", "hall", {}), ("close", "hall", {})]:
        r = client.post(f"/api/v1/cases/{cid}/{step}", json=body, headers=auth(tokens[token]))
        assert r.status_code == 409, (step, r.text)
        problem = r.json()["detail"][0]
        assert problem["field"] == "state" and "received" in problem["reason_zh"] and "received" in problem["reason_en"]
    act(client, tokens["hall"], cid, "route", department="kanchasheji")
    r = client.post(f"/api/v1/cases/{cid}/route", json={"department": "kanchasheji"}, headers=auth(tokens["hall"]))
    assert r.status_code == 409 and "routed" in r.json()["detail"][0]["reason_en"]
    r = client.post(f"/api/v1/cases/{cid}/opinion", json={"outcome": "upheld", "opinion": "x", "remedy": "withdraw"},
                    headers=auth(tokens["business"]))
    assert r.status_code == 409 and "routed" in r.json()["detail"][0]["reason_zh"]  # accept first
    act(client, tokens["business"], cid, "accept")
    act(client, tokens["business"], cid, "opinion", outcome="rejected", opinion="记录无误")
    r = client.post(f"/api/v1/cases/{cid}/extend", json={"reason": "太晚了"}, headers=auth(tokens["business"]))
    assert r.status_code == 409 and "opinion_issued" in r.json()["detail"][0]["reason_en"]
    r = client.post(f"/api/v1/cases/{cid}/resolve", headers=auth(tokens["hall"]))
    assert r.status_code == 409 and "opinion_issued" in r.json()["detail"][0]["reason_en"]  # report first
    r = client.post(f"/api/v1/cases/{cid}/evidence", headers=auth(tokens["hall"]),
                    files={"file": ("a.pdf", b"%PDF-1.4 x", "application/pdf")})
    assert r.status_code == 201  # material still comes in until the case is resolved
    act(client, tokens["hall"], cid, "report")
    act(client, tokens["hall"], cid, "resolve")
    r = client.post(f"/api/v1/cases/{cid}/evidence", headers=auth(tokens["hall"]),
                    files={"file": ("b.pdf", b"%PDF-1.4 y", "application/pdf")})
    assert r.status_code == 409 and "rejected" in r.json()["detail"][0]["reason_en"]


@pytest.mark.article("122号 Art.18")
def test_the_opinion_deadline_is_extended_once_a_second_extension_is_409_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, record = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    cid = file_case(client, tokens["hall"], code, record_id=record["id"])["id"]
    act(client, tokens["hall"], cid, "route", department="kanchasheji")
    r = client.post(f"/api/v1/cases/{cid}/extend", json={"reason": "   "}, headers=auth(tokens["business"]))
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "reason"
    first = act(client, tokens["business"], cid, "extend", reason="材料待补正")  # already while routed
    assert first["due_on"] == "2026-04-08"
    act(client, tokens["business"], cid, "accept")
    r = client.post(f"/api/v1/cases/{cid}/extend", json={"reason": "再延一次"}, headers=auth(tokens["business"]))
    assert r.status_code == 409 and r.json()["detail"][0]["field"] == "extended"
    assert "once" in r.json()["detail"][0]["reason_en"] and "已延期一次" in r.json()["detail"][0]["reason_zh"]
    again = client.get(f"/api/v1/cases/{cid}", headers=auth(tokens["hall"])).json()
    assert again["due_on"] == "2026-04-08" and again["extension_reason"] == "材料待补正"


@pytest.mark.article("122号 Art.18", "122号 Art.4(2)")
def test_each_step_belongs_to_its_role_and_department_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, record = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    r = client.post("/api/v1/cases", json={"kind": "objection", "subject": code, "record_id": record["id"],
                                           "statement": "x", "channel": "commission"},
                    headers=auth(tokens["viewer"]))
    assert r.status_code == 403
    r = client.post("/api/v1/cases", json={"kind": "objection", "subject": code, "record_id": record["id"],
                                           "statement": "x", "channel": "commission"},
                    headers=auth(tokens["business"]))
    assert r.status_code == 403  # the department does not take applications: the hall does
    cid = file_case(client, tokens["hall"], code, record_id=record["id"])["id"]
    assert client.post(f"/api/v1/cases/{cid}/route", json={"department": "kanchasheji"},
                       headers=auth(tokens["business"])).status_code == 403  # routing is the hall's
    act(client, tokens["hall"], cid, "route", department="kanchasheji")
    assert client.post(f"/api/v1/cases/{cid}/accept", headers=auth(tokens["hall"])).status_code == 403
    other = business_token(clean, "heyan")
    r = client.post(f"/api/v1/cases/{cid}/accept", headers=auth(other))
    assert r.status_code == 403 and "kanchasheji" in r.json()["detail"][0]["reason_en"]
    assert client.post(f"/api/v1/cases/{cid}/extend", json={"reason": "x"}, headers=auth(other)).status_code == 403
    assert client.get(f"/api/v1/cases/{cid}", headers=auth(other)).status_code == 403
    act(client, tokens["business"], cid, "accept")
    r = client.post(f"/api/v1/cases/{cid}/opinion", json={"outcome": "rejected", "opinion": "x"}, headers=auth(other))
    assert r.status_code == 403
    act(client, tokens["coordinator"], cid, "opinion", outcome="rejected", opinion="法制处代为出具")
    assert client.post(f"/api/v1/cases/{cid}/report", headers=auth(tokens["business"])).status_code == 403
    assert client.post(f"/api/v1/cases/{cid}/report", headers=auth(tokens["coordinator"])).status_code == 403
    act(client, tokens["hall"], cid, "report")
    assert client.post(f"/api/v1/cases/{cid}/resolve", headers=auth(tokens["leader"])).status_code == 403
    act(client, tokens["admin"], cid, "resolve")
    assert client.post(f"/api/v1/cases/{cid}/close", headers=auth(tokens["support"])).status_code == 403
    assert client.post(f"/api/v1/cases/{cid}/close").status_code == 401
    act(client, tokens["hall"], cid, "close")
    assert client.post("/api/v1/cases/999999/accept", headers=auth(tokens["business"])).status_code == 404


@pytest.mark.article("122号 Art.18")
def test_a_record_case_is_routed_to_the_department_that_reported_the_record_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, record = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    cid = file_case(client, tokens["hall"], code, record_id=record["id"])["id"]
    for department, field in [("nowhere", "department"), ("heyan", "department")]:
        r = client.post(f"/api/v1/cases/{cid}/route", json={"department": department}, headers=auth(tokens["hall"]))
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == field, r.text
    assert "kanchasheji" in r.json()["detail"][0]["reason_en"]


@pytest.mark.article("122号 Art.18")
def test_filing_is_validated_naming_the_field_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, record = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    other = make_subject(client, tokens["admin"], grade="B")["code"]
    gone = post_record(client, tokens["business"], code, "GEN-D02", act_date=date(2026, 3, 3))
    r = client.post(f"/api/v1/records/{gone['id']}/withdraw", json={"reason": "录入错误"}, headers=auth(tokens["admin"]))
    assert r.status_code == 200
    hall = tokens["hall"]

    def refused(status: int, field: str, **body) -> dict:
        payload = {"kind": "objection", "subject": code, "statement": "异议", "channel": "commission", **body}
        r = client.post("/api/v1/cases", json=payload, headers=auth(hall))
        assert r.status_code == status, r.text
        problem = r.json()["detail"][0]
        assert problem["field"] == field and problem["reason_zh"] and problem["reason_en"], problem
        return problem

    refused(422, "subject", subject="91110000MA0000000X", record_id=record["id"])
    assert "not a record of this subject" in refused(422, "record_id", subject=other, record_id=record["id"])["reason_en"]
    assert "withdrawn" in refused(422, "record_id", record_id=gone["id"])["reason_en"]
    refused(422, "record_id", record_id=987654)
    refused(422, "statement", record_id=record["id"], statement="   ")
    refused(422, "channel", record_id=record["id"], channel="wechat")
    refused(422, "channel", record_id=record["id"], channel=None)  # staff say where the application came in
    refused(422, "kind", record_id=record["id"], kind="complaint")
    refused(422, "record_id")  # names nothing
    refused(422, "industry", record_id=record["id"], industry="general")  # names two things
    refused(422, "industry", industry="surveying_mapping")  # not an evaluation of this subject
    refused(422, "industry", kind="repair", industry="general")  # a repair names a record or listing
    first = file_case(client, hall, code, record_id=record["id"])
    assert "case" in refused(409, "record_id", record_id=record["id"])["reason_en"]
    file_case(client, hall, code, kind="repair", record_id=record["id"])  # another kind is another case
    general = file_case(client, hall, code, industry="general")  # D1-36(a): the general evaluation result
    assert general["industry"] == "general" and general["record_id"] is None
    refused(409, "industry", industry="general")
    assert first["id"] != general["id"]


@pytest.mark.article("122号 Art.18", "122号 Art.2")
def test_a_subject_account_files_and_follows_only_its_own_cases_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, record = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    other, other_record = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    mine = subject_account(clean, code)
    case = file_case(client, mine, code, record_id=record["id"], channel="commission")
    assert case["channel"] == "portal" and case["filed_by"] == f"acct-{code}"  # the credential's channel
    r = client.post("/api/v1/cases", json={"kind": "objection", "subject": other, "record_id": other_record["id"],
                                           "statement": "x"}, headers=auth(mine))
    assert r.status_code == 403 and r.json()["detail"][0]["field"] == "subject"
    theirs = file_case(client, tokens["hall"], other, record_id=other_record["id"])
    assert client.get(f"/api/v1/cases/{case['id']}", headers=auth(mine)).json()["state"] == "received"
    assert client.get(f"/api/v1/cases/{theirs['id']}", headers=auth(mine)).status_code == 403
    listed = client.get("/api/v1/cases", headers=auth(mine)).json()
    assert [c["id"] for c in listed] == [case["id"]]
    assert client.get("/api/v1/cases", params={"subject": other}, headers=auth(mine)).status_code == 403
    for step in ("route", "accept", "report", "resolve", "close"):
        assert client.post(f"/api/v1/cases/{case['id']}/{step}", json={"department": "kanchasheji"},
                           headers=auth(mine)).status_code == 403, step
    r = client.post(f"/api/v1/cases/{theirs['id']}/evidence", headers=auth(mine),
                    files={"file": ("a.pdf", b"%PDF-1.4 x", "application/pdf")})
    assert r.status_code == 403
    own_notices = client.get("/api/v1/notifications", headers=auth(mine)).json()
    assert [n["link"] for n in own_notices] == [f"/api/v1/cases/{case['id']}"]


@pytest.mark.article("122号 Art.18")
def test_the_queue_is_per_department_ordered_by_due_date_with_overdue_filter_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    code, r1 = subject_with_record(client, tokens, act_date=date(2026, 3, 2))
    r2 = post_record(client, tokens["business"], code, "GEN-D02", act_date=date(2026, 3, 2))
    r3 = post_record(client, tokens["admin"], code, "GEN-D02", act_date=date(2026, 3, 2), department="heyan")
    hall = tokens["hall"]
    with clock_at(DayClock(date(2026, 3, 2))):
        early = file_case(client, hall, code, record_id=r1["id"])  # route due 2026-03-04
    late = file_case(client, hall, code, record_id=r2["id"])  # route due 2026-03-12
    elsewhere = file_case(client, hall, code, record_id=r3["id"])
    act(client, hall, elsewhere["id"], "route", department="heyan")
    queue = client.get("/api/v1/cases", params={"state": "received"}, headers=auth(hall)).json()
    assert [c["id"] for c in queue] == [early["id"], late["id"]]
    assert [c["overdue"] for c in queue] == [True, False]
    overdue = client.get("/api/v1/cases", params={"overdue": "true"}, headers=auth(hall)).json()
    assert [c["id"] for c in overdue] == [early["id"]]
    not_overdue = client.get("/api/v1/cases", params={"overdue": "false"}, headers=auth(hall)).json()
    assert {c["id"] for c in not_overdue} == {late["id"], elsewhere["id"]}
    assert [c["id"] for c in client.get("/api/v1/cases", params={"department": "heyan"},
                                        headers=auth(hall)).json()] == [elsewhere["id"]]
    assert client.get("/api/v1/cases", headers=auth(tokens["business"])).json() == []  # nothing routed to it yet
    heyan = business_token(clean, "heyan")
    assert [c["id"] for c in client.get("/api/v1/cases", headers=auth(heyan)).json()] == [elsewhere["id"]]
    assert client.get("/api/v1/cases", params={"department": "kanchasheji"}, headers=auth(heyan)).status_code == 403
    assert client.get("/api/v1/cases", params={"state": "lost"}, headers=auth(hall)).status_code == 422
    assert [c["id"] for c in client.get("/api/v1/cases", params={"subject": code},
                                        headers=auth(tokens["leader"])).json()] == [early["id"], late["id"],
                                                                                    elsewhere["id"]]
    assert client.get("/api/v1/cases", headers=auth(tokens["viewer"])).status_code == 403
