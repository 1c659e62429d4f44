""""无事不扰"白名单 (44号 Task 12; spec G3-02): grade A with no bad record and no listing in the past 24 months
qualifies by rule at the quarterly review; a new bad record or listing removes the subject at once; manual
additions and removals carry reasons. (The citation key form has no "44号 Task 12": these tests are marked with
122号 Art.22(1)1, the reduced inspection of grade A that the whitelist carries furthest.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api._api_helpers import make_subject, new_ref, post_record
from tests.conftest import auth
from tests.inspections._helpers import INDUSTRY, TODAY, subjects, whitelist
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import DayClock, clock_at
from xinyong.inspections.whitelist import review_all, review_due, review_whitelist


@pytest.fixture(autouse=True)
def pinned() -> Iterator[None]:
    with clock_at(DayClock(TODAY)):
        yield


def review(engine: Engine, industry: str = INDUSTRY) -> dict[str, Any]:
    with unit_of_work(engine) as uow:
        return review_whitelist(uow, industry).model_dump()


def entries(client: TestClient, industry: str = INDUSTRY) -> list[dict[str, Any]]:
    r = client.get("/api/v1/whitelist", params={"industry": industry})
    assert r.status_code == 200, r.text
    return list(r.json())


def active(client: TestClient) -> set[str]:
    return {e["subject"] for e in entries(client) if e["active"]}


@pytest.mark.article("122号 Art.22(1)1")
def test_the_review_adds_grade_a_subjects_with_a_clean_24_months(client, tokens, clean):
    a_clean, a_old_bad, a_recent_bad, a_listed = subjects(client, tokens["admin"], "A", 4)
    b = subjects(client, tokens["admin"], "B", 1)[0]
    # 民法典 Art.201/202: on 2026-03-10 the 24 months run from 2024-03-11; a record of 2024-03-10 is outside them
    post_record(client, tokens["admin"], a_old_bad, "GEN-D01", act_date=date(2024, 3, 10))
    post_record(client, tokens["admin"], a_recent_bad, "GEN-D01", act_date=date(2024, 3, 11))
    r = client.post("/api/v1/listings", headers=auth(tokens["admin"]), json={
        "subject": a_listed, "list": "abnormal_operations", "listed_on": "2024-06-01", "source_ref": new_ref("L")})
    assert r.status_code == 201, r.text
    client.post(f"/api/v1/listings/{r.json()['id']}/removal", headers=auth(tokens["admin"]),
                json={"removed_on": "2024-09-01", "reason": "已整改"})
    out = review(clean)
    assert sorted(out["added"]) == sorted([a_clean, a_old_bad])
    assert active(client) == {a_clean, a_old_bad}
    assert b not in active(client) and a_recent_bad not in active(client) and a_listed not in active(client)
    assert all(e["basis"] == "rule" and "G3-02" in e["reason"] for e in entries(client))
    # the review again changes nothing
    again = review(clean)
    assert again["added"] == [] and again["removed"] == [] and again["on_list"] == 2


@pytest.mark.article("122号 Art.22(1)1")
def test_a_new_bad_record_or_listing_removes_the_subject_at_once(client, tokens, clean):
    good, bad, listed = subjects(client, tokens["admin"], "A", 3)
    review(clean)
    assert active(client) == {good, bad, listed}
    post_record(client, tokens["admin"], good, "GEN-B01")  # good information keeps it on the list
    post_record(client, tokens["business"], bad, "SD-D02", note="抽查不合格")
    r = client.post("/api/v1/listings", headers=auth(tokens["admin"]), json={
        "subject": listed, "list": "serious_illegal_dishonest", "listed_on": "2026-03-01", "source_ref": new_ref("L")})
    assert r.status_code == 201
    assert active(client) == {good}
    gone = {e["subject"]: e for e in entries(client) if not e["active"]}
    assert gone[bad]["removal_cause"] == "bad_record" and "SD-D02" in gone[bad]["removal_reason"]
    assert gone[bad]["removed_on"] == TODAY.isoformat()
    assert gone[listed]["removal_cause"] == "listing"
    # archived in the subject's chain (122号 Art.19)
    archive = client.get(f"/api/v1/subjects/{bad}/archive", headers=auth(tokens["admin"]))
    assert archive.status_code == 200, archive.text
    kinds = [e["kind"] for e in archive.json()["entries"]]
    assert kinds.index("whitelist_entered") < kinds.index("record_entered") < kinds.index("whitelist_removed")
    # and the review does not put them back while the record or listing is in the window
    assert review(clean)["added"] == []


@pytest.mark.article("122号 Art.22(1)1")
def test_the_review_removes_rule_entries_that_no_longer_qualify_but_keeps_manual_ones(client, tokens, clean):
    by_rule, second = subjects(client, tokens["admin"], "A", 2)
    review(clean)
    b = subjects(client, tokens["admin"], "B", 1)[0]
    whitelist(client, tokens["business"], b)  # a manual addition may be of another grade, with its reason
    with unit_of_work(clean) as uow:
        assert review_whitelist(uow, INDUSTRY).on_list == 3
    post_record(client, tokens["admin"], by_rule, "SD-D03", act_date=date(2026, 1, 5))
    assert by_rule not in active(client)  # removed at once: a bad record in the window
    assert active(client) == {second, b}
    out = review(clean)  # the manual B entry stays: the department's reasoned decision
    assert out["removed"] == [] and b in active(client)
    # the national level of second falls to B for the whole period (122号 Art.13): no bad record, but not grade A
    whitelist_entry = next(e for e in entries(client) if e["subject"] == second and e["active"])
    r = client.post(f"/api/v1/subjects/{second}/national-grades", headers=auth(tokens["admin"]),
                    json={"grade": "B", "effective_on": "2026-01-01", "source": "信用中国 2026-01"})
    assert r.status_code == 201, r.text
    assert second in active(client)  # not a bad record: it waits for the review
    out = review(clean)
    assert out["removed"] == [second]
    gone = next(e for e in entries(client) if e["id"] == whitelist_entry["id"])
    assert gone["removal_cause"] == "review" and "等级 B" in gone["removal_reason"]


@pytest.mark.article("122号 Art.22(4)1")
def test_manual_additions_and_removals(client, tokens, clean):
    a = subjects(client, tokens["admin"], "A", 1)[0]
    d = subjects(client, tokens["admin"], "D", 1)[0]
    elsewhere = make_subject(client, tokens["admin"], grade="A", industries=["surveying_mapping"])["code"]
    entry = whitelist(client, tokens["business"], a)
    assert entry["basis"] == "manual" and entry["active"] and entry["added_on"] == TODAY.isoformat()
    assert whitelist(client, tokens["business"], a, status=409)
    r = whitelist(client, tokens["business"], d, status=422)  # 122号 Art.22(4)1 重点监管对象
    assert r["detail"][0]["field"] == "subject"
    assert whitelist(client, tokens["business"], elsewhere, status=403, industry="surveying_mapping")
    assert whitelist(client, tokens["admin"], elsewhere, status=422)["detail"][0]["field"] == "industry"
    assert whitelist(client, tokens["viewer"], a, status=403)
    # removal with a reason; blank reason refused; twice is a conflict
    url = f"/api/v1/whitelist/{entry['id']}/removal"
    assert client.post(url, headers=auth(tokens["business"]), json={"reason": "  "}).status_code == 422
    r = client.post(url, headers=auth(tokens["business"]), json={"reason": "收到风险线索"})
    assert r.status_code == 200 and not r.json()["active"] and r.json()["removal_cause"] == "manual"
    assert client.post(url, headers=auth(tokens["business"]), json={"reason": "again"}).status_code == 409
    assert client.post("/api/v1/whitelist/99999/removal", headers=auth(tokens["admin"]),
                       json={"reason": "x"}).status_code == 404
    # a subject removed by hand is not put back by the review
    assert a not in review(clean)["added"]
    # re-added by hand later: allowed
    assert whitelist(client, tokens["admin"], a)["active"]


def test_the_review_covers_every_industry_on_the_quarter_days(client, tokens, clean):
    a = subjects(client, tokens["admin"], "A", 1)[0]
    m = make_subject(client, tokens["admin"], grade="A", industries=["surveying_mapping"])["code"]
    with unit_of_work(clean) as uow:
        out = {r.industry: r.added for r in review_all(uow)}
    assert out[INDUSTRY] == [a] and out["surveying_mapping"] == [m]
    assert [review_due(date(2026, mo, 1)) for mo in (1, 4, 7, 10)] == [True] * 4
    assert not review_due(date(2026, 2, 1)) and not review_due(date(2026, 4, 2))
    assert client.get("/api/v1/whitelist", params={"industry": "nope"}).status_code == 422
