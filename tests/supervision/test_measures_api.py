"""Measures lists through the API: lifecycle, who may do what, validation, versions, the yearly reminder, the public
consolidated lists (122号 Art.20, 21, 24; spec D1-37, D1-38, D1-41, D1-42; G1-09, G1-10)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import auth
from tests.supervision._helpers import business_token, draft, in_force, leader_api_token, leader_session, line
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import DayClock, beijing_today, clock_at
from xinyong.supervision.service import months_after, stale_measures_lists


@pytest.mark.article("122号 Art.24")
def test_draft_approve_file_in_force_with_the_refusals_of_each_step_122_art24(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(date(2026, 3, 10))):
        # 业务部门 of another industry may not draft survey_design's list
        other = business_token(clean, "guotucehui")
        r = client.post("/api/v1/measures", json={"industry": "survey_design", "kind": "punishment",
                                                  "entries": [line("D")]}, headers=auth(other))
        assert r.status_code == 403 and r.json()["detail"][0]["field"] == "industry"
        # nor the general (coordinating department's) one
        r = client.post("/api/v1/measures", json={"industry": "general", "kind": "punishment",
                                                  "entries": [line("D")]}, headers=auth(tokens["business"]))
        assert r.status_code == 403
        row = draft(client, tokens["business"], "punishment", [line("D"), line("C")])
        assert (row["status"], row["version"], row["industry"], row["drafted_by"]) == (
            "draft", 1, "survey_design", "test-business")
        list_id = row["id"]
        # filing before approval: wrong state
        r = client.post(f"/api/v1/measures/{list_id}/file", json={}, headers=auth(tokens["coordinator"]))
        assert r.status_code == 409
        # leaders: not in charge of the industry → 403; a docking token (not signed in) → 403
        r = client.post(f"/api/v1/measures/{list_id}/approve",
                        headers=auth(leader_session(clean, ["surveying_mapping"], "leader-sm")))
        assert r.status_code == 403 and "surveying_mapping" in r.json()["detail"][0]["reason_en"]
        r = client.post(f"/api/v1/measures/{list_id}/approve", headers=auth(leader_api_token(clean)))
        assert r.status_code == 403 and "signed in" in r.json()["detail"][0]["reason_en"]
        # other roles never approve (roles table)
        r = client.post(f"/api/v1/measures/{list_id}/approve", headers=auth(tokens["admin"]))
        assert r.status_code == 403
        leader = leader_session(clean, ["survey_design"])
        r = client.post(f"/api/v1/measures/{list_id}/approve", headers=auth(leader))
        assert r.status_code == 200 and r.json()["status"] == "approved"
        assert r.json()["approved_by"] == "leader-signed-in"
        # approved: never edited, never approved again
        assert client.post(f"/api/v1/measures/{list_id}/approve", headers=auth(leader)).status_code == 409
        r = client.put(f"/api/v1/measures/{list_id}", json={"entries": [line("D", item="改")]},
                       headers=auth(tokens["business"]))
        assert r.status_code == 409
        # 备案: the coordinating department, not business; no back-dating
        r = client.post(f"/api/v1/measures/{list_id}/file", json={}, headers=auth(tokens["business"]))
        assert r.status_code == 403
        r = client.post(f"/api/v1/measures/{list_id}/file", json={"effective_from": "2026-03-09"},
                        headers=auth(tokens["coordinator"]))
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "effective_from"
        r = client.post(f"/api/v1/measures/{list_id}/file", json={"effective_from": "2026-03-11"},
                        headers=auth(tokens["coordinator"]))
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["effective_from"], r.json()["update_due"]) == (
            "filed", "2026-03-11", "2027-03-11")
        assert client.post(f"/api/v1/measures/{list_id}/file", json={},
                           headers=auth(tokens["coordinator"])).status_code == 409
        # in force from its day: the day before there is none
        q = {"industry": "survey_design", "kind": "punishment"}
        r = client.get("/api/v1/measures/in-force", params={**q, "on": "2026-03-10"}, headers=auth(tokens["viewer"]))
        assert r.status_code == 403  # staff only
        r = client.get("/api/v1/measures/in-force", params={**q, "on": "2026-03-10"}, headers=auth(tokens["leader"]))
        assert r.status_code == 404
        r = client.get("/api/v1/measures/in-force", params={**q, "on": "2026-03-11"}, headers=auth(tokens["leader"]))
        assert r.status_code == 200 and r.json()["id"] == list_id and r.json()["status"] == "in_force"
        assert client.get("/api/v1/measures/in-force", params=q).status_code == 401


@pytest.mark.article("122号 Art.24")
def test_a_draft_is_edited_by_its_drafters_only_and_the_coordinator_drafts_general_lists_122_art24(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    row = draft(client, tokens["business"], "incentive", [line("A")])
    other = business_token(clean, "guotucehui")
    r = client.put(f"/api/v1/measures/{row['id']}", json={"entries": [line("B")]}, headers=auth(other))
    assert r.status_code == 403
    r = client.put(f"/api/v1/measures/{row['id']}", json={"note": "二稿", "entries": [line("B"), line("A")]},
                   headers=auth(tokens["business"]))
    assert r.status_code == 200 and [e["grade"] for e in r.json()["entries"]] == ["B", "A"]
    assert client.put("/api/v1/measures/999999", json={"entries": [line("A")]},
                      headers=auth(tokens["business"])).status_code == 404
    general = draft(client, tokens["coordinator"], "incentive", [line("A")], industry="general")
    # the general lists are approved by a leader in charge of "general"
    r = client.post(f"/api/v1/measures/{general['id']}/approve",
                    headers=auth(leader_session(clean, ["survey_design"], "leader-sd")))
    assert r.status_code == 403
    r = client.post(f"/api/v1/measures/{general['id']}/approve",
                    headers=auth(leader_session(clean, ["general"], "leader-general")))
    assert r.status_code == 200
    r = client.post("/api/v1/measures", json={"industry": "nowhere", "kind": "incentive", "entries": [line("A")]},
                    headers=auth(tokens["coordinator"]))
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "industry"


@pytest.mark.article("122号 Art.20", "122号 Art.21", "122号 Art.22")
def test_lines_fit_their_list_level_and_factor_order_122_art22(client: TestClient, tokens: dict[str, str]) -> None:
    def refused(kind: str, entries: list[dict[str, object]]) -> list[str]:
        r = client.post("/api/v1/measures", json={"industry": "survey_design", "kind": kind, "entries": entries},
                        headers=auth(tokens["business"]))
        assert r.status_code == 422, r.text
        return [p["field"] for p in r.json()["detail"]]

    assert refused("incentive", [line("A"), line("D")]) == ["entries[1].grade"]  # 122号 Art.21: A and B
    assert refused("punishment", [line("B")]) == ["entries[0].grade"]  # 122号 Art.20: C and D
    assert refused("incentive", [line("B", level="A-")]) == ["entries[0].level"]  # G1-10: level within its grade
    assert refused("incentive", [line("A", factor=0.2)]) == ["entries[0].inspection_factor"]  # inspection lines only
    assert refused("incentive", [line("A", "inspection", factor=1.0)]) == ["entries[0].inspection_factor"]
    assert refused("punishment", [line("D", "inspection", factor=0.9)]) == ["entries[0].inspection_factor"]
    assert refused("punishment", [line("C", "inspection", factor=1.2)]) == ["entries[0].inspection_factor"]
    # G1-09: A reduced more than B (大幅 < 适当), with the default for the grade not given
    assert refused("incentive", [line("A", "inspection", factor=0.7)]) == ["entries"]
    assert refused("incentive", [line("A"), line("A")]) == ["entries[1].item"]
    assert refused("incentive", []) == ["entries"]
    ok = client.post("/api/v1/measures", json={"industry": "survey_design", "kind": "incentive", "entries": [
        line("A", "inspection", factor=0.2), line("B", "inspection", factor=0.5), line("A", level="A-")]},
        headers=auth(tokens["business"]))
    assert ok.status_code == 201, ok.text


@pytest.mark.article("122号 Art.24")
def test_a_new_version_supersedes_the_old_from_its_day_and_is_filed_after_it_122_art24(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    leader = leader_session(clean, None)
    biz, coord = tokens["business"], tokens["coordinator"]
    with clock_at(DayClock(date(2026, 3, 10))):
        v1 = in_force(client, biz, leader, coord, "incentive", [line("A", item="v1")])
        assert v1["effective_from"] == "2026-03-10"  # default: the filing day
        v2 = draft(client, biz, "incentive", [line("A", item="v2")])
        assert v2["version"] == 2
        assert client.post(f"/api/v1/measures/{v2['id']}/approve", headers=auth(leader)).status_code == 200
        # one version in force on any day: not on or before the day v1 took effect
        r = client.post(f"/api/v1/measures/{v2['id']}/file", json={"effective_from": "2026-03-10"},
                        headers=auth(coord))
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "effective_from"
        r = client.post(f"/api/v1/measures/{v2['id']}/file", json={"effective_from": "2026-04-01"},
                        headers=auth(coord))
        assert r.status_code == 200 and r.json()["status"] == "filed"  # filed, not yet in force
        rows = client.get("/api/v1/measures", params={"industry": "survey_design", "on": "2026-03-31"},
                          headers=auth(coord)).json()
        assert [(x["version"], x["status"]) for x in rows] == [(1, "in_force"), (2, "filed")]
        rows = client.get("/api/v1/measures", params={"industry": "survey_design", "on": "2026-04-01"},
                          headers=auth(coord)).json()
        assert [(x["version"], x["status"]) for x in rows] == [(1, "superseded"), (2, "in_force")]
        rows = client.get("/api/v1/measures", params={"status": "superseded", "on": "2026-04-01"},
                          headers=auth(coord)).json()
        assert [x["version"] for x in rows] == [1]
        r = client.get(f"/api/v1/measures/{v1['id']}", params={"on": "2026-04-01"}, headers=auth(coord))
        assert r.json()["status"] == "superseded" and r.json()["entries"][0]["item"] == "v1"


@pytest.mark.article("122号 Art.24")
def test_the_yearly_update_reminder_from_the_anniversary_not_the_day_before_122_art24(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    leader = leader_session(clean, None)
    with clock_at(DayClock(date(2025, 3, 10))):
        row = in_force(client, tokens["business"], leader, tokens["coordinator"], "punishment", [line("D")])
    q = {"industry": "survey_design", "kind": "punishment"}
    with clock_at(DayClock(date(2026, 3, 9))):
        r = client.get("/api/v1/measures/in-force", params=q, headers=auth(tokens["coordinator"]))
        assert r.json()["stale"] is False and r.json()["update_due"] == "2026-03-10"
    with clock_at(DayClock(date(2026, 3, 10))):
        r = client.get("/api/v1/measures/in-force", params=q, headers=auth(tokens["coordinator"]))
        assert r.json()["stale"] is True
    with unit_of_work(clean, writing=False) as uow:
        assert stale_measures_lists(uow.session, date(2026, 3, 9)) == []
        [stale] = stale_measures_lists(uow.session, date(2026, 3, 10))
        assert (stale.id, stale.update_due) == (row["id"], date(2026, 3, 10))
    # a newer version filed to take over ends the reminder
    with clock_at(DayClock(date(2026, 3, 12))):
        in_force(client, tokens["business"], leader, tokens["coordinator"], "punishment", [line("D", item="新")],
                 effective=date(2026, 4, 1))
    with unit_of_work(clean, writing=False) as uow:
        assert stale_measures_lists(uow.session, date(2026, 3, 12)) == []


def test_months_are_counted_to_the_corresponding_day_or_the_month_end() -> None:
    """民法典 Art.202 (spec G0-1): 12 months after 29 February is 28 February."""
    assert months_after(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert months_after(date(2025, 3, 10), 12) == date(2026, 3, 10)
    assert months_after(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert months_after(date(2025, 12, 31), 12) == date(2026, 12, 31)


@pytest.mark.article("122号 Art.20", "122号 Art.21")
def test_the_consolidated_lists_are_public_without_a_token_and_only_what_is_in_force_122_art20(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    leader = leader_session(clean, None)
    today = beijing_today()
    with clock_at(DayClock(today)):
        in_force(client, tokens["business"], leader, tokens["coordinator"], "punishment", [line("D", item="行业")])
        in_force(client, tokens["coordinator"], leader, tokens["coordinator"], "punishment", [line("D", item="全委")],
                 industry="general")
        in_force(client, tokens["business"], leader, tokens["coordinator"], "incentive", [line("A", item="激励")])
        draft(client, tokens["business"], "punishment", [line("C", item="草案")])  # not public
        later = draft(client, tokens["business"], "punishment", [line("C", item="将来")])
        client.post(f"/api/v1/measures/{later['id']}/approve", headers=auth(leader))
        client.post(f"/api/v1/measures/{later['id']}/file",
                    json={"effective_from": (today + timedelta(days=5)).isoformat()}, headers=auth(tokens["coordinator"]))
        r = client.get("/api/v1/public/measures", params={"kind": "punishment"})
        assert r.status_code == 200
        body = r.json()
        assert body["name"] == "失信惩戒措施清单"
        assert sorted((e["industry"], e["item"]) for e in body["entries"]) == [
            ("general", "全委"), ("survey_design", "行业")]
        assert [e["item"] for e in client.get("/api/v1/public/measures", params={"kind": "incentive"}).json()[
            "entries"]] == ["激励"]
        assert client.get("/api/v1/public/measures", params={"kind": "other"}).status_code == 422
