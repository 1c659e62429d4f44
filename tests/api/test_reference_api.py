"""Reference data through the API: industries, departments, the catalogue, the calendar, the OpenAPI document
(122号 第四条, 第七条, 第十一条, 第十六条, 第二十七条)."""

from __future__ import annotations

import re

import pytest
from _api_helpers import make_subject, post_record
from fastapi.testclient import TestClient

ART4_INDUSTRIES = {"survey_design", "surveying_mapping", "fire_design_review", "verification", "land_development"}
FUSE_ARTICLES_OTHER_THAN_HEAVIER = {"(一)", "(二)", "(三)", "(四)", "(五)", "(七)"}


@pytest.mark.article("122号 Art.4(2)")
def test_industries_list_code_and_name_includes_five_of_122_art4_2(client: TestClient) -> None:
    r = client.get("/api/v1/industries")
    assert r.status_code == 200
    body = r.json()
    assert isinstance(body, list)
    for row in body:
        assert isinstance(row["code"], str) and row["code"]
        assert isinstance(row["name"], str) and row["name"]
    codes = [row["code"] for row in body]
    assert len(codes) == len(set(codes))
    assert ART4_INDUSTRIES <= set(codes)
    names = {row["code"]: row["name"] for row in body}
    assert names["survey_design"] == "勘察设计"


@pytest.mark.article("122号 Art.27")
def test_departments_list_code_and_name_includes_122_art27_departments(client: TestClient) -> None:
    r = client.get("/api/v1/departments")
    assert r.status_code == 200
    body = r.json()
    for row in body:
        assert isinstance(row["code"], str) and row["code"]
        assert isinstance(row["name"], str) and row["name"]
    names = {row["code"]: row["name"] for row in body}
    assert len(names) == len(body)
    assert names["kanchasheji"] == "勘察设计处"
    assert names["fazhi"] == "法制处"
    assert names["zhifa"] == "执法总队"
    assert len(body) >= 31  # the 31 business departments of 第二十七条 plus coordinating/support/hall


@pytest.mark.article("122号 Art.8")
def test_record_department_is_one_of_the_listed_codes_122_art8(client: TestClient, tokens: dict[str, str]) -> None:
    departments = {row["code"] for row in client.get("/api/v1/departments").json()}
    subject = make_subject(client, tokens["admin"])
    rec = post_record(client, tokens["admin"], subject["code"], "GEN-B01", department="zhifa")
    assert rec["department"] == "zhifa"
    assert rec["department"] in departments


@pytest.mark.article("122号 Art.7", "122号 Art.11")
def test_catalogue_item_shape_and_types_122_art7_122_art11(client: TestClient) -> None:
    r = client.get("/api/v1/catalogue")
    assert r.status_code == 200
    items = r.json()
    assert items, "the catalogue is empty"
    industries = {row["code"] for row in client.get("/api/v1/industries").json()}
    codes = [it["code"] for it in items]
    assert len(codes) == len(set(codes)), "item codes must be unique"
    for it in items:
        assert {"code", "name", "polarity", "family", "industry", "points", "cap", "fuse", "heavier",
                "article"} <= set(it), it
        assert isinstance(it["code"], str) and it["code"]
        assert isinstance(it["name"], str) and it["name"]
        assert it["polarity"] in ("good", "bad")
        assert it["family"] in ("general", "industry")
        # a fuse-only item may carry 0 points (122号 Art.16 sets the level whatever the score; issue 7 item 6(c))
        assert type(it["points"]) is int and (it["points"] > 0 or (it["fuse"] and it["points"] == 0)), it
        assert it["cap"] is None or (type(it["cap"]) is int and it["cap"] >= it["points"]), it
        assert type(it["fuse"]) is bool and type(it["heavier"]) is bool
        assert isinstance(it["article"], str) and it["article"].strip(), f"{it['code']} cites no article"
        # industry null iff the item is general
        if it["family"] == "general":
            assert it["industry"] is None, it
        else:
            assert it["industry"] in industries, it


@pytest.mark.article("122号 Art.11(1)")
def test_catalogue_has_general_and_every_industry_both_polarities_122_art11_1(client: TestClient) -> None:
    items = client.get("/api/v1/catalogue").json()
    buckets = {(it["industry"], it["polarity"]) for it in items}
    for industry in [None, *sorted(ART4_INDUSTRIES)]:
        assert (industry, "good") in buckets, industry
        assert (industry, "bad") in buckets, industry


@pytest.mark.article("122号 Art.16")
def test_catalogue_covers_every_fuse_trigger_122_art16(client: TestClient) -> None:
    items = client.get("/api/v1/catalogue").json()
    covered = set()
    for it in items:
        if it["fuse"]:
            assert it["polarity"] == "bad", it
            assert it["fuse_article"] and "第十六条" in it["fuse_article"], it
            m = re.search(r"第十六条(\([一二三四五六七]\))", it["fuse_article"])
            assert m, it["fuse_article"]
            covered.add(m.group(1))
        else:
            assert not it.get("fuse_article"), it
    assert FUSE_ARTICLES_OTHER_THAN_HEAVIER <= covered, FUSE_ARTICLES_OTHER_THAN_HEAVIER - covered


