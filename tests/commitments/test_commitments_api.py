"""信用承诺 (122号 Art.8 last paragraph; 122号 Art.7(2), 122号 Art.16(3)): entered by the business department, shown
on every lookup of the subject (事前信用预警), a notice the day after the due day, and after the grace (default 5
working days from the notice, commitments.yaml) a breach record that turns the grade to D by itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api._api_helpers import make_subject, new_ref
from tests.conftest import auth, new_uscc
from xinyong.bootstrap import unit_of_work
from xinyong.calendar.service import default_calendar
from xinyong.commitments.service import grace_end, grace_workdays, run_deadlines
from xinyong.core.clock import DayClock, clock_at
from xinyong.messages.commitments import CommitmentBreached
from xinyong.notifications import repository as notifications_repo

# 2026-04-29 (Wed) is the due day; the notice goes out on Thu 30 April; 1–5 May is the Labour Day holiday and
# Sat 9 May an adjusted working day (调休), so the 5 working days of grace are 6, 7, 8, 9 and 11 May.
DUE = date(2026, 4, 29)
NOTICE = date(2026, 4, 30)
LAST_GRACE_DAY = date(2026, 5, 11)
MADE = date(2026, 3, 10)


def _at(day: date) -> Any:
    return clock_at(DayClock(day))


@pytest.fixture
def made_day() -> Iterator[None]:
    with _at(MADE):
        yield


def commit(client: TestClient, token: str, code: str, *, due: date = DUE, department: str = "kanchasheji",
           content: str | None = None, status: int = 201, **extra: Any) -> dict[str, Any]:
    body = {"subject": code, "content": content or f"按期提交竣工测量成果 {new_ref('C')}", "due_on": due.isoformat(),
            "licence_ref": "京规自许〔2026〕12号", "department": department, **extra}
    r = client.post("/api/v1/commitments", headers=auth(token), json=body)
    assert r.status_code == status, r.text
    return dict(r.json())


def evaluation(client: TestClient, code: str, as_of: date | None = None) -> dict[str, Any]:
    r = client.get(f"/api/v1/subjects/{code}/evaluation", params={"as_of": as_of.isoformat()} if as_of else {})
    assert r.status_code == 200, r.text
    return dict(r.json())


def jobs(engine: Engine, day: date) -> tuple[int, int]:
    with _at(day), unit_of_work(engine) as uow:
        run = run_deadlines(uow)
    return run.notices, run.breaches


def get(client: TestClient, commitment_id: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/commitments/{commitment_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_the_grace_default_and_its_end_across_the_labour_day_holiday() -> None:
    assert grace_workdays(DUE) == 5  # commitments.yaml, a decided default (issue 8 item 4)
    cal = default_calendar()
    assert not cal.is_workday(date(2026, 5, 1)) and cal.is_workday(date(2026, 5, 9))  # holiday; 调休 Saturday
    assert grace_end(NOTICE, DUE) == LAST_GRACE_DAY


@pytest.mark.article("122号 Art.8")
def test_art8_a_commitment_is_entered_and_every_lookup_of_the_subject_shows_it(
        client: TestClient, tokens: dict[str, str], made_day: None) -> None:
    code = make_subject(client, tokens["admin"], grade="A")["code"]
    c = commit(client, tokens["business"], code, content="按期提交竣工测量成果")
    assert c["state"] == "open" and c["subject"] == code and c["made_on"] == "2026-03-10"
    assert c["due_on"] == "2026-04-29" and c["grace_ends_on"] == "2026-05-11"  # planned: notice on 30 April
    assert c["breach_record_id"] is None and c["department"] == "kanchasheji"
    again = commit(client, tokens["business"], code, content="按期提交竣工测量成果", status=200)
    assert again["id"] == c["id"]  # the same item again is the same commitment
    other = commit(client, tokens["business"], code, content="按期提交竣工测量成果", due=date(2026, 5, 6), status=409)
    assert other["detail"][0]["field"] == "due_on"

    lookup = client.get(f"/api/v1/subjects/{code}").json()  # 事前信用预警: anyone's lookup shows it
    assert [(n["kind"], n["id"], n["state"]) for n in lookup["notices"]] == [("commitment", c["id"], "open")]
    assert "按期提交竣工测量成果" in lookup["notices"][0]["title"]
    assert [x["id"] for x in client.get(f"/api/v1/subjects/{code}/commitments").json()] == [c["id"]]
    listed = client.get("/api/v1/commitments", params={"subject": code, "state": "open"}).json()
    assert [x["id"] for x in listed] == [c["id"]]
    assert client.get("/api/v1/commitments", params={"subject": code, "state": "fulfilled"}).json() == []
    entries = client.get(f"/api/v1/subjects/{code}/archive", headers=auth(tokens["admin"])).json()["entries"]
    assert "commitment_made" in [e["kind"] for e in entries]


@pytest.mark.article("122号 Art.8")
def test_an_individuals_code_is_masked_for_the_public(client: TestClient, tokens: dict[str, str],
                                                      made_day: None) -> None:
    person = make_subject(client, tokens["admin"], kind="individual")["code"]
    c = commit(client, tokens["admin"], person)
    assert c["subject"] == person  # staff who may see personal data
    public = get(client, c["id"])
    assert public["subject"] != person and "*" in public["subject"]


@pytest.mark.article("122号 Art.7(2)", "122号 Art.16(3)")
def test_art16_3_not_fulfilled_the_last_day_of_grace_is_still_open_the_day_after_is_a_breach_and_grade_d(
        clean: Engine, client: TestClient, tokens: dict[str, str]) -> None:
    with _at(MADE):
        code = make_subject(client, tokens["admin"], grade="A")["code"]
        c = commit(client, tokens["business"], code)
    assert jobs(clean, DUE) == (0, 0)  # the due day itself: still time
    assert get(client, c["id"])["state"] == "open"
    assert jobs(clean, NOTICE) == (1, 0)  # the day after: the notice, and the grace starts
    with _at(NOTICE):
        noticed = get(client, c["id"])
        assert noticed["state"] == "overdue" and noticed["notice_on"] == "2026-04-30"
        assert noticed["grace_ends_on"] == "2026-05-11"
        lookup = client.get(f"/api/v1/subjects/{code}").json()["notices"]
        assert [(n["id"], n["state"]) for n in lookup] == [(c["id"], "overdue")]
    with unit_of_work(clean) as uow:
        notes = notifications_repo.for_recipients(uow.session, [("subject", code)], False, 10)
        assert [n.kind for n in notes] == ["commitment_due"] and "2026-05-11" in notes[0].body
        assert notifications_repo.for_recipients(uow.session, [("department", "kanchasheji")], False, 10)
    assert jobs(clean, date(2026, 5, 5)) == (0, 0)  # inside the holiday: the grace runs on
    assert jobs(clean, LAST_GRACE_DAY) == (0, 0)  # the last day of grace: no breach yet
    with _at(LAST_GRACE_DAY):
        assert evaluation(client, code)["grade"] == "A"
    assert jobs(clean, date(2026, 5, 12)) == (0, 1)  # the day after: the breach, by itself
    with _at(date(2026, 5, 12)):
        broken = get(client, c["id"])
        assert broken["state"] == "breached" and broken["breach_automatic"] is True
        assert broken["breached_on"] == "2026-05-12" and broken["breach_record_id"] is not None
        ev = evaluation(client, code)
        assert ev["fused"] is True and ev["grade"] == "D"
        assert ev["fuse_reasons"][0]["article"] == "122号 第十六条(三)"
        assert ev["fuse_reasons"][0]["record_ids"] == [broken["breach_record_id"]]
        assert evaluation(client, code, date(2026, 5, 11))["grade"] == "A"  # not before the breach day
        records = client.get(f"/api/v1/subjects/{code}/records", headers=auth(tokens["admin"])).json()
        rec = next(r for r in (records["items"] if isinstance(records, dict) else records)
                   if r["id"] == broken["breach_record_id"])
        assert rec["item"] == "GEN-D05" and rec["source_ref"] == f"commitment:{c['id']}"
        assert rec["act_date"] == "2026-05-12" and rec["department"] == "kanchasheji"
        stored = client.get("/api/v1/subjects", params={"q": code}).json()["items"][0]["evaluation"]
        assert stored["grade"] == "D"  # the stored result followed in real time
        lookup = client.get(f"/api/v1/subjects/{code}").json()["notices"]
        assert [(n["id"], n["state"]) for n in lookup] == [(c["id"], "breached")]
        kinds = [e["kind"] for e in client.get(f"/api/v1/subjects/{code}/archive",
                                               headers=auth(tokens["admin"])).json()["entries"]]
        assert kinds.index("commitment_made") < kinds.index("commitment_overdue") < kinds.index("record_entered")
        assert kinds.index("record_entered") < kinds.index("commitment_breached")
    assert jobs(clean, date(2026, 5, 12)) == (0, 0)  # nothing left to do: idempotent by state
    assert jobs(clean, date(2026, 5, 20)) == (0, 0)


@pytest.mark.article("122号 Art.16(3)")
def test_art16_3_fulfilled_on_the_last_day_of_grace_never_breaches(
        clean: Engine, client: TestClient, tokens: dict[str, str]) -> None:
    with _at(MADE):
        code = make_subject(client, tokens["admin"], grade="B")["code"]
        c = commit(client, tokens["business"], code)
    jobs(clean, NOTICE)
    with _at(LAST_GRACE_DAY):
        r = client.post(f"/api/v1/commitments/{c['id']}/fulfil", headers=auth(tokens["business"]),
                        json={"evidence": "竣工测量成果已提交，收件号 2026-0511-01"})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "fulfilled" and r.json()["fulfilled_on"] == "2026-05-11"
    for day in (date(2026, 5, 12), date(2026, 6, 1)):
        assert jobs(clean, day) == (0, 0)
    with _at(date(2026, 6, 1)):
        assert get(client, c["id"])["state"] == "fulfilled"
        assert evaluation(client, code)["fused"] is False
        assert client.get(f"/api/v1/subjects/{code}").json()["notices"] == []  # fulfilled: no warning


@pytest.mark.article("122号 Art.16(3)")
def test_a_commitment_fulfilled_before_its_due_day_gets_no_notice(
        clean: Engine, client: TestClient, tokens: dict[str, str]) -> None:
    with _at(MADE):
        code = make_subject(client, tokens["admin"])["code"]
        c = commit(client, tokens["admin"], code)
        assert client.post(f"/api/v1/commitments/{c['id']}/fulfil", headers=auth(tokens["admin"]),
                           json={"evidence": "已履行"}).status_code == 200
    assert jobs(clean, NOTICE) == (0, 0)
    assert jobs(clean, date(2026, 5, 12)) == (0, 0)


@pytest.mark.article("122号 Art.7(2)", "122号 Art.16(3)")
def test_art7_2_a_commitment_found_false_later_is_recorded_the_same_way(
        client: TestClient, tokens: dict[str, str], made_day: None) -> None:
    code = make_subject(client, tokens["admin"], grade="A")["code"]
    c = commit(client, tokens["business"], code)
    assert client.post(f"/api/v1/commitments/{c['id']}/fulfil", headers=auth(tokens["business"]),
                       json={"evidence": "承诺已履行"}).status_code == 200
    r = client.post(f"/api/v1/commitments/{c['id']}/breach", headers=auth(tokens["business"]),
                    json={"reason": "核查发现所附证明材料系伪造，属虚假承诺", "found_on": "2026-03-10"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "breached" and body["breach_automatic"] is False and body["breached_on"] == "2026-03-10"
    ev = evaluation(client, code)
    assert ev["grade"] == "D" and ev["fuse_reasons"][0]["record_ids"] == [body["breach_record_id"]]
    archived = [e for e in client.get(f"/api/v1/subjects/{code}/archive", headers=auth(tokens["admin"])).json()[
        "entries"] if e["kind"] == "commitment_breached"]
    assert len(archived) == 1 and archived[0]["payload"]["automatic"] is False
    assert archived[0]["payload"]["record_id"] == body["breach_record_id"]
    # the second breach, and a fulfilment after the breach: 409 naming the state
    again = client.post(f"/api/v1/commitments/{c['id']}/breach", headers=auth(tokens["business"]),
                        json={"reason": "再次认定", "found_on": "2026-03-10"})
    assert again.status_code == 409 and again.json()["detail"][0]["field"] == "state"
    late = client.post(f"/api/v1/commitments/{c['id']}/fulfil", headers=auth(tokens["business"]),
                       json={"evidence": "补交"})
    assert late.status_code == 409 and late.json()["detail"][0]["field"] == "state"


def test_a_breach_is_shared_downstream() -> None:
    event = CommitmentBreached(7, "91110000000000000X", commitment_id=3, breached_on="2026-05-12", reason="逾期",
                               record_id=11, automatic=True, by="system")
    [change] = event.changes()
    assert change.type == "commitment_breached" and change.subject_code == "91110000000000000X"
    assert change.data == {"commitment_id": 3, "breached_on": "2026-05-12", "reason": "逾期", "record_id": 11,
                           "automatic": True}


@pytest.mark.article("122号 Art.8")
def test_refusals_403_409_422(clean: Engine, client: TestClient, tokens: dict[str, str]) -> None:
    with _at(MADE):
        code = make_subject(client, tokens["admin"])["code"]
        # 403: a role without commitments.manage; a business token for another department
        assert client.post("/api/v1/commitments", headers=auth(tokens["viewer"]), json={}).status_code == 403
        assert client.post("/api/v1/commitments", json={}).status_code == 401
        other = commit(client, tokens["business"], code, department="zhifa", status=403)
        assert other["detail"][0]["field"] == "department"
        theirs = commit(client, tokens["admin"], code, department="zhifa")
        for action, body in (("fulfil", {"evidence": "x"}), ("breach", {"reason": "x", "found_on": "2026-03-10"})):
            r = client.post(f"/api/v1/commitments/{theirs['id']}/{action}", headers=auth(tokens["business"]),
                            json=body)
            assert r.status_code == 403, (action, r.text)
        # 404
        r = client.post("/api/v1/commitments/999999/fulfil", headers=auth(tokens["admin"]), json={"evidence": "x"})
        assert r.status_code == 404
        # 422 naming the field, in Chinese and English
        cases = [
            ({"due_on": "2026-03-09"}, "due_on"),  # before the day it was made
            ({"department": "nosuch"}, "department"),
            ({"subject": new_uscc()}, "subject"),
            ({"made_on": "2026-03-11"}, "made_on"),  # after today
            ({"content": "   "}, "content"),
        ]
        for change, field in cases:
            body = {"subject": code, "content": "承诺", "due_on": "2026-04-29", "licence_ref": "L-1",
                    "department": "kanchasheji", **change}
            r = client.post("/api/v1/commitments", headers=auth(tokens["admin"]), json=body)
            assert r.status_code == 422, (change, r.text)
            problem = r.json()["detail"][0]
            assert problem["field"] == field and problem["reason_zh"] and problem["reason_en"], (change, problem)
        r = client.post("/api/v1/commitments", headers=auth(tokens["admin"]), json={"subject": code})
        assert r.status_code == 422 and {"content", "due_on", "licence_ref", "department"} <= {
            p["field"] for p in r.json()["detail"]}
        mine = commit(client, tokens["business"], code)
        r = client.post(f"/api/v1/commitments/{mine['id']}/breach", headers=auth(tokens["business"]),
                        json={"reason": "x", "found_on": "2026-03-11"})
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "found_on"  # after today
        r = client.post(f"/api/v1/commitments/{mine['id']}/fulfil", headers=auth(tokens["business"]), json={})
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "evidence"
        assert client.get("/api/v1/commitments", params={"state": "late"}).status_code == 422
        # 409: the second fulfilment
        ok = client.post(f"/api/v1/commitments/{mine['id']}/fulfil", headers=auth(tokens["business"]),
                         json={"evidence": "已履行"})
        assert ok.status_code == 200
        twice = client.post(f"/api/v1/commitments/{mine['id']}/fulfil", headers=auth(tokens["business"]),
                            json={"evidence": "已履行"})
        assert twice.status_code == 409 and twice.json()["detail"][0]["field"] == "state"
    # after the grace, a fulfilment is refused even before the job records the breach
    with _at(MADE):
        c = commit(client, tokens["admin"], code, content="另一项承诺")
    jobs(clean, NOTICE)
    with _at(date(2026, 5, 12)):
        r = client.post(f"/api/v1/commitments/{c['id']}/fulfil", headers=auth(tokens["admin"]),
                        json={"evidence": "迟到的履行"})
        assert r.status_code == 409 and "2026-05-11" in r.json()["detail"][0]["reason_zh"]
