"""公开征求意见 and 主管领导审定 as 122号 Art.12 writes them (issue 7 items 6(a) and 6(d)): no back-dated
consultation, public comments during the consultation only, a disposition for every comment before approval, and a
leader approves only the standards it is in charge of."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _governance_helpers import (  # noqa: F401  (governed is a fixture)
    approve,
    consult,
    content,
    create,
    days,
    fields,
    governed,
    today,
)
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.conftest import auth
from xinyong.api import create_app
from xinyong.auth.models import AuditEvent
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import DayClock, clock_at
from xinyong.users.tokens import create_token

SD = "survey_design-2024.1"
pytestmark = pytest.mark.usefixtures("governed")


@pytest.fixture
def gclient(clean: Engine, tokens: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(clean)) as c:
        yield c


def sd_draft(client: TestClient) -> dict:
    body = content(client, SD)
    body["name"] = "勘察设计行业信用评价标准(征求意见稿)"
    return body


def comment(client: TestClient, version: str, body: dict, status: int = 201) -> dict:
    r = client.post(f"/api/v1/standards/{version}/comments", json=body)
    assert r.status_code == status, r.text
    return dict(r.json())


def dispose(client: TestClient, token: str, version: str, cid: int, decision: str = "adopted",
            reason: str = "已采纳，修改第3项", status: int = 200) -> dict:
    r = client.post(f"/api/v1/standards/{version}/comments/{cid}/disposition",
                    json={"decision": decision, "reason": reason}, headers=auth(token))
    assert r.status_code == status, r.text
    return dict(r.json())


def published(client: TestClient, tokens: dict[str, str], *, written: int = -20, start: int = -20,
              end: int = -1) -> str:
    """A survey_design draft written `written` days ago, under consultation from `start` to `end` (days)."""
    v = create(client, tokens["business"], sd_draft(client), on=days(written))["version"]
    consult(client, tokens["business"], v, days(start), days(end))
    return v


def leader_token(engine: Engine, scope: list[str] | None, name: str = "scoped-leader") -> str:
    with unit_of_work(engine) as uow:
        return create_token(uow.session, name, "leader", scope=scope, kind="login")  # the leader signed in


# --- 6(a) no back-dating -------------------------------------------------------------------------------------

@pytest.mark.article("122号 Art.12")
def test_consultation_cannot_start_before_the_draft_existed_122_art12(gclient: TestClient, tokens) -> None:
    v = create(gclient, tokens["business"], sd_draft(gclient), on=days(-5))["version"]
    early = consult(gclient, tokens["business"], v, days(-6), days(10), 422)  # one day before the draft
    assert fields(early) == ["start_date"]
    assert days(-5).isoformat() in early["detail"][0]["reason_zh"] and "back-dating" in early["detail"][0]["reason_en"]
    assert gclient.get(f"/api/v1/standards/{v}", headers=auth(tokens["viewer"])).json()["lifecycle"]["status"] == "draft"
    ok = consult(gclient, tokens["business"], v, days(-5), days(10))  # the day the draft was written
    assert ok["lifecycle"]["consultation_start"] == days(-5).isoformat()


# --- 6(a) public comments during the consultation ------------------------------------------------------------

@pytest.mark.article("122号 Art.12")
def test_public_comments_are_taken_only_during_the_consultation_window_122_art12(gclient: TestClient, tokens
                                                                                 ) -> None:
    v = create(gclient, tokens["business"], sd_draft(gclient))["version"]
    body = {"text": "建议将超越资质承揽业务的扣分提高"}
    draft = comment(gclient, v, body, 409)  # a plain draft takes no comments
    assert fields(draft) == ["consultation_start"]
    consult(gclient, tokens["business"], v, days(1), days(16))
    before = comment(gclient, v, body, 409)  # starts tomorrow
    assert fields(before) == ["consultation_start"] and days(1).isoformat() in before["detail"][0]["reason_en"]
    consult(gclient, tokens["business"], v, days(0), days(15))
    first_day = comment(gclient, v, body)  # no token: the public
    assert first_day["version"] == v and first_day["text"] == body["text"]
    with clock_at(DayClock(days(15))):  # the last day counts
        comment(gclient, v, {"text": "最后一天的意见"})
    with clock_at(DayClock(days(16))):
        after = comment(gclient, v, {"text": "过期的意见"}, 409)
    assert fields(after) == ["consultation_end"] and days(15).isoformat() in after["detail"][0]["reason_zh"]
    assert comment(gclient, "survey_design-1999.9", body, 404)["detail"][0]["field"] == "version"
    assert comment(gclient, SD, body, 409)["detail"][0]["field"] == "consultation_start"  # in force
    counts = gclient.get(f"/api/v1/standards/{v}/comments").json()
    assert (counts["total"], counts["pending"]) == (2, 2)


@pytest.mark.article("122号 Art.12")
@pytest.mark.parametrize("body, field", [
    ({"text": ""}, "text"),
    ({"text": "   "}, "text"),
    ({"text": "意" * 5001}, "text"),
    ({}, "text"),
    ({"text": "ok", "name": "名" * 101}, "name"),
    ({"text": "ok", "contact": "1" * 201}, "contact"),
    ({"text": "ok", "email": "x@example.com"}, "email"),
    ({"text": 5}, "text"),
])
def test_comment_bounds_are_refused_naming_the_field_122_art12(gclient: TestClient, tokens, body, field) -> None:
    v = published(gclient, tokens, written=0, start=0, end=15)
    r = gclient.post(f"/api/v1/standards/{v}/comments", json=body)
    assert r.status_code == 422, r.text
    assert [d["field"] for d in r.json()["detail"]] == [field]
    assert all(d["reason_zh"] and d["reason_en"] for d in r.json()["detail"])
    assert gclient.get(f"/api/v1/standards/{v}/comments").json()["total"] == 0  # nothing written


@pytest.mark.article("122号 Art.12")
def test_comment_of_5000_characters_is_accepted_and_a_retry_is_the_same_comment_122_art12(
        gclient: TestClient, tokens) -> None:
    v = published(gclient, tokens, written=0, start=0, end=15)
    body = {"name": " 张三 ", "contact": "13800000000", "text": "意" * 5000}
    first = gclient.post(f"/api/v1/standards/{v}/comments", json=body)
    again = gclient.post(f"/api/v1/standards/{v}/comments", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and first.json()["name"] == "张三"
    other = comment(gclient, v, dict(body, text="另一条意见"))
    assert other["id"] != first.json()["id"]
    assert gclient.get(f"/api/v1/standards/{v}/comments").json()["total"] == 2
    with unit_of_work(gclient.app.state.engine) as uow:
        events = list(uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "standard.comment")))
    assert [(e.actor, e.role) for e in events] == [("public", "anonymous")] * 2  # one per new comment
    assert all("13800000000" not in (e.detail or "") for e in events)  # contact details stay out of the audit


@pytest.mark.article("122号 Art.12")
def test_comments_are_listed_to_staff_and_counted_for_the_public_122_art12(gclient: TestClient, tokens) -> None:
    v = published(gclient, tokens, written=0, start=0, end=15)
    comment(gclient, v, {"name": "李四", "contact": "lisi@example.com", "text": "建议增加测绘成果保密指标"})
    public = gclient.get(f"/api/v1/standards/{v}/comments").json()
    assert public == {"version": v, "total": 1, "pending": 1,
                      "by_decision": {"adopted": 0, "partly_adopted": 0, "not_adopted": 0}, "comments": None}
    staff = gclient.get(f"/api/v1/standards/{v}/comments", headers=auth(tokens["business"])).json()
    assert staff["comments"][0]["contact"] == "lisi@example.com" and staff["comments"][0]["decision"] is None
    leader = gclient.get(f"/api/v1/standards/{v}/comments", headers=auth(tokens["leader"])).json()
    assert leader["comments"][0]["text"].startswith("建议") and leader["comments"][0]["contact"] is None
    assert leader["comments"][0]["name"] is None
    viewer = gclient.get(f"/api/v1/standards/{v}/comments", headers=auth(tokens["viewer"])).json()
    assert viewer["comments"] is None
    hidden = create(gclient, tokens["business"], sd_draft(gclient))["version"]
    assert gclient.get(f"/api/v1/standards/{hidden}/comments").status_code == 401  # unpublished draft


# --- 6(a) dispositions, and approval waits for them ----------------------------------------------------------

@pytest.mark.article("122号 Art.12")
def test_approval_is_refused_while_a_comment_has_no_disposition_122_art12(gclient: TestClient, tokens) -> None:
    v = create(gclient, tokens["business"], sd_draft(gclient), on=days(-20))["version"]
    consult(gclient, tokens["business"], v, days(-20), days(0))
    with clock_at(DayClock(days(-3))):
        a = comment(gclient, v, {"text": "意见一"})
        b = comment(gclient, v, {"text": "意见二"})
    consult(gclient, tokens["business"], v, days(-20), days(-1))  # re-scheduled: ended yesterday
    refused = approve(gclient, tokens["leader"], v, today(), 422)
    assert fields(refused) == ["comments"] and "2" in refused["detail"][0]["reason_en"]
    done = dispose(gclient, tokens["business"], v, a["id"], "partly_adopted", "部分采纳：调整分值")
    assert (done["decision"], done["decided_by"]) == ("partly_adopted", "test-business")
    still = approve(gclient, tokens["leader"], v, today(), 422)  # one comment left: the boundary
    assert fields(still) == ["comments"] and str(b["id"]) in still["detail"][0]["reason_en"]
    dispose(gclient, tokens["business"], v, b["id"], "not_adopted", "与上位法不符")
    ok = approve(gclient, tokens["leader"], v, today())
    assert ok["lifecycle"]["status"] == "in_force"
    final = dispose(gclient, tokens["business"], v, b["id"], "adopted", "改为采纳", 409)
    assert fields(final) == ["status"]
    counts = gclient.get(f"/api/v1/standards/{v}/comments").json()
    assert counts["by_decision"] == {"adopted": 0, "partly_adopted": 1, "not_adopted": 1} and counts["pending"] == 0
    with unit_of_work(gclient.app.state.engine) as uow:
        actions = [e.action for e in uow.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert actions.count("standard.comment_disposition") == 2 and actions.count("standard.comment") == 2


@pytest.mark.article("122号 Art.12")
def test_only_the_drafting_department_answers_comments_122_art12(gclient: TestClient, tokens) -> None:
    v = published(gclient, tokens, written=0, start=0, end=15)
    c = comment(gclient, v, {"text": "意见"})
    other = dispose(gclient, tokens["coordinator"], v, c["id"], status=403)  # not survey_design's regulator
    assert fields(other) == ["industry"]
    dispose(gclient, tokens["hall"], v, c["id"], status=403)
    assert gclient.post(f"/api/v1/standards/{v}/comments/{c['id']}/disposition",
                        json={"decision": "adopted", "reason": "x"}).status_code == 401
    bad = gclient.post(f"/api/v1/standards/{v}/comments/{c['id']}/disposition",
                       json={"decision": "maybe", "reason": "x"}, headers=auth(tokens["business"]))
    assert bad.status_code == 422 and [d["field"] for d in bad.json()["detail"]] == ["decision"]
    empty = gclient.post(f"/api/v1/standards/{v}/comments/{c['id']}/disposition",
                         json={"decision": "adopted", "reason": ""}, headers=auth(tokens["business"]))
    assert empty.status_code == 422 and [d["field"] for d in empty.json()["detail"]] == ["reason"]
    missing = dispose(gclient, tokens["business"], v, 999999, status=404)
    assert fields(missing) == ["comment_id"]
    assert dispose(gclient, tokens["business"], v, 2**40, status=404)["detail"][0]["field"] == "comment_id"
    assert dispose(gclient, tokens["admin"], v, c["id"])["decision"] == "adopted"


# --- 6(d) a leader approves only what it is in charge of ----------------------------------------------------

@pytest.mark.article("122号 Art.12")
def test_a_leader_approves_only_the_standards_in_its_scope_122_art12(gclient: TestClient, tokens, clean) -> None:
    v = published(gclient, tokens)
    general_only = leader_token(clean, ["general"], "leader-general")
    r = approve(gclient, general_only, v, today(), 403)
    assert fields(r) == ["Authorization"]
    assert "survey_design" in r["detail"][0]["reason_en"] and "第十二条" in r["detail"][0]["reason_zh"]
    assert gclient.get(f"/api/v1/standards/{v}").json()["lifecycle"]["status"] == "consultation"
    in_charge = leader_token(clean, ["general", "survey_design"], "leader-sd")
    assert approve(gclient, in_charge, v, today())["lifecycle"]["approved_by"] == "leader-sd"


@pytest.mark.article("122号 Art.12")
def test_a_general_standard_needs_a_leader_in_charge_of_general_122_art12(gclient: TestClient, tokens, clean
                                                                          ) -> None:
    v = create(gclient, tokens["coordinator"], content(gclient, "general-2024.1"), on=days(-20))["version"]
    consult(gclient, tokens["coordinator"], v, days(-20), days(-1))
    approve(gclient, leader_token(clean, ["survey_design"], "leader-sd"), v, days(400), 403)
    assert approve(gclient, leader_token(clean, ["general"], "leader-gen"), v, days(400))["lifecycle"][
        "status"] == "approved"


@pytest.mark.article("122号 Art.12")
def test_no_api_credential_mints_a_leader_coordinator_or_admin_credential_122_art12(gclient: TestClient, tokens
                                                                                  ) -> None:
    """Issue 12 item 2: leader, coordinator and admin credentials come from the server console only (the scope of a
    leader credential is validated there: tests/cli/test_cli.py); a docking credential may carry no scope."""
    for granter in ("admin", "support"):
        for role in ("leader", "coordinator", "admin"):
            r = gclient.post("/api/v1/tokens", json={"name": f"x-{role}", "role": role, "scope": ["general"]},
                             headers=auth(tokens[granter]))
            assert r.status_code == 403 and r.json()["detail"][0]["field"] == "role", (granter, role, r.text)
            assert "控制台" in r.json()["detail"][0]["reason_zh"]
    r = gclient.post("/api/v1/tokens", json={"name": "x", "role": "viewer", "scope": ["general"]},
                     headers=auth(tokens["admin"]))
    assert r.status_code == 422 and [d["field"] for d in r.json()["detail"]] == ["scope"], r.text
    assert gclient.post("/api/v1/tokens", json={"name": "dock", "role": "business", "department": "kanchasheji"},
                        headers=auth(tokens["support"])).status_code == 201


@pytest.mark.article("122号 Art.12")
def test_a_leader_machine_token_cannot_approve_only_a_leader_signed_in_122_art12(gclient: TestClient, tokens,
                                                                               clean) -> None:
    v = published(gclient, tokens)
    with unit_of_work(clean) as uow:
        machine = create_token(uow.session, "leader-by-console", "leader")  # an API token, not a person
    r = gclient.post(f"/api/v1/standards/{v}/approve", json={"effective_date": today().isoformat()},
                     headers=auth(machine))
    assert r.status_code == 403 and r.json()["detail"][0]["field"] == "Authorization", r.text
    assert "登录" in r.json()["detail"][0]["reason_zh"]
    assert approve(gclient, leader_token(clean, None, "in-person"), v, today())["lifecycle"]["status"] == "in_force"


@pytest.mark.article("122号 Art.12")
def test_a_leader_without_a_scope_stays_in_charge_of_every_standard_122_art12(gclient: TestClient, tokens,
                                                                             clean) -> None:
    """docs/decisions.md: credentials issued before scopes existed keep working (backward compatible)."""
    v = published(gclient, tokens)
    assert approve(gclient, leader_token(clean, None, "legacy"), v, today())["lifecycle"]["status"] == "in_force"