@pytest.mark.article("122号 Art.16(6)")
def test_catalogue_heavier_penalty_items_exist_for_122_art16_6(client: TestClient) -> None:
    items = client.get("/api/v1/catalogue").json()
    heavier = [it for it in items if it["heavier"]]
    assert heavier
    assert all(it["polarity"] == "bad" for it in heavier)
    # a heavier penalty can be entered in the general family and in every industry
    assert {it["industry"] for it in heavier} >= {None} | ART4_INDUSTRIES


@pytest.mark.article("122号 Art.11(1)")
def test_every_industry_has_a_work_safety_item_122_art11_1(client: TestClient) -> None:
    items = client.get("/api/v1/catalogue").json()
    industries = {row["code"] for row in client.get("/api/v1/industries").json()}
    with_safety = {it["industry"] for it in items if it["family"] == "industry" and it.get("work_safety")}
    assert industries <= with_safety, industries - with_safety


@pytest.mark.article("122号 Art.11(2)")
def test_catalogue_budgets_fit_score_range_122_art11_2(client: TestClient) -> None:
    """Each item's points and cap fit its family budget (general 50/100, industry 100/350)."""
    budget = {("general", "good"): 50, ("general", "bad"): 100, ("industry", "good"): 100, ("industry", "bad"): 350}
    for it in client.get("/api/v1/catalogue").json():
        assert it["points"] <= budget[(it["family"], it["polarity"])], it
        if it["cap"] is not None:
            assert it["cap"] <= budget[(it["family"], it["polarity"])], it


@pytest.mark.article("122号 Art.8(1)")
def test_add_workdays_tuesday_plus_five_is_next_tuesday_122_art8_1(client: TestClient) -> None:
    r = client.get("/api/v1/calendar/add-workdays", params={"start": "2026-03-10", "days": 5})
    assert r.status_code == 200
    assert r.json() == {"date": "2026-03-17"}


def test_add_workdays_skips_national_day_holiday(client: TestClient) -> None:
    # 2026-09-30 (Wed) + 1 working day: 10-01..10-07 are holidays -> 10-08
    r = client.get("/api/v1/calendar/add-workdays", params={"start": "2026-09-30", "days": 1})
    assert r.status_code == 200
    assert r.json() == {"date": "2026-10-08"}


def test_add_workdays_bad_input_is_422_naming_field(client: TestClient) -> None:
    r = client.get("/api/v1/calendar/add-workdays", params={"start": "2026-13-01", "days": 5})
    assert r.status_code == 422
    assert [p["field"] for p in r.json()["detail"]] == ["start"]
    r = client.get("/api/v1/calendar/add-workdays", params={"start": "2026-03-10", "days": "five"})
    assert r.status_code == 422
    assert [p["field"] for p in r.json()["detail"]] == ["days"]
    r = client.get("/api/v1/calendar/add-workdays", params={"start": "2026-03-10"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "days"


CONTRACT_PATHS = {
    ("get", "/api/v1/industries"),
    ("get", "/api/v1/departments"),
    ("get", "/api/v1/catalogue"),
    ("post", "/api/v1/subjects"),
    ("get", "/api/v1/subjects"),
    ("get", "/api/v1/subjects/{}"),
    ("get", "/api/v1/subjects/{}/evaluation"),
    ("post", "/api/v1/records"),
    ("post", "/api/v1/records/bulk"),
    ("post", "/api/v1/records/{}/withdraw"),
    ("get", "/api/v1/calendar/add-workdays"),
}


def test_openapi_describes_every_contract_path(client: TestClient) -> None:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    described = {(method, re.sub(r"\{[^}]+\}", "{}", path))
                 for path, ops in doc["paths"].items() for method in ops}
    assert CONTRACT_PATHS <= described, CONTRACT_PATHS - described


def test_openapi_documents_evaluation_query_and_record_body(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    ev = doc["paths"]["/api/v1/subjects/{code}/evaluation"]["get"]
    params = {p["name"]: p for p in ev["parameters"]}
    assert {"code", "industry", "as_of"} <= set(params)
    assert params["industry"].get("required", False) is False
    assert params["as_of"].get("required", False) is False
    rec = doc["paths"]["/api/v1/records"]["post"]
    ref = rec["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"subject", "item", "act_date", "department", "source_ref", "note"} <= set(schema["properties"])
    assert set(schema["required"]) == {"subject", "item", "act_date", "department", "source_ref"}
    sub = doc["paths"]["/api/v1/subjects"]["post"]
    ref = sub["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"code", "name", "kind", "national_grade", "industries"} <= set(schema["properties"])
    # writes declare the bearer scheme
    assert any("HTTPBearer" in (s or {}) for s in rec.get("security", [])), rec.get("security")


def test_no_page_depends_on_a_cdn_swagger_ui_is_off_and_openapi_stays(client) -> None:
    """Intranet deployments reach no CDN: the Swagger/ReDoc pages (CDN scripts) are off, /openapi.json is on."""
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").status_code == 200


@pytest.mark.article("122号 Art.7")
def test_art6_art7_the_collection_vocabularies_are_served_from_the_data(client: TestClient) -> None:
    import yaml

    from xinyong.reference.service import COLLECTION_FILE

    data = yaml.safe_load(COLLECTION_FILE.read_text(encoding="utf-8"))
    body = client.get("/api/v1/collection").json()
    assert body["info_classes"] == data["info_classes"]["values"]
    assert body["admin_categories"] == {"good": data["admin_categories"]["good"], "bad": data["admin_categories"]["bad"]}
    assert {i["code"] for i in body["items"]} == {i["code"] for i in data["collection_items"]}
