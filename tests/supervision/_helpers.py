"""Shared helpers of the supervision tests (not a test module)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import auth
from xinyong.bootstrap import unit_of_work
from xinyong.users.tokens import create_token


def leader_session(engine: Engine, scope: list[str] | None, name: str = "leader-signed-in") -> str:
    """A signed-in leader (sign-in session, channel manual) in charge of `scope` (None: every industry)."""
    with unit_of_work(engine) as uow:
        return create_token(uow.session, name, "leader", kind="login", scope=scope)


def leader_api_token(engine: Engine, scope: list[str] | None = None) -> str:
    """A leader's docking (machine) token: never approves (a person signs in)."""
    with unit_of_work(engine) as uow:
        return create_token(uow.session, "leader-machine", "leader", kind="api", scope=scope)


def business_token(engine: Engine, department: str) -> str:
    with unit_of_work(engine) as uow:
        return create_token(uow.session, f"business-{department}", "business", department)


def viewer_token(engine: Engine, name: str) -> str:
    """A social body's named credential (122号 Art.26)."""
    with unit_of_work(engine) as uow:
        return create_token(uow.session, name, "viewer")


def line(grade: str, process: str = "administrative_approval", item: str | None = None, level: str | None = None,
         factor: float | None = None, department: str = "kanchasheji") -> dict[str, Any]:
    return {"grade": grade, "level": level, "process": process, "item": item or f"{grade}{level or ''} {process} 措施",
            "basis": "122号 第二十三条", "category": "行政审批", "department": department,
            "inspection_factor": factor}


def draft(client: TestClient, token: str, kind: str, entries: list[dict[str, Any]],
          industry: str = "survey_design") -> dict[str, Any]:
    r = client.post("/api/v1/measures", json={"industry": industry, "kind": kind, "entries": entries},
                    headers=auth(token))
    assert r.status_code == 201, r.text
    return dict(r.json())


def in_force(client: TestClient, drafter: str, leader: str, filer: str, kind: str, entries: list[dict[str, Any]],
             effective: date | None = None, industry: str = "survey_design") -> dict[str, Any]:
    """Draft → approve → file; returns the filed list."""
    row = draft(client, drafter, kind, entries, industry)
    r = client.post(f"/api/v1/measures/{row['id']}/approve", headers=auth(leader))
    assert r.status_code == 200, r.text
    body = {"effective_from": effective.isoformat()} if effective else {}
    r = client.post(f"/api/v1/measures/{row['id']}/file", json=body, headers=auth(filer))
    assert r.status_code == 200, r.text
    return dict(r.json())
