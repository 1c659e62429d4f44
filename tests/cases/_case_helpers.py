"""Shared helpers of the cases tests (not a test module)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api._api_helpers import make_subject, post_record
from tests.conftest import auth
from xinyong.bootstrap import unit_of_work
from xinyong.users.tokens import create_token


def subject_account(engine: Engine, code: str) -> str:
    """A token of the subject's own account (role "subject", 122号 Art.2)."""
    with unit_of_work(engine) as s:
        return create_token(s.session, f"acct-{code}", "subject", subject_code=code)


def business_token(engine: Engine, department: str) -> str:
    with unit_of_work(engine) as s:
        return create_token(s.session, f"biz-{department}", "business", department)


def subject_with_record(client: TestClient, tokens: dict[str, str], item: str = "GEN-D01",
                        act_date: date | None = None, **kw: Any) -> tuple[str, dict[str, Any]]:
    """A subject with one record reported by 勘察设计处 (kanchasheji): (code, record body)."""
    code = make_subject(client, tokens["admin"], grade="B")["code"]
    record = post_record(client, tokens["business"], code, item, act_date=act_date, **kw)
    return code, record


def file_case(client: TestClient, token: str, subject: str, *, kind: str = "objection", status: int = 201,
              **body: Any) -> dict[str, Any]:
    payload = {"kind": kind, "subject": subject, "statement": "该记录与事实不符", "channel": "commission", **body}
    r = client.post("/api/v1/cases", json=payload, headers=auth(token))
    assert r.status_code == status, r.text
    return dict(r.json())


def act(client: TestClient, token: str, case_id: int, step: str, status: int = 200, **body: Any) -> dict[str, Any]:
    r = client.post(f"/api/v1/cases/{case_id}/{step}", json=body, headers=auth(token))
    assert r.status_code == status, r.text
    return dict(r.json())


def to_opinion(client: TestClient, tokens: dict[str, str], case_id: int, outcome: str = "upheld",
               **opinion: Any) -> dict[str, Any]:
    """Route to kanchasheji, accept and issue the opinion."""
    act(client, tokens["hall"], case_id, "route", department="kanchasheji")
    act(client, tokens["business"], case_id, "accept")
    return act(client, tokens["business"], case_id, "opinion", outcome=outcome, opinion="经核实，异议成立"
               if outcome == "upheld" else "经核实，记录无误", **opinion)


def to_resolved(client: TestClient, tokens: dict[str, str], case_id: int, outcome: str = "upheld",
                **opinion: Any) -> dict[str, Any]:
    to_opinion(client, tokens, case_id, outcome, **opinion)
    act(client, tokens["hall"], case_id, "report")
    return act(client, tokens["hall"], case_id, "resolve")
