"""Subjects through the API: registration, reading, 409 on an existing code, masking of resident ID numbers
(122号 第二条, 第九条; spec G1-17)."""

from __future__ import annotations

import re

import pytest
from _api_helpers import make_subject, post_record
from fastapi.testclient import TestClient

from tests.conftest import auth, new_resident_id, new_uscc

MASK = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


@pytest.mark.article("122号 Art.9")
def test_post_subject_returns_201_with_the_subject_122_art9(client: TestClient, tokens: dict[str, str]) -> None:
    code = new_uscc()
    body = {"code": code, "name": "北京测试勘察设计院", "kind": "organization", "national_grade": "B",
            "industries": ["survey_design", "verification"]}
    r = client.post("/api/v1/subjects", json=body, headers=auth(tokens["admin"]))
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["code"] == code
    assert out["name"] == "北京测试勘察设计院"
    assert out["kind"] == "organization"
    assert out["national_grade"] == "B"
    assert sorted(out["industries"]) == ["survey_design", "verification"]

    r = client.get(f"/api/v1/subjects/{code}")
    assert r.status_code == 200
    got = r.json()
    assert {k: got[k] for k in ("code", "name", "kind", "national_grade")} == {
        "code": code, "name": "北京测试勘察设计院", "kind": "organization", "national_grade": "B"}
    assert sorted(got["industries"]) == ["survey_design", "verification"]


def test_post_subject_without_national_grade_or_industries(client: TestClient, tokens: dict[str, str]) -> None:
    code = new_uscc()
    r = client.post("/api/v1/subjects", json={"code": code, "name": "无等级单位", "kind": "organization"},
                    headers=auth(tokens["coordinator"]))
    assert r.status_code == 201, r.text
    assert r.json()["national_grade"] is None
    assert r.json()["industries"] == []
    assert client.get(f"/api/v1/subjects/{code}").json()["national_grade"] is None


@pytest.mark.article("122号 Art.19")
def test_post_subject_existing_code_returns_409_122_art19(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="A", name="原名称")
    again = {"code": subject["code"], "name": "另一个名称", "kind": "organization", "national_grade": "C",
             "industries": []}
    r = client.post("/api/v1/subjects", json=again, headers=auth(tokens["admin"]))
    assert r.status_code == 409
    [problem] = r.json()["detail"]
    assert problem["field"] == "code"
    assert problem["reason_zh"] and problem["reason_en"]
    # the stored subject is untouched
    got = client.get(f"/api/v1/subjects/{subject['code']}").json()
    assert got["name"] == "原名称" and got["national_grade"] == "A"
    # identical content is still the same code: 409 as well (one subject, one file)
    same = {"code": subject["code"], "name": "原名称", "kind": "organization", "national_grade": "A",
            "industries": []}
    assert client.post("/api/v1/subjects", json=same, headers=auth(tokens["admin"])).status_code == 409
    assert client.get("/api/v1/subjects", params={"q": subject["code"]}).json()["total"] == 1


def test_post_subject_lowercase_code_is_the_same_subject_409(client: TestClient, tokens: dict[str, str]) -> None:
    code = new_uscc()
    while code.isdigit():  # need a letter so lower-casing changes it
        code = new_uscc()
    make_subject(client, tokens["admin"], code=code)
    r = client.post("/api/v1/subjects", json={"code": code.lower(), "name": "x", "kind": "organization"},
                    headers=auth(tokens["admin"]))
    assert r.status_code == 409
    assert client.get(f"/api/v1/subjects/{code.lower()}").json()["code"] == code


def test_get_unknown_subject_returns_404(client: TestClient) -> None:
    r = client.get(f"/api/v1/subjects/{new_uscc()}")
    assert r.status_code == 404
    [problem] = r.json()["detail"]
    assert problem["field"] == "code"
    assert problem["reason_zh"] and problem["reason_en"]
    assert client.get(f"/api/v1/subjects/{new_uscc()}/evaluation").status_code == 404


