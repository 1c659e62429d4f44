"""Shared helpers of the standards-governance tests (not a test module)."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, text

from tests.conftest import DATA_TABLES, auth, new_resident_id, new_uscc
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import DayClock, beijing_today, clock_at
from xinyong.db.memo import clear_per_version
from xinyong.governance.models import StandardComment, StandardVersion
from xinyong.reference.models import CatalogueItem
from xinyong.reference.service import collection
from xinyong.standards.loader import default_standard_files, load_parameters, load_standard_file

_DEFAULTS = [load_standard_file(p, load_parameters().at(date(2024, 5, 11))) for p in default_standard_files()]
DEFAULT_VERSIONS = {s.version for s in _DEFAULTS}
# the items of the default standards and the information collected without points (reference/collection.yaml)
DEFAULT_ITEMS = {it.code for s in _DEFAULTS for it in s.items} | {it["code"] for it in collection()["collection_items"]}
_refs = itertools.count(1)


def today() -> date:
    return beijing_today()


def days(n: int) -> date:
    return today() + timedelta(days=n)


@pytest.fixture
def governed(clean: Engine) -> Iterator[Engine]:
    """The clean engine; afterwards every version and catalogue item a test added is removed (the standards
    are reference data the session-wide database keeps for the other tests)."""
    yield clean
    with clean.begin() as conn:
        for table in DATA_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
    with unit_of_work(clean) as s:
        s.session.execute(delete(StandardComment))
        s.session.execute(delete(StandardVersion).where(StandardVersion.version.not_in(DEFAULT_VERSIONS)))
        s.session.execute(delete(CatalogueItem).where(CatalogueItem.code.not_in(DEFAULT_ITEMS)))
    clear_per_version()  # the catalogue's version is its row count: rows deleted, the process's caches go too


def content(client: TestClient, version: str, token: str | None = None) -> dict[str, Any]:
    r = client.get(f"/api/v1/standards/{version}", headers=auth(token) if token else {})
    assert r.status_code == 200, r.text
    return copy.deepcopy(r.json())


def create(client: TestClient, token: str, body: dict[str, Any], status: int = 201, on: date | None = None
           ) -> dict[str, Any]:
    """Draft a version; `on` = the day the draft is written (a consultation cannot start before it, 122号
    Art.12), default today."""
    if on is None:
        r = client.post("/api/v1/standards", json=body, headers=auth(token))
    else:
        with clock_at(DayClock(on)):
            r = client.post("/api/v1/standards", json=body, headers=auth(token))
    assert r.status_code == status, r.text
    return dict(r.json())


def consult(client: TestClient, token: str, version: str, start: date, end: date, status: int = 200
            ) -> dict[str, Any]:
    r = client.post(f"/api/v1/standards/{version}/consultation",
                    json={"start_date": start.isoformat(), "end_date": end.isoformat()}, headers=auth(token))
    assert r.status_code == status, r.text
    return dict(r.json())


def approve(client: TestClient, token: str, version: str, effective: date, status: int = 200) -> dict[str, Any]:
    r = client.post(f"/api/v1/standards/{version}/approve", json={"effective_date": effective.isoformat()},
                    headers=auth(token))
    assert r.status_code == status, r.text
    return dict(r.json())


def fields(resp: dict[str, Any]) -> list[str]:
    return [d["field"] for d in resp["detail"]]


def make_subject(client: TestClient, token: str, *, kind: str = "organization", grade: str | None = None,
                 industries: list[str] | None = None) -> str:
    code = new_uscc() if kind == "organization" else new_resident_id()
    body = {"code": code, "name": "测试单位", "kind": kind, "national_grade": grade, "industries": industries or []}
    r = client.post("/api/v1/subjects", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    return code


def post_record(client: TestClient, token: str, subject: str, item: str, act_date: date | None = None,
                department: str = "kanchasheji") -> None:
    body = {"subject": subject, "item": item, "act_date": (act_date or today()).isoformat(),
            "department": department, "source_ref": f"GOV-{next(_refs):06d}"}
    r = client.post("/api/v1/records", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
