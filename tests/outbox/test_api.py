"""Receivers and the pull endpoint over HTTP (44号 Task 14 及时共享、及时更新; issue 8 item 5)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import auth
from tests.outbox.conftest import SECRET, HookReceiver, publish
from xinyong.outbox.delivery import deliver_due

pytestmark = pytest.mark.article("44号 Task 14")


def _body(**over: Any) -> dict[str, Any]:
    return {"name": "信用北京", "url": "https://credit.example.gov.cn/hooks/xinyong", "secret": SECRET,
            "events": ["grade_changed", "listing_removed"], **over}


def test_a_receiver_is_registered_and_its_secret_never_comes_back(client: TestClient, tokens: dict[str, str]
                                                                   ) -> None:
    r = client.post("/api/v1/receivers", json=_body(), headers=auth(tokens["support"]))
    assert r.status_code == 201, r.text
    out = r.json()
    assert SECRET not in r.text and "secret" not in out
    assert (out["name"], out["url"], out["events"], out["active"]) == (
        "信用北京", "https://credit.example.gov.cn/hooks/xinyong", ["grade_changed", "listing_removed"], True)
    assert (out["position"], out["pending"], out["dead_letters"], out["created_by"]) == (0, 0, 0, "test-support")
    listed = client.get("/api/v1/receivers", headers=auth(tokens["admin"]))
    assert listed.status_code == 200 and SECRET not in listed.text
    assert [x["id"] for x in listed.json()] == [out["id"]]


@pytest.mark.parametrize("over, field", [
    ({"url": "ftp://credit.example.gov.cn/x"}, "url"),
    ({"url": "credit.example.gov.cn/x"}, "url"),
    ({"url": "https://user:pw@credit.example.gov.cn/x"}, "url"),
    ({"url": "http://credit.example.gov.cn:99999/x"}, "url"),
    ({"events": ["grade_changed", "weather_changed"]}, "events"),
    ({"secret": "short"}, "secret"),
    ({"name": "   "}, "name"),
    ({"after": 5}, "after"),
])
def test_a_bad_registration_is_refused_naming_the_field(client: TestClient, tokens: dict[str, str],
                                                        over: dict[str, Any], field: str) -> None:
    r = client.post("/api/v1/receivers", json=_body(**over), headers=auth(tokens["admin"]))
    assert r.status_code == 422, r.text
    assert field in r.text
    assert client.get("/api/v1/receivers", headers=auth(tokens["admin"])).json() == []


def test_a_second_receiver_of_the_same_name_conflicts(client: TestClient, tokens: dict[str, str]) -> None:
    assert client.post("/api/v1/receivers", json=_body(), headers=auth(tokens["admin"])).status_code == 201
    r = client.post("/api/v1/receivers", json=_body(url="http://127.0.0.1:9/x"), headers=auth(tokens["admin"]))
    assert r.status_code == 409 and "name" in r.text


@pytest.mark.parametrize("role", ["viewer", "business", "hall", "leader", "coordinator"])
def test_only_operations_manage_receivers(client: TestClient, tokens: dict[str, str], role: str) -> None:
    assert client.post("/api/v1/receivers", json=_body(), headers=auth(tokens[role])).status_code == 403
    assert client.get("/api/v1/receivers", headers=auth(tokens[role])).status_code == 403
    assert client.get("/api/v1/receivers").status_code == 401


def test_unknown_receivers_are_404(client: TestClient, tokens: dict[str, str]) -> None:
    h = auth(tokens["admin"])
    assert client.post("/api/v1/receivers/999/disable", headers=h).status_code == 404
    assert client.post("/api/v1/receivers/999/redeliver", headers=h).status_code == 404
    assert client.get("/api/v1/receivers/999/dead-letters", headers=h).status_code == 404


def test_the_change_types_are_listed_with_their_articles(client: TestClient) -> None:
    r = client.get("/api/v1/change-types")
    assert r.status_code == 200
    types = {t["type"]: t for t in r.json()}
    assert {"grade_changed", "subject_listed", "listing_removed", "record_repaired", "case_resolved",
            "commitment_breached"} <= set(types)
    assert types["record_repaired"]["reference"] == "122号 Art.18"


def test_changes_are_pulled_in_pages_with_the_pushed_bodies(clean: Engine, client: TestClient, tokens: dict[str, str],
                                                            receiver: HookReceiver) -> None:
    h = auth(tokens["coordinator"])
    r = client.post("/api/v1/receivers", json={"name": "push", "url": receiver.url, "secret": SECRET, "after": 0},
                    headers=auth(tokens["admin"]))
    assert r.status_code == 201, r.text
    for i in range(7):
        publish(clean, i, kind="subject_listed" if i % 3 == 0 else "grade_changed")
    pages, after = [], 0
    while True:
        r = client.get("/api/v1/changes", params={"after": after, "limit": 3}, headers=h)
        assert r.status_code == 200, r.text
        page = r.json()
        pages.append([c["seq"] for c in page["changes"]])
        after = page["next_after"]
        if not page["has_more"]:
            break
    assert pages == [[1, 2, 3], [4, 5, 6], [7]] and after == 7
    r = client.get("/api/v1/changes", params={"after": 7}, headers=h)
    assert r.json() == {"changes": [], "next_after": 7, "has_more": False}  # nothing new: read again from 7
    r = client.get("/api/v1/changes", params={"after": 0, "type": "subject_listed"}, headers=h)
    assert [c["seq"] for c in r.json()["changes"]] == [1, 4, 7]
    deliver_due(clean)
    pulled = client.get("/api/v1/changes", params={"after": 0, "limit": 1000}, headers=h).json()["changes"]
    assert pulled == [x.body for x in receiver.got]  # the same bodies, pushed or pulled


@pytest.mark.parametrize("params", [{"after": -1}, {"limit": 0}, {"limit": 1001}, {"type": "nonsense"}])
def test_bad_pull_parameters_are_refused(client: TestClient, tokens: dict[str, str], params: dict[str, Any]) -> None:
    assert client.get("/api/v1/changes", params=params, headers=auth(tokens["admin"])).status_code == 422


def test_who_may_pull(client: TestClient, tokens: dict[str, str]) -> None:
    assert client.get("/api/v1/changes").status_code == 401
    for role in ("viewer", "business", "hall", "leader"):
        assert client.get("/api/v1/changes", headers=auth(tokens[role])).status_code == 403
    for role in ("admin", "coordinator", "support"):
        assert client.get("/api/v1/changes", headers=auth(tokens[role])).status_code == 200
