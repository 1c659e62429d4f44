"""Industry rankings (122号 Art.17; spec D1-35, G1-11): order and ties, fuse last, approval by the leader in charge,
immutability once published, the public list without resident ID numbers, the monthly drafts."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api._api_helpers import make_subject, post_record
from tests.conftest import auth
from tests.supervision._helpers import business_token, leader_api_token, leader_session
from xinyong.auth.actors import SYSTEM
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import DayClock, clock_at
from xinyong.supervision.rankings import monthly_ranking_drafts

DAY = date(2026, 6, 15)
SD = "survey_design"


def _subjects(client: TestClient, token: str) -> dict[str, str]:
    """Subjects of 勘察设计 with equal scores (national B: 650) and different bad records, one higher, one fused."""
    def subject(name: str, kind: str = "organization") -> str:
        return str(make_subject(client, token, kind=kind, grade="B", industries=[SD], name=name)["code"])

    def rec(code: str, item: str, day: date) -> None:
        post_record(client, token, code, item, act_date=day)

    s = {name: subject(name) for name in ("higher", "clean1", "older_bad", "newer_bad", "two_bad", "fused")}
    s["clean2"] = subject("clean2", kind="individual")
    rec(s["higher"], "SD-B01", date(2026, 3, 1))  # +10 → 660
    rec(s["older_bad"], "SD-D02", date(2026, 3, 1))  # −10
    rec(s["older_bad"], "SD-B01", date(2026, 3, 1))  # +10 → 650, one bad record, the older
    rec(s["newer_bad"], "SD-D02", date(2026, 4, 1))
    rec(s["newer_bad"], "SD-B01", date(2026, 3, 1))  # 650, one bad record, the newer
    for day in (date(2026, 2, 1), date(2026, 2, 2)):
        rec(s["two_bad"], "SD-D02", day)
        rec(s["two_bad"], "SD-B01", day)  # 650, two bad records (older than anyone's)
    rec(s["fused"], "SD-B01", date(2026, 3, 1))
    r = client.post("/api/v1/listings", json={"subject": s["fused"], "list": "national_serious_dishonesty",
                                              "listed_on": "2026-05-01", "source_ref": "RANK-LIST-1"},
                    headers=auth(token))
    assert r.status_code == 201, r.text
    return s


@pytest.mark.article("122号 Art.17")
def test_order_score_then_fewer_bad_records_then_older_last_bad_then_code_fused_last_122_art17(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        s = _subjects(client, tokens["admin"])
        r = client.post("/api/v1/rankings", json={"industry": SD, "as_of": DAY.isoformat()},
                        headers=auth(tokens["business"]))
        assert r.status_code == 201, r.text
        body = r.json()
        assert (body["status"], body["industry"], body["as_of"], body["period_start"]) == (
            "draft", SD, "2026-06-15", "2026-01-01")
        by_code = {v: k for k, v in s.items()}
        clean_pair = sorted([s["clean1"], s["clean2"]])  # no bad record: equal keys, code ascending
        expected = ["higher", by_code[clean_pair[0]], by_code[clean_pair[1]], "older_bad", "newer_bad", "two_bad",
                    "fused"]
        entries = body["entries"]
        assert [by_code[e["subject"]] for e in entries] == expected
        assert [e["rank"] for e in entries] == list(range(1, 8))  # no shared ranks
        assert [e["score"] for e in entries][:6] == [660, 650, 650, 650, 650, 650]
        assert [(e["bad_records"], e["last_bad_on"]) for e in entries[3:6]] == [
            (1, "2026-03-01"), (1, "2026-04-01"), (2, "2026-02-02")]
        fused = entries[-1]
        assert (fused["fused"], fused["grade"], fused["score"]) == (True, "D", 660)  # last despite its score
        # the same day later: the same order from the stored evaluations
        again = client.post("/api/v1/rankings", json={"industry": SD, "as_of": DAY.isoformat()},
                            headers=auth(tokens["coordinator"])).json()
        assert [e["subject"] for e in again["entries"]] == [e["subject"] for e in entries]
        # as of an earlier day (computed then): neither newer_bad's bad record nor the listing is there yet, so
        # three subjects have 660 and no bad record: code ascending
        past = client.post("/api/v1/rankings", json={"industry": SD, "as_of": "2026-03-15"},
                           headers=auth(tokens["admin"])).json()
        top = sorted(s[k] for k in ("higher", "newer_bad", "fused"))
        assert [(e["subject"], e["score"], e["fused"]) for e in past["entries"][:3]] == [(c, 660, False) for c in top]


@pytest.mark.article("122号 Art.17")
def test_drafted_by_the_industry_published_by_its_leader_and_never_changed_122_art17(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        make_subject(client, tokens["admin"], grade="B", industries=[SD])
        body = {"industry": SD, "as_of": DAY.isoformat()}
        r = client.post("/api/v1/rankings", json=body, headers=auth(business_token(clean, "guotucehui")))
        assert r.status_code == 403
        r = client.post("/api/v1/rankings", json={"industry": SD, "as_of": "2026-06-16"},
                        headers=auth(tokens["business"]))
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "as_of"
        r = client.post("/api/v1/rankings", json={"industry": "nowhere", "as_of": "2026-06-15"},
                        headers=auth(tokens["business"]))
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "industry"
        ranking = client.post("/api/v1/rankings", json=body, headers=auth(tokens["business"])).json()
        rid = ranking["id"]
        assert client.post(f"/api/v1/rankings/{rid}/approve",
                           headers=auth(leader_session(clean, ["verification"], "leader-vf"))).status_code == 403
        assert client.post(f"/api/v1/rankings/{rid}/approve",
                           headers=auth(leader_api_token(clean, [SD]))).status_code == 403
        assert client.post(f"/api/v1/rankings/{rid}/approve", headers=auth(tokens["coordinator"])).status_code == 403
        assert client.post("/api/v1/rankings/999999/approve",
                           headers=auth(leader_session(clean, [SD], "leader-404"))).status_code == 404
        # not public while a draft
        assert client.get("/api/v1/public/rankings", params={"industry": SD}).json() == []
        leader = leader_session(clean, [SD])
        r = client.post(f"/api/v1/rankings/{rid}/approve", headers=auth(leader))
        assert r.status_code == 200
        published = r.json()
        assert (published["status"], published["approved_by"]) == ("published", "leader-signed-in")
        # a published snapshot never changes
        assert client.post(f"/api/v1/rankings/{rid}/approve", headers=auth(leader)).status_code == 409
        assert client.get(f"/api/v1/rankings/{rid}", headers=auth(tokens["leader"])).json() == published
        r = client.get("/api/v1/rankings", params={"industry": SD, "status": "published"},
                       headers=auth(tokens["business"]))
        assert [x["id"] for x in r.json()] == [rid]
        assert client.get("/api/v1/rankings", headers=auth(tokens["viewer"])).status_code == 403
        assert client.get("/api/v1/rankings").status_code == 401


@pytest.mark.article("122号 Art.17")
def test_public_rankings_need_no_token_and_mask_resident_ids_122_art17(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        person = make_subject(client, tokens["admin"], kind="individual", grade="A", industries=[SD])["code"]
        org = make_subject(client, tokens["admin"], grade="B", industries=[SD])["code"]
        rid = client.post("/api/v1/rankings", json={"industry": SD, "as_of": DAY.isoformat()},
                          headers=auth(tokens["business"])).json()["id"]
        client.post("/api/v1/rankings", json={"industry": SD, "as_of": DAY.isoformat()},
                    headers=auth(tokens["business"]))  # a second draft, never published
        assert client.post(f"/api/v1/rankings/{rid}/approve",
                           headers=auth(leader_session(clean, [SD]))).status_code == 200
        r = client.get("/api/v1/public/rankings", params={"industry": SD})
        assert r.status_code == 200
        [ranking] = r.json()
        assert ranking["id"] == rid and ranking["status"] == "published"
        first, second = ranking["entries"]
        assert first["subject"] != person and "*" in first["subject"] and first["subject"][:6] == person[:6]
        assert second["subject"] == org
        assert set(first) == {"rank", "subject", "name", "score", "grade", "level", "fused"}
        assert person not in r.text
        # staff: the personal-data roles see the number, the leader does not
        staff = client.get(f"/api/v1/rankings/{rid}", headers=auth(tokens["business"])).json()
        assert staff["entries"][0]["subject"] == person
        assert client.get(f"/api/v1/rankings/{rid}", headers=auth(tokens["leader"])).json()[
            "entries"][0]["subject"] != person


@pytest.mark.article("122号 Art.17")
def test_the_monthly_drafts_are_made_once_per_industry_and_month_122_art17(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(DAY)):
        make_subject(client, tokens["admin"], grade="B", industries=[SD])
        with unit_of_work(clean, SYSTEM) as uow:
            made = monthly_ranking_drafts(uow, DAY)
        assert made == 5  # one per industry
        with unit_of_work(clean, SYSTEM) as uow:
            assert monthly_ranking_drafts(uow, date(2026, 6, 30)) == 0
        rows = client.get("/api/v1/rankings", params={"industry": SD}, headers=auth(tokens["coordinator"])).json()
        assert [(x["status"], x["month"], x["created_by"], len(x["entries"])) for x in rows] == [
            ("draft", "2026-06", "system", 1)]
    with clock_at(DayClock(date(2026, 7, 1))), unit_of_work(clean, SYSTEM) as uow:
        assert monthly_ranking_drafts(uow, date(2026, 7, 1)) == 5
