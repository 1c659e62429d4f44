"""Issue 12 item 8: every date a client sends lies in one documented range (errors_http EARLIEST_DATE …
LATEST_DATE, 1949-10-01 … 2099-12-31); outside it the answer is a 422 naming the field, never a 500 (year 10000)
and never a stored act of 0001-01-01."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api._api_helpers import make_subject, record_body
from tests.conftest import auth
from xinyong.errors_http import EARLIEST_DATE, LATEST_DATE


def _refused(r: Any, field: str) -> None:
    assert r.status_code == 422, r.text
    problems = [p for p in r.json()["detail"] if p["field"] == field]
    assert problems, r.text
    assert "日期超出允许范围" in problems[0]["reason_zh"], problems
    assert "1949-10-01" in problems[0]["reason_en"] and "2099-12-31" in problems[0]["reason_en"], problems


def test_the_range_is_the_documented_one() -> None:
    assert (EARLIEST_DATE.isoformat(), LATEST_DATE.isoformat()) == ("1949-10-01", "2099-12-31")


def test_impact_far_in_the_future_is_a_422_not_a_500(client: TestClient, tokens: dict[str, str]) -> None:
    versions = client.get("/api/v1/standards", headers=auth(tokens["admin"])).json()
    version = versions[0]["version"]
    for day in ("9999-01-01", "2100-01-01", "0001-01-01"):
        for suffix in ("impact", "impact.csv"):
            r = client.get(f"/api/v1/standards/{version}/{suffix}", params={"as_of": day},
                           headers=auth(tokens["admin"]))
            _refused(r, "as_of")
    inside = client.get(f"/api/v1/standards/{version}/impact", params={"as_of": "2099-12-31"},
                        headers=auth(tokens["admin"]))
    assert inside.status_code == 200, inside.text


@pytest.mark.article("122号 Art.8")
def test_an_act_of_year_1_or_1900_is_refused_naming_act_date(client: TestClient, tokens: dict[str, str]) -> None:
    code = make_subject(client, tokens["admin"])["code"]
    for day in ("0001-01-01", "1900-01-01", "1949-09-30"):
        r = client.post("/api/v1/records", json=record_body(code, "GEN-B01", act_date=None) | {"act_date": day},
                        headers=auth(tokens["admin"]))
        _refused(r, "act_date")
    # the first day of the range is no range refusal (an act before the measures took effect scores nothing)
    first = client.post("/api/v1/records", json=record_body(code, "GEN-B01") | {"act_date": "1949-10-01"},
                        headers=auth(tokens["admin"]))
    assert first.status_code == 201, first.text
    bulk = client.post("/api/v1/records/bulk", headers=auth(tokens["admin"]), json={"records": [
        record_body(code, "GEN-B01") | {"act_date": "1900-01-01"}]})
    assert bulk.status_code == 200, bulk.text
    result = bulk.json()["results"][0]
    assert result["status"] == 422 and result["errors"][0]["field"] == "act_date", result


@pytest.mark.article("122号 Art.12")
def test_a_consultation_from_year_1_to_9999_is_refused_naming_both_ends(client: TestClient,
                                                                       tokens: dict[str, str]) -> None:
    r = client.post("/api/v1/standards/any/consultation", headers=auth(tokens["admin"]),
                    json={"start_date": "0001-01-01", "end_date": "9999-12-31"})
    _refused(r, "start_date")
    _refused(r, "end_date")


# --- every date input of the API, found in its OpenAPI document --------------------------------------------------

def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_date(schema: dict[str, Any]) -> bool:
    return schema.get("format") == "date" or any(s.get("format") == "date" for s in schema.get("anyOf", []))


def _date_fields(schema: dict[str, Any], spec: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted names of the date properties of a body schema (nested models included)."""
    out = []
    for name, prop in _resolve(schema, spec).get("properties", {}).items():
        if _is_date(prop):
            out.append(prefix + name)
            continue
        for option in [prop, *prop.get("anyOf", [])]:
            if "$ref" in option:
                out += _date_fields(option, spec, f"{prefix}{name}.")
    return out


def _nested(dotted: str, value: str) -> dict[str, Any]:
    head, _, rest = dotted.partition(".")
    return {head: _nested(rest, value) if rest else value}


def _url(path: str) -> str:
    return re.sub(r"\{[^}]*(id|_id)\}", "1", path).replace("{", "").replace("}", "")


def _inputs(spec: dict[str, Any]) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    bodies, queries = [], []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                if p["in"] == "query" and _is_date(p["schema"]):
                    queries.append((method, path, p["name"]))
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                bodies += [(method, path, f) for f in _date_fields(body["schema"], spec)]
    return bodies, queries


def test_every_date_input_of_the_api_is_checked_against_the_range(client: TestClient,
                                                                 tokens: dict[str, str]) -> None:
    bodies, queries = _inputs(client.get("/openapi.json").json())
    named = {f"{m.upper()} {p} {f}" for m, p, f in bodies + queries}
    for expected in ("POST /api/v1/records act_date", "POST /api/v1/standards/{version}/consultation start_date",
                     "GET /api/v1/standards/{version}/impact as_of", "POST /api/v1/commitments due_on",
                     "POST /api/v1/listings listed_on", "GET /api/v1/calendar/add-workdays start"):
        assert expected in named, sorted(named)
    assert len(bodies) >= 20 and len(queries) >= 8, (len(bodies), len(queries))
    for method, path, field in bodies:
        for day in ("1949-09-30", "2100-01-01"):
            for role in ("admin", "leader"):  # approvals are the leader's
                r = client.request(method, _url(path), json=_nested(field, day), headers=auth(tokens[role]))
                if r.status_code != 403:
                    break
            _refused(r, field)
    for method, path, name in queries:
        for day in ("1949-09-30", "2100-01-01", "9999-12-31"):
            r = client.request(method, _url(path), params={name: day}, headers=auth(tokens["admin"]))
            _refused(r, name)
