"""The list-status service (spec X-02) and the fuse that persists while a subject is listed (122号 Art.16(1),
spec G1-05, G1-15): a subject listed in 2025 is still D in 2026 until the removal day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api._api_helpers import make_subject, new_ref
from tests.conftest import auth
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import DayClock, clock_at
from xinyong.evaluation.service import batch_evaluate

TODAY = date(2026, 3, 10)  # the day these scenarios are told on (the clock is pinned: any real date works)


@pytest.fixture
def pinned() -> Iterator[None]:
    with clock_at(DayClock(TODAY)):
        yield


def _list(client: TestClient, token: str, code: str, listed_on: date, *, list_code: str = "national_serious_dishonesty",
          ref: str | None = None, status: int = 201) -> dict[str, Any]:
    r = client.post("/api/v1/listings", headers=auth(token), json={
        "subject": code, "list": list_code, "listed_on": listed_on.isoformat(), "source_ref": ref or new_ref("LIST")})
    assert r.status_code == status, r.text
    return dict(r.json())


def _evaluation(client: TestClient, code: str, as_of: date | None = None) -> dict[str, Any]:
    params = {"as_of": as_of.isoformat()} if as_of else {}
    r = client.get(f"/api/v1/subjects/{code}/evaluation", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.article("122号 Art.16(1)")
def test_art16_1_a_subject_listed_last_year_is_still_d_this_year_until_removed(
        client: TestClient, tokens: dict[str, str], pinned: None) -> None:
    code = make_subject(client, tokens["admin"], grade="A")["code"]
    assert _evaluation(client, code)["score"] == 800 and not _evaluation(client, code)["fused"]
    listing = _list(client, tokens["support"], code, date(2025, 6, 1))
    assert listing["active"] is True and listing["fuse"] == "122号 Art.16(1)" and listing["source"] == "system"

    ev = _evaluation(client, code)  # a new period (2026), no record at all: the listing alone fires the fuse
    assert ev["fused"] is True and ev["grade"] == "D" and ev["level"] == "D" and ev["score"] == 800
    assert ev["fuse_reasons"] == [{"article": "122号 第十六条(一)", "record_ids": [], "listing_ids": [listing["id"]]}]
    assert _evaluation(client, code, date(2025, 5, 31))["fused"] is False  # the day before the listing
    assert _evaluation(client, code, date(2025, 6, 1))["fused"] is True  # from the listing day on

    r = client.post(f"/api/v1/listings/{listing['id']}/removal", headers=auth(tokens["support"]),
                    json={"removed_on": "2026-03-01", "reason": "信用修复，移出名单"})
    assert r.status_code == 200, r.text
    assert r.json()["removed_on"] == "2026-03-01" and r.json()["active"] is False
    assert _evaluation(client, code, date(2026, 2, 28))["fused"] is True  # the last day on the list
    after = _evaluation(client, code, date(2026, 3, 1))  # the removal day: no longer listed
    assert after["fused"] is False and after["grade"] == "A" and after["fuse_reasons"] == []
    stored = client.get("/api/v1/subjects", params={"q": code}).json()["items"][0]["evaluation"]
    assert stored["grade"] == "A" and stored["fused"] is False  # the stored result followed in real time


@pytest.mark.article("122号 Art.16(1)")
def test_art16_1_listing_and_removal_are_archived_and_re_evaluate_in_real_time_art19(
        client: TestClient, tokens: dict[str, str], pinned: None) -> None:
    code = make_subject(client, tokens["admin"], grade="B")["code"]
    listing = _list(client, tokens["admin"], code, date(2026, 1, 5))
    stored = client.get("/api/v1/subjects", params={"q": code}).json()["items"][0]["evaluation"]
    assert stored["grade"] == "D" and stored["fused"] is True
    client.post(f"/api/v1/listings/{listing['id']}/removal", headers=auth(tokens["admin"]),
                json={"removed_on": "2026-03-10", "reason": "移出"})
    entries = client.get(f"/api/v1/subjects/{code}/archive", headers=auth(tokens["admin"])).json()["entries"]
    kinds = [e["kind"] for e in entries]
    assert kinds == ["subject_created", "evaluation_changed", "subject_listed", "evaluation_changed",
                     "listing_removed", "evaluation_changed"]
    assert entries[3]["payload"]["cause"] == {"event": "subject_listed", "listing_id": listing["id"]}
    assert entries[3]["payload"]["new"]["fused"] is True and entries[5]["payload"]["new"]["fused"] is False


def test_the_same_listing_again_is_idempotent_and_other_content_conflicts(
        client: TestClient, tokens: dict[str, str], pinned: None) -> None:
    code = make_subject(client, tokens["admin"])["code"]
    first = _list(client, tokens["admin"], code, date(2026, 1, 5), ref="京信用〔2026〕1号")
    again = _list(client, tokens["admin"], code, date(2026, 1, 5), ref="京信用〔2026〕1号", status=200)
    assert again["id"] == first["id"]
    other = _list(client, tokens["admin"], code, date(2026, 1, 6), ref="京信用〔2026〕1号", status=409)
    assert other["detail"][0]["field"] == "source_ref"
    listed = client.get(f"/api/v1/subjects/{code}/listings").json()
    assert [x["id"] for x in listed] == [first["id"]]


def test_listing_refusals_name_the_field(client: TestClient, tokens: dict[str, str], pinned: None) -> None:
    code = make_subject(client, tokens["admin"])["code"]
    assert _list(client, tokens["admin"], code, date(2026, 1, 5), list_code="no_such_list",
                 status=422)["detail"][0]["field"] == "list"
    assert _list(client, tokens["admin"], code, date(2026, 3, 11), status=422)["detail"][0]["field"] == "listed_on"
    assert _list(client, tokens["admin"], "91110105MA00000000", date(2026, 1, 5),
                 status=422)["detail"][0]["field"] == "subject"
    listing = _list(client, tokens["admin"], code, date(2026, 1, 5))
    bad = client.post(f"/api/v1/listings/{listing['id']}/removal", headers=auth(tokens["admin"]),
                      json={"removed_on": "2026-01-04", "reason": "x"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "removed_on"
    ok = client.post(f"/api/v1/listings/{listing['id']}/removal", headers=auth(tokens["admin"]),
                     json={"removed_on": "2026-01-05", "reason": "当日移出"})  # removed_on == listed_on: allowed
    assert ok.status_code == 200
    twice = client.post(f"/api/v1/listings/{listing['id']}/removal", headers=auth(tokens["admin"]),
                        json={"removed_on": "2026-01-06", "reason": "x"})
    assert twice.status_code == 409
    missing = client.post("/api/v1/listings/999999/removal", headers=auth(tokens["admin"]),
                          json={"removed_on": "2026-01-06", "reason": "x"})
    assert missing.status_code == 404
    huge = client.post(f"/api/v1/listings/{2**40}/removal", headers=auth(tokens["admin"]),
                       json={"removed_on": "2026-01-06", "reason": "x"})
    assert huge.status_code == 404


def test_listing_needs_a_token_of_a_collecting_role(client: TestClient, tokens: dict[str, str], pinned: None) -> None:
    code = make_subject(client, tokens["admin"])["code"]
    body = {"subject": code, "list": "abnormal_operations", "listed_on": "2026-01-05", "source_ref": "X"}
    assert client.post("/api/v1/listings", json=body).status_code == 401
    assert client.post("/api/v1/listings", json=body, headers=auth(tokens["viewer"])).status_code == 403
    assert client.post("/api/v1/listings", json=body, headers=auth(tokens["leader"])).status_code == 403


@pytest.mark.article("122号 Art.16(1)")
def test_art16_1_other_lists_do_not_fire_the_fuse(client: TestClient, tokens: dict[str, str], pinned: None) -> None:
    code = make_subject(client, tokens["admin"], grade="A")["code"]
    _list(client, tokens["admin"], code, date(2026, 1, 5), list_code="abnormal_operations")
    _list(client, tokens["admin"], code, date(2026, 1, 5), list_code="serious_illegal_dishonest")
    assert _evaluation(client, code)["fused"] is False
    kinds = {x["code"]: x for x in client.get("/api/v1/lists").json()}
    assert kinds["national_serious_dishonesty"]["fuse"] == "122号 Art.16(1)"
    assert kinds["abnormal_operations"]["fuse"] is None


@pytest.mark.article("122号 Art.16(1)")
def test_art16_1_the_batch_agrees_with_real_time_on_listed_subjects(
        client: TestClient, tokens: dict[str, str], pinned: None) -> None:
    listed = make_subject(client, tokens["admin"], grade="A")["code"]
    free = make_subject(client, tokens["admin"], grade="A")["code"]
    _list(client, tokens["admin"], listed, date(2025, 6, 1))
    with unit_of_work(client.app.state.engine) as uow:
        summary = batch_evaluate(uow, TODAY, store=True)
    assert summary.mismatches == [] and summary.changed == 0
    rows = {i["code"]: i["evaluation"] for i in client.get("/api/v1/subjects").json()["items"]}
    assert rows[listed]["grade"] == "D" and rows[listed]["fused"] is True
    assert rows[free]["grade"] == "A" and rows[free]["fused"] is False


@pytest.mark.article("122号 Art.16(2)")
def test_art16_2_a_refusal_from_last_year_stays_in_force_until_a_record_says_it_was_performed(
        client: TestClient, tokens: dict[str, str], pinned: None) -> None:
    code = make_subject(client, tokens["admin"], grade="A")["code"]
    refusal = client.post("/api/v1/records", headers=auth(tokens["admin"]), json={
        "subject": code, "item": "GEN-D04", "act_date": "2025-06-01", "department": "zhifa",
        "source_ref": "拒不履行-2025-1"})
    assert refusal.status_code == 201, refusal.text
    ev = _evaluation(client, code)  # 2026: no record this period, the refusal still holds (G1-05)
    assert ev["fused"] is True and ev["grade"] == "D"
    assert ev["fuse_reasons"] == [{"article": "122号 第十六条(二)", "record_ids": [refusal.json()["id"]],
                                   "listing_ids": []}]
    wrong = client.post("/api/v1/records", headers=auth(tokens["admin"]), json={
        "subject": code, "item": "COL-PERF", "act_date": "2026-03-01", "department": "zhifa",
        "source_ref": "履行-1", "closes": 999999})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "closes"
    performed = client.post("/api/v1/records", headers=auth(tokens["admin"]), json={
        "subject": code, "item": "COL-PERF", "act_date": "2026-03-01", "department": "zhifa",
        "source_ref": "履行-1", "closes": refusal.json()["id"]})
    assert performed.status_code == 201, performed.text
    assert performed.json()["closes"] == refusal.json()["id"]
    assert performed.json()["evaluation"]["fused"] is False and performed.json()["evaluation"]["grade"] == "A"
    assert _evaluation(client, code, date(2026, 2, 28))["fused"] is True  # before it was performed
    assert _evaluation(client, code, date(2025, 12, 31))["fused"] is True  # its own period: the fuse held (G1-05)
    with unit_of_work(client.app.state.engine) as uow:
        assert batch_evaluate(uow, TODAY, store=True).mismatches == []


def test_x02_the_list_status_question_is_answered_for_any_module(
        client: TestClient, tokens: dict[str, str], pinned: None) -> None:
    """Spec X-02: one service answers "is this subject on list L on day d" (45号, 52号 and 44号 modules ask it)."""
    from xinyong.listings.service import on_list
    from xinyong.subjects.repository import by_code

    code = make_subject(client, tokens["admin"])["code"]
    listing = _list(client, tokens["admin"], code, date(2026, 1, 5), list_code="serious_illegal_dishonest")
    client.post(f"/api/v1/listings/{listing['id']}/removal", headers=auth(tokens["admin"]),
                json={"removed_on": "2026-02-01", "reason": "信用修复"})
    with unit_of_work(client.app.state.engine, writing=False) as uow:
        sid = by_code(uow.session, code).id
        assert on_list(uow.session, sid, "serious_illegal_dishonest", date(2026, 1, 4)) == []
        assert [m.id for m in on_list(uow.session, sid, "serious_illegal_dishonest", date(2026, 1, 5))] == [listing["id"]]
        assert [m.id for m in on_list(uow.session, sid, "serious_illegal_dishonest", date(2026, 1, 31))] == [listing["id"]]
        assert on_list(uow.session, sid, "serious_illegal_dishonest", date(2026, 2, 1)) == []
        assert on_list(uow.session, sid, "abnormal_operations", date(2026, 1, 10)) == []
