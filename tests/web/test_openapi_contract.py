"""Issue 6: every route of the governance, users, archive, evidence, calendar and reference domains declares its
response body (a pydantic `response_model`, or `responses={...: {"model"|"content": ...}}` where it returns a
Response directly) and documents its refusals; and real bodies validate against the published /openapi.json."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.auth.test_authorization_matrix import _routes
from tests.conftest import auth, new_uscc

MODULES = ("xinyong.governance.", "xinyong.users.", "xinyong.archive.", "xinyong.evidence.", "xinyong.calendar.",
           "xinyong.reference.")


def our_routes(app, modules: tuple[str, ...] = MODULES) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    return [r for r in _routes(app.routes) if r.path.startswith("/api/v1") and r.endpoint.__module__.startswith(modules)]


def _success(op: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    code = next(c for c in op["responses"] if c.startswith("2"))
    return code, op["responses"][code]


def test_every_route_of_these_domains_declares_its_response_body(client: TestClient) -> None:
    routes = our_routes(client.app)
    assert len(routes) >= 25, [r.path for r in routes]
    problems = declaration_problems(client.get("/openapi.json").json(), routes)
    assert not problems, "\n".join(problems)


def declaration_problems(spec: dict[str, Any], routes: list[APIRoute]) -> list[str]:
    """What a route leaves undeclared: its success body (a model, not a bare object), the refusals its
    dependencies and path imply (401, 404), and the error body of every documented refusal."""
    problems = []
    for r in routes:
        for method in r.methods:
            op = spec["paths"][r.path][method.lower()]
            code, ok = _success(op)
            content = ok.get("content", {})
            if "application/json" in content:
                schema = content["application/json"].get("schema", {})
                text = str(schema)
                if "$ref" not in text:  # a bare `object` / `additionalProperties` is no declared body
                    problems.append(f"{method} {r.path} {code}: JSON body without a model: {schema}")
            elif not content or not all(v.get("schema") for v in content.values()):
                problems.append(f"{method} {r.path} {code}: no documented body")
            needs = {"401"} if any(getattr(d.call, "permission", None) for d in r.dependant.dependencies) else set()
            if r.path.count("{"):
                needs.add("404" if "calendar" not in r.path else "422")
            for status in needs:
                if status not in op["responses"] and not r.path.endswith("/me"):
                    problems.append(f"{method} {r.path}: refusal {status} not documented")
            for status, resp in op["responses"].items():
                if status.startswith(("4", "5")) and "ErrorOut" not in str(resp) and status != "422":
                    problems.append(f"{method} {r.path}: {status} without the error body")
    return problems


class SchemaMismatch(AssertionError):
    pass


_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def check(value: Any, schema: dict[str, Any], spec: dict[str, Any], where: str = "body", closed: bool = False
          ) -> None:
    """The subset of JSON Schema that FastAPI emits for pydantic models: $ref, anyOf, type, properties,
    required, additionalProperties, items, enum, const. `closed`: a model (an object with `properties`) declares
    every key the body has (a route returning a Response directly is not filtered by its model)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return check(value, spec["components"]["schemas"][name], spec, where, closed)
    if "anyOf" in schema:
        for option in schema["anyOf"]:
            try:
                return check(value, option, spec, where, closed)
            except SchemaMismatch:
                continue
        raise SchemaMismatch(f"{where}: {value!r} matches none of {schema['anyOf']}")
    kind = schema.get("type")
    if kind == "integer":
        if not (isinstance(value, int) and not isinstance(value, bool)):
            raise SchemaMismatch(f"{where}: {value!r} is not an integer")
    elif kind == "number":
        if not (isinstance(value, int | float) and not isinstance(value, bool)):
            raise SchemaMismatch(f"{where}: {value!r} is not a number")
    elif kind is not None and not isinstance(value, _TYPES[kind]):
        raise SchemaMismatch(f"{where}: {value!r} is not {kind}")
    if "enum" in schema and value not in schema["enum"]:
        raise SchemaMismatch(f"{where}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        raise SchemaMismatch(f"{where}: {value!r} != {schema['const']!r}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                raise SchemaMismatch(f"{where}: missing {key}")
        extra = schema.get("additionalProperties", not (closed and "properties" in schema))
        for key, item in value.items():
            if key in props:
                check(item, props[key], spec, f"{where}.{key}", closed)
            elif isinstance(extra, dict):
                check(item, extra, spec, f"{where}.{key}", closed)
            elif extra is False:
                raise SchemaMismatch(f"{where}: undeclared {key}")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            check(item, schema["items"], spec, f"{where}[{n}]", closed)
    return None


def _valid(spec: dict[str, Any], path: str, method: str, status: str, body: Any) -> None:
    schema = spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    check(body, schema, spec)


def test_representative_bodies_validate_against_the_published_schema(client: TestClient,
                                                                     tokens: dict[str, str]) -> None:
    spec = client.get("/openapi.json").json()
    admin = auth(tokens["admin"])
    calls = [
        ("/api/v1/standards", "get", {}, None),
        ("/api/v1/standards/{version}", "get", {}, "/api/v1/standards/survey_design-2024.1"),
        ("/api/v1/standards/{version}/comments", "get", {}, "/api/v1/standards/survey_design-2024.1/comments"),
        ("/api/v1/industries", "get", {}, None),
        ("/api/v1/departments", "get", {}, None),
        ("/api/v1/catalogue", "get", {}, None),
        ("/api/v1/framework", "get", {}, None),
        ("/api/v1/calendar/status", "get", {}, None),
        ("/api/v1/me", "get", {}, None),
        ("/api/v1/me", "get", admin, None),
        ("/api/v1/tokens", "get", admin, None),
        ("/api/v1/audit", "get", admin, None),
    ]
    for path, method, headers, url in calls:
        r = client.request(method, url or path, headers=headers)
        assert r.status_code == 200, (path, r.text)
        _valid(spec, path, method, "200", r.json())
    r = client.get("/api/v1/calendar/add-workdays", params={"start": date(2025, 9, 30).isoformat(), "days": 5})
    _valid(spec, "/api/v1/calendar/add-workdays", "get", "200", r.json())
    created = client.post("/api/v1/tokens", json={"name": "schema", "role": "business", "department": "kanchasheji"},
                          headers=admin)
    assert created.status_code == 201
    _valid(spec, "/api/v1/tokens", "post", "201", created.json())
    code = new_uscc()
    assert client.post("/api/v1/subjects", headers=admin, json={
        "code": code, "name": "档案单位", "kind": "organization", "national_grade": "B", "industries": []}
    ).status_code == 201
    archive = client.get(f"/api/v1/subjects/{code}/archive", headers=admin)
    assert archive.status_code == 200 and archive.json()["entries"]
    _valid(spec, "/api/v1/subjects/{code}/archive", "get", "200", archive.json())
    # and a refusal: the error body
    refused = client.post("/api/v1/tokens", json={"name": "x", "role": "viewer", "scope": ["general"]},
                          headers=admin)
    assert refused.status_code == 422
    _valid(spec, "/api/v1/tokens", "post", "422", refused.json())
    with pytest.raises(SchemaMismatch):  # the check can fail
        _valid(spec, "/api/v1/tokens", "post", "201", {"id": "not an int"})
