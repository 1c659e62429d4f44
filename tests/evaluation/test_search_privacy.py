"""Issue 12 item 1: the subject search is no oracle for resident ID numbers (spec G1-17)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api._api_helpers import make_subject
from tests.conftest import auth, new_resident_id


def _search(client: TestClient, q: str, token: str | None = None) -> dict:
    r = client.get("/api/v1/subjects", params={"q": q}, headers=auth(token) if token else {})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_an_individual_is_found_by_its_whole_id_or_name_never_by_part_of_its_id(client: TestClient, tokens) -> None:
    rid = new_resident_id()
    make_subject(client, tokens["admin"], kind="individual", code=rid, name="王小明")
    for who in (None, tokens["viewer"], tokens["leader"]):
        for partial in (rid[:10], rid[:-1], rid[6:14], rid[:6] + "_" * 12, rid[:-4] + "%"):
            assert _search(client, partial, who)["total"] == 0, (partial, who)
        whole = _search(client, rid, who)
        assert whole["total"] == 1 and whole["items"][0]["code"] != rid  # found, shown masked
        assert _search(client, rid.lower(), who)["total"] == 1  # a lower-case x check digit is the same ID
        assert _search(client, "王小", who)["total"] == 1
    # a right and a wrong guess of the hidden digits answer exactly alike
    wrong = rid[:6] + ("0" if rid[6] != "0" else "1") + rid[7:10]
    assert _search(client, rid[:10]) == _search(client, wrong)


def test_staff_with_personal_data_need_still_search_by_part_of_an_id(client: TestClient, tokens) -> None:
    rid = new_resident_id()
    make_subject(client, tokens["admin"], kind="individual", code=rid, name="李四")
    found = _search(client, rid[:10], tokens["hall"])
    assert found["total"] == 1 and found["items"][0]["code"] == rid


def test_an_organisation_is_still_found_by_part_of_its_code_and_wildcards_are_literal(client: TestClient,
                                                                                      tokens) -> None:
    org = make_subject(client, tokens["admin"], name="测试_设计院")["code"]
    assert _search(client, org[2:12])["total"] == 1
    assert _search(client, "测试_设计")["total"] == 1
    assert _search(client, "测试%院")["total"] == 0  # % is a character here, not "anything"


def test_an_overlong_search_is_a_422_naming_q(client: TestClient) -> None:
    r = client.get("/api/v1/subjects", params={"q": "x" * 50_000})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "q", r.text[:300]
