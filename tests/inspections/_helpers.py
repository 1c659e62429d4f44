"""Shared helpers of the inspections tests (not a test module)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from tests.api._api_helpers import make_subject
from tests.conftest import auth

TODAY = date(2026, 3, 10)  # the clock is pinned to this day in these tests
INDUSTRY = "survey_design"  # regulated by kanchasheji, the business token's department
SEED = "0123456789abcdef0123456789abcdef"


def add_inspectors(client: TestClient, token: str, department: str = "kanchasheji", n: int = 3) -> list[str]:
    codes = []
    for k in range(n):
        code = f"ZF{department[:3].upper()}{k:03d}"
        r = client.post("/api/v1/inspectors", headers=auth(token),
                        json={"department": department, "name": f"检查员{k}", "code": code})
        assert r.status_code in (200, 201), r.text
        codes.append(code)
    return codes


def subjects(client: TestClient, token: str, grade: str, n: int, industry: str = INDUSTRY) -> list[str]:
    """n subjects of the industry whose national level seeds the grade (no records: A 800, B 650, C 500, D 350)."""
    return [make_subject(client, token, grade=grade, industries=[industry])["code"] for _ in range(n)]


def post_plan(client: TestClient, token: str, *, base_ratio: Any = "0.1", seed: str | None = SEED,
              department: str = "kanchasheji", industry: str = INDUSTRY, status: int = 201) -> dict[str, Any]:
    body: dict[str, Any] = {"department": department, "industry": industry, "period_start": "2026-01-01",
                            "period_end": "2026-12-31", "base_ratio": base_ratio}
    if seed is not None:
        body["seed"] = seed
    r = client.post("/api/v1/inspection-plans", headers=auth(token), json=body)
    assert r.status_code == status, r.text
    return dict(r.json())


def whitelist(client: TestClient, token: str, code: str, industry: str = INDUSTRY, status: int = 201
              ) -> dict[str, Any]:
    r = client.post("/api/v1/whitelist", headers=auth(token),
                    json={"subject": code, "industry": industry, "reason": "低风险，经处务会研究纳入"})
    assert r.status_code == status, r.text
    return dict(r.json())
