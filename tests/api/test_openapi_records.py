"""Issue 6 item 3 for the records, subjects, evaluation and listings domains: every route declares its response
body and documents its refusals, and real bodies — every key of them — validate against the published
/openapi.json (`closed`: a model declares each key the body carries, which matters where a route returns a
JSONResponse that its model does not filter)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api._api_helpers import new_ref, record_body
from tests.conftest import auth, new_uscc
from tests.web.test_openapi_contract import SchemaMismatch, check, declaration_problems, our_routes
from xinyong.core.clock import DayClock, clock_at

MODULES = ("xinyong.records.", "xinyong.subjects.", "xinyong.evaluation.", "xinyong.listings.")

# after the measures' last day (2027-05-10): every evaluation carries the `lapsed` warning (122号 Art.28)
DAY = date(2027, 6, 1)


@pytest.fixture
def pinned() -> Iterator[None]:
    with clock_at(DayClock(DAY)):
        yield


def test_every_route_of_records_subjects_evaluation_and_listings_declares_its_response_body(
        client: TestClient) -> None:
    routes = our_routes(client.app, MODULES)
    paths = {(m, r.path) for r in routes for m in r.methods}
    assert {("POST", "/api/v1/records"), ("POST", "/api/v1/records/bulk"),
            ("POST", "/api/v1/records/{record_id}/withdraw"), ("POST", "/api/v1/records/{record_id}/correct"),
            ("GET", "/api/v1/subjects/{code}/records"), ("GET", "/api/v1/reports/lateness"),
            ("POST", "/api/v1/subjects"), ("GET", "/api/v1/subjects/{code}"),
            ("POST", "/api/v1/subjects/{code}/national-grades"), ("GET", "/api/v1/subjects/{code}/national-grades"),
            ("GET", "/api/v1/subjects"), ("GET", "/api/v1/subjects/{code}/evaluation"),
            ("GET", "/api/v1/stats/distribution"), ("GET", "/api/v1/lists"), ("POST", "/api/v1/listings"),
            ("POST", "/api/v1/listings/{listing_id}/removal"), ("GET", "/api/v1/subjects/{code}/listings")} <= paths
    spec = client.get("/openapi.json").json()
    problems = declaration_problems(spec, routes)
    assert not problems, "\n".join(problems)
    # a route that chooses between 201 and 200 documents both with the same body
    for path in ("/api/v1/records", "/api/v1/listings", "/api/v1/subjects/{code}/national-grades"):
        responses = spec["paths"][path]["post"]["responses"]
        assert responses["201"]["content"]["application/json"]["schema"] == \
            responses["200"]["content"]["application/json"]["schema"], path


def _valid(spec: dict[str, Any], path: str, method: str, response: Any) -> Any:
    status = str(response.status_code)
    schema = spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    body = response.json()
    check(body, schema, spec, closed=True)
    return body


@pytest.mark.article("122号 Art.28")
def test_real_bodies_of_these_domains_validate_against_the_published_schema(
        client: TestClient, tokens: dict[str, str], pinned: None) -> None:
    spec = client.get("/openapi.json").json()
    admin = auth(tokens["admin"])

    def call(method: str, path: str, url: str | None = None, status: int = 200, **kw: Any) -> Any:
        r = client.request(method, url or path, **kw)
        assert r.status_code == status, (method, url or path, r.text)
        return _valid(spec, path, method.lower(), r)

    subject = call("POST", "/api/v1/subjects", status=201, headers=admin, json={
        "code": new_uscc(), "name": "模式校验单位", "kind": "organization",
        "national_grade": "B", "industries": ["survey_design"]})
    code = subject["code"]
    call("GET", "/api/v1/subjects/{code}", f"/api/v1/subjects/{code}")
    grade = {"grade": "A", "effective_on": "2027-01-01", "source": "信用中国 2027年第1批"}
    grades = f"/api/v1/subjects/{code}/national-grades"
    call("POST", "/api/v1/subjects/{code}/national-grades", grades, status=201, headers=admin, json=grade)
    call("POST", "/api/v1/subjects/{code}/national-grades", grades, status=200, headers=admin, json=grade)
    assert len(call("GET", "/api/v1/subjects/{code}/national-grades", grades)) >= 2

    # records: a scoring one, one collected without points (an unscored line with its note), a duplicate
    first = dict(record_body(code, "GEN-D01", act_date=date(2027, 5, 20), department="zhifa"),
                 decision_no="京规自罚〔2027〕9号")
    created = call("POST", "/api/v1/records", status=201, headers=admin, json=first)
    assert created["decision_no"] == "京规自罚〔2027〕9号" and created["evaluation"]["lines"]
    again = call("POST", "/api/v1/records", status=200, headers=admin, json=first)
    assert again["id"] == created["id"]
    lic = call("POST", "/api/v1/records", status=201, headers=admin,
               json=record_body(code, "COL-LIC", act_date=date(2027, 5, 21), department="zhifa"))
    unscored = [ln for ln in lic["evaluation"]["lines"] if ln["record_id"] == lic["id"]]
    assert unscored and unscored[0]["applied"] == 0 and unscored[0]["note_zh"]
    assert [w["kind"] for w in lic["evaluation"]["warnings"]] == ["lapsed"]
    dup = call("POST", "/api/v1/records", status=201, headers=admin,
               json=dict(first, source_ref=new_ref("DUP")))
    sd = call("POST", "/api/v1/records", status=201, headers=admin,
              json=record_body(code, "SD-D01", act_date=date(2027, 5, 24)))
    bulk = call("POST", "/api/v1/records/bulk", headers=admin, json={"records": [
        record_body(code, "GEN-B01", act_date=date(2027, 5, 25), department="zhifa"),
        {"subject": code, "item": "GEN-B01"},
        record_body(code, "NO-SUCH-ITEM", department="zhifa")]})
    assert bulk["summary"] == {"created": 1, "existing": 0, "rejected": 2}
    assert "record" in bulk["results"][0] and "errors" not in bulk["results"][0]
    assert "errors" in bulk["results"][1] and "record" not in bulk["results"][1]
    withdrawn = call("POST", "/api/v1/records/{record_id}/withdraw", f"/api/v1/records/{sd['id']}/withdraw",
                     headers=admin, json={"reason": "录入错误"})
    corrected = call("POST", "/api/v1/records/{record_id}/correct", f"/api/v1/records/{lic['id']}/correct",
                     status=201, headers=admin, json={"reason": "日期有误", "act_date": "2027-05-22"})
    assert set(corrected) == set(created) | {"correction"}
    assert set(withdrawn) == set(created)

    rows = {r["id"]: r for r in call("GET", "/api/v1/subjects/{code}/records", f"/api/v1/subjects/{code}/records",
                                     headers=admin)}
    assert rows[dup["id"]]["status"] == "duplicate" and rows[dup["id"]]["duplicate_of"] == created["id"]
    assert "withdrawal" in rows[sd["id"]] and "withdrawal" not in rows[created["id"]]
    assert "correction" in rows[corrected["id"]] and "correction" not in rows[created["id"]]
    assert set(rows[created["id"]]) == set(created) - {"evaluation"} | {"superseded_by", "duplicate_of"}
    public = call("GET", "/api/v1/subjects/{code}/records", f"/api/v1/subjects/{code}/records")
    assert all("withdrawal" not in r and "correction" not in r for r in public)
    lateness = call("GET", "/api/v1/reports/lateness", "/api/v1/reports/lateness?year=2027")
    assert lateness["records"] >= 4 and lateness["departments"]

    # listings: the fuse that persists (122号 Art.16(1)) with its listing ids
    call("GET", "/api/v1/lists")
    entry = {"subject": code, "list": "national_serious_dishonesty", "listed_on": "2027-05-01",
             "source_ref": new_ref("LIST")}
    listing = call("POST", "/api/v1/listings", status=201, headers=admin, json=entry)
    assert call("POST", "/api/v1/listings", status=200, headers=admin, json=entry)["id"] == listing["id"]
    listed = f"/api/v1/subjects/{code}/listings"
    assert [x["id"] for x in call("GET", "/api/v1/subjects/{code}/listings", listed)] == [listing["id"]]
    ev_url = f"/api/v1/subjects/{code}/evaluation"
    ev = call("GET", "/api/v1/subjects/{code}/evaluation", ev_url)
    assert ev["grade"] == "D" and any(r["listing_ids"] == [listing["id"]] for r in ev["fuse_reasons"])
    assert any("note_zh" in ln for ln in ev["lines"]) and any("note_zh" not in ln for ln in ev["lines"])
    call("GET", "/api/v1/subjects/{code}/evaluation", ev_url + "?industry=survey_design")
    call("POST", "/api/v1/listings/{listing_id}/removal", f"/api/v1/listings/{listing['id']}/removal",
         headers=admin, json={"removed_on": "2027-05-31", "reason": "移出名单"})

    found = call("GET", "/api/v1/subjects", f"/api/v1/subjects?q={code}")
    assert found["total"] == 1 and found["items"][0]["evaluation"]["scope"] == "general"
    call("GET", "/api/v1/stats/distribution")
    call("GET", "/api/v1/stats/distribution", "/api/v1/stats/distribution?industry=survey_design")

    # refusals: the error body
    call("GET", "/api/v1/subjects/{code}", "/api/v1/subjects/91110000000000000X", status=404)
    call("POST", "/api/v1/records", status=409, headers=admin, json=dict(first, note="另一内容"))
    call("POST", "/api/v1/records/{record_id}/withdraw", f"/api/v1/records/{sd['id']}/withdraw", status=409,
         headers=admin, json={"reason": "再次撤销"})
    call("GET", "/api/v1/subjects/{code}/evaluation", ev_url + "?as_of=2024-05-10", status=422)
    with pytest.raises(SchemaMismatch):  # the closed check can fail: an undeclared key
        check(dict(ev, extra_key=1), spec["paths"]["/api/v1/subjects/{code}/evaluation"]["get"]["responses"]["200"]
              ["content"]["application/json"]["schema"], spec, closed=True)
