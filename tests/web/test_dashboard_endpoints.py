"""The dashboard's read endpoints (issue 11 item 2): score counts per scope and the grade trend rebuilt from the
archived evaluation changes (122号 Art.19)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import auth, new_uscc
from xinyong.core.clock import beijing_now


def _subject(client: TestClient, token: str) -> str:
    r = client.post("/api/v1/subjects", headers=auth(token), json={
        "code": new_uscc(), "name": "看板测试", "kind": "organization", "national_grade": "B", "industries": []})
    assert r.status_code == 201, r.text
    return str(r.json()["code"])


def test_score_counts_and_trend_follow_the_evaluations(client: TestClient, tokens: dict[str, str]) -> None:
    codes = [_subject(client, tokens["admin"]) for _ in range(3)]
    before = client.get("/api/v1/stats/scores").json()
    assert before["scope"] == "general" and before["total"] == 3
    assert sum(s["count"] for s in before["scores"]) == 3
    base = before["scores"][0]["score"]
    rec = client.post("/api/v1/records", headers=auth(tokens["business"]), json={
        "subject": codes[0], "item": "GEN-B01", "act_date": beijing_now().date().isoformat(),
        "department": "kanchasheji", "source_ref": f"D-{new_uscc()}"})
    assert rec.status_code == 201, rec.text
    after = {s["score"]: s["count"] for s in client.get("/api/v1/stats/scores").json()["scores"]}
    assert after[base] == 2 and sum(after.values()) == 3 and len(after) == 2

    trend = client.get("/api/v1/stats/trend?months=3").json()
    assert trend["scope"] == "general" and len(trend["months"]) == 3
    now = trend["months"][-1]
    assert now["month"] == beijing_now().strftime("%Y-%m")
    dist = client.get("/api/v1/stats/distribution").json()["grades"]
    assert now["grades"] == dist  # the current month ends today: the stored distribution
    assert now["new"] == 3 and now["upgrades"] + now["downgrades"] == 1
    # before this month nobody was evaluated yet: the roll-back empties every grade
    assert all(n == 0 for n in trend["months"][0]["grades"].values())


def test_unknown_industry_and_range_are_refused(client: TestClient) -> None:
    assert client.get("/api/v1/stats/scores?industry=nope").json()["detail"][0]["field"] == "industry"
    assert client.get("/api/v1/stats/trend?industry=nope").status_code == 422
    assert client.get("/api/v1/stats/trend?months=37").status_code == 422
