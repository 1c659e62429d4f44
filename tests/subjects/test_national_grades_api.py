"""Dated national credit levels (国家信用评价等级, 122号 Art.6 基础信用信息): the base of a period is the level
effective on its first day (Art.13); a change inside a period applies from the next one (spec G1-15)."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.api._api_helpers import make_subject
from tests.conftest import auth
from xinyong.core.clock import DayClock, clock_at


def _base(client: TestClient, code: str, as_of: str) -> int:
    r = client.get(f"/api/v1/subjects/{code}/evaluation", params={"as_of": as_of})
    assert r.status_code == 200, r.text
    return int(r.json()["base_score"])


@pytest.mark.article("122号 Art.13")
def test_art13_a_level_that_changes_mid_period_seeds_the_next_period_not_this_one(
        client: TestClient, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(date(2025, 3, 1))):
        code = make_subject(client, tokens["admin"], grade="B")["code"]
    with clock_at(DayClock(date(2026, 3, 10))):
        r = client.post(f"/api/v1/subjects/{code}/national-grades", headers=auth(tokens["support"]),
                        json={"grade": "A", "effective_on": "2025-09-01", "source": "信用中国 2025年第3批"})
        assert r.status_code == 201, r.text
        assert r.json()["grade"] == "A" and r.json()["effective_on"] == "2025-09-01"
        assert _base(client, code, "2025-12-31") == 650  # 2025 was seeded with B on 1 January (G1-15)
        assert _base(client, code, "2026-03-10") == 800  # 2026 is seeded with A
        again = client.post(f"/api/v1/subjects/{code}/national-grades", headers=auth(tokens["support"]),
                            json={"grade": "A", "effective_on": "2025-09-01", "source": "信用中国 2025年第3批"})
        assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
        history = client.get(f"/api/v1/subjects/{code}/national-grades").json()
        assert [(h["grade"], h["effective_on"]) for h in history] == [("B", "2025-03-01"), ("A", "2025-09-01")]
        assert client.get(f"/api/v1/subjects/{code}").json()["national_grade"] == "A"
        stored = client.get("/api/v1/subjects", params={"q": code}).json()["items"][0]["evaluation"]
        assert stored["score"] == 800  # re-evaluated in real time
        kinds = [e["kind"] for e in client.get(f"/api/v1/subjects/{code}/archive",
                                                headers=auth(tokens["admin"])).json()["entries"]]
        assert "national_grade_recorded" in kinds


@pytest.mark.article("122号 Art.15")
def test_art15_the_earliest_known_level_seeds_a_period_that_began_before_it(
        client: TestClient, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(date(2026, 3, 10))):
        code = make_subject(client, tokens["admin"], grade="C")["code"]  # first known on 2026-03-10
        assert _base(client, code, "2026-03-10") == 500
        r = client.post(f"/api/v1/subjects/{code}/national-grades", headers=auth(tokens["admin"]),
                        json={"grade": None, "effective_on": "2026-03-10", "source": "撤销评价"})
        assert r.status_code == 201 and r.json()["grade"] is None


def test_national_grade_refusals_name_the_field(client: TestClient, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(date(2026, 3, 10))):
        code = make_subject(client, tokens["admin"], grade="B")["code"]
        url = f"/api/v1/subjects/{code}/national-grades"
        future = client.post(url, headers=auth(tokens["admin"]),
                             json={"grade": "A", "effective_on": "2026-03-11", "source": "x"})
        assert future.status_code == 422 and future.json()["detail"][0]["field"] == "effective_on"
        bad = client.post(url, headers=auth(tokens["admin"]), json={"grade": "E", "effective_on": "2026-03-01",
                                                                    "source": "x"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "grade"
        assert client.post(url, json={"grade": "A", "effective_on": "2026-03-01", "source": "x"}).status_code == 401
        assert client.post(url, headers=auth(tokens["viewer"]),
                           json={"grade": "A", "effective_on": "2026-03-01", "source": "x"}).status_code == 403
        missing = client.post("/api/v1/subjects/91110105MA00000000/national-grades", headers=auth(tokens["admin"]),
                              json={"grade": "A", "effective_on": "2026-03-01", "source": "x"})
        assert missing.status_code == 404
