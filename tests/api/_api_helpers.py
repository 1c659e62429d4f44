"""Shared helpers of the API contract tests (not a test module)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import auth, new_resident_id, new_uscc
from xinyong.core.clock import beijing_today

_refs = itertools.count(1)


def today() -> date:
    return beijing_today()


def days_ago(n: int) -> date:
    """n days before today, but never before 1 January of the current year (same evaluation period)."""
    return max(today() - timedelta(days=n), date(today().year, 1, 1))


def new_ref(prefix: str = "REF") -> str:
    return f"{prefix}-{next(_refs):06d}"


def make_subject(client: TestClient, token: str, *, kind: str = "organization", grade: str | None = None,
                 industries: list[str] | None = None, code: str | None = None, name: str = "测试单位"
                 ) -> dict[str, Any]:
    """Register a subject through the API (asserting 201) and return the response body."""
    if code is None:
        code = new_uscc() if kind == "organization" else new_resident_id()
    body = {"code": code, "name": name, "kind": kind, "national_grade": grade,
            "industries": industries if industries is not None else []}
    r = client.post("/api/v1/subjects", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    return dict(r.json())


def record_body(subject: str, item: str, *, act_date: date | None = None, department: str = "kanchasheji",
                source_ref: str | None = None, note: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"subject": subject, "item": item, "act_date": (act_date or today()).isoformat(),
                            "department": department, "source_ref": source_ref or new_ref(), **extra}
    if note is not None:
        body["note"] = note
    return body


def post_record(client: TestClient, token: str, subject: str, item: str, **kw: Any) -> dict[str, Any]:
    """Post one record (asserting 201) and return the response body."""
    r = client.post("/api/v1/records", json=record_body(subject, item, **kw), headers=auth(token))
    assert r.status_code == 201, r.text
    return dict(r.json())


def post_bulk(client: TestClient, token: str, subject: str, items: list[str], act_date: date | None = None
              ) -> list[dict[str, Any]]:
    """Post many records of one subject in one bulk call; every one must be created."""
    records = [record_body(subject, item, act_date=act_date) for item in items]
    r = client.post("/api/v1/records/bulk", json={"records": records}, headers=auth(token))
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == [201] * len(items), results
    return list(results)


def evaluation(client: TestClient, code: str, **params: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/subjects/{code}/evaluation", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def catalogue(client: TestClient) -> dict[str, dict[str, Any]]:
    r = client.get("/api/v1/catalogue")
    assert r.status_code == 200, r.text
    return {it["code"]: it for it in r.json()}


def records_of(client: TestClient, code: str, token: str | None = None) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/subjects/{code}/records", headers=auth(token) if token else {})
    assert r.status_code == 200, r.text
    return list(r.json())


def plan(cat: dict[str, dict[str, Any]], *, polarity: str, industry: str | None, target: int) -> list[str]:
    """Item codes (repeated as needed) of one bucket — general or one industry, bonus or deduction — whose
    points, each item limited by its cap, add up to exactly `target`. Fuse and heavier items are avoided so
    that only the arithmetic of 122号 第十一条(二) is exercised. Uses the points and caps of GET /catalogue."""
    family = "general" if industry is None else "industry"
    candidates = sorted(
        (it for it in cat.values()
         if it["polarity"] == polarity and it["family"] == family and it["industry"] == industry
         and not it["fuse"] and not it["heavier"] and not it.get("accident_grades")),
        key=lambda it: (-it["points"], it["code"]),
    )
    out: list[str] = []
    remaining = target
    for it in candidates:
        used = 0
        while remaining >= it["points"] and (it["cap"] is None or used + it["points"] <= it["cap"]):
            out.append(it["code"])
            used += it["points"]
            remaining -= it["points"]
    assert remaining == 0, f"cannot reach {target} with the {family} {polarity} items of the catalogue"
    return out


def capped_total(cat: dict[str, dict[str, Any]], items: list[str]) -> int:
    """Σ per item of min(count × points, cap): what the items give before the family budget."""
    total = 0
    for code in set(items):
        it = cat[code]
        raw = items.count(code) * it["points"]
        total += raw if it["cap"] is None else min(raw, it["cap"])
    return total