def test_subject_list_shows_registered_subjects(client: TestClient, tokens: dict[str, str]) -> None:
    a = make_subject(client, tokens["admin"], name="甲单位", industries=["survey_design"])
    b = make_subject(client, tokens["admin"], name="乙单位", industries=["verification"])
    r = client.get("/api/v1/subjects")
    assert r.status_code == 200
    listed = {s["code"] for s in r.json()["items"]}
    assert {a["code"], b["code"]} == listed
    assert r.json()["total"] == 2
    r = client.get("/api/v1/subjects", params={"industry": "survey_design"})
    assert [s["code"] for s in r.json()["items"]] == [a["code"]]


def test_individual_resident_id_masked_without_token_g1_17(client: TestClient, tokens: dict[str, str]) -> None:
    rid = new_resident_id()
    make_subject(client, tokens["admin"], kind="individual", code=rid, name="张测试")
    expected = rid[:6] + "********" + rid[14:]

    r = client.get(f"/api/v1/subjects/{rid}")
    assert r.status_code == 200
    assert r.json()["code"] == expected
    assert MASK.match(r.json()["code"])
    assert rid not in r.text and rid[6:14] not in r.text  # the birth date never leaks

    r = client.get("/api/v1/subjects", params={"q": "张测试"})
    assert r.status_code == 200
    [item] = r.json()["items"]
    assert item["code"] == expected
    assert rid not in r.text


def test_individual_resident_id_full_with_admin_token_g1_17(client: TestClient, tokens: dict[str, str]) -> None:
    rid = new_resident_id()
    make_subject(client, tokens["admin"], kind="individual", code=rid, name="李测试")
    r = client.get(f"/api/v1/subjects/{rid}", headers=auth(tokens["admin"]))
    assert r.status_code == 200
    assert r.json()["code"] == rid
    r = client.get("/api/v1/subjects", params={"q": "李测试"}, headers=auth(tokens["admin"]))
    assert [s["code"] for s in r.json()["items"]] == [rid]


def test_individual_resident_id_masked_for_viewer_and_leader_g1_17(client: TestClient, tokens: dict[str, str]
                                                                    ) -> None:
    rid = new_resident_id()
    make_subject(client, tokens["admin"], kind="individual", code=rid, name="王测试")
    for role in ("viewer", "leader"):
        r = client.get(f"/api/v1/subjects/{rid}", headers=auth(tokens[role]))
        assert r.status_code == 200
        assert r.json()["code"] == rid[:6] + "********" + rid[14:], role


def test_individual_masked_in_evaluation_and_records_without_token_g1_17(client: TestClient,
                                                                          tokens: dict[str, str]) -> None:
    rid = new_resident_id()
    make_subject(client, tokens["admin"], kind="individual", code=rid, industries=["surveying_mapping"])
    post_record(client, tokens["admin"], rid, "SM-B01", department="guotucehui")
    for path in (f"/api/v1/subjects/{rid}/evaluation", f"/api/v1/subjects/{rid}/records"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert rid not in r.text, path
        assert rid[:6] + "********" + rid[14:] in r.text, path


def test_organization_code_never_masked(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"])
    assert client.get(f"/api/v1/subjects/{subject['code']}").json()["code"] == subject["code"]


@pytest.mark.article("122号 Art.9")
def test_individual_registered_with_resident_id_122_art9(client: TestClient, tokens: dict[str, str]) -> None:
    rid = new_resident_id()
    r = client.post("/api/v1/subjects", json={"code": rid, "name": "赵测试", "kind": "individual",
                                              "national_grade": None, "industries": ["surveying_mapping"]},
                    headers=auth(tokens["admin"]))
    assert r.status_code == 201, r.text
    assert r.json()["code"] == rid  # the writer sees what it wrote
    assert r.json()["kind"] == "individual"
