"""Redaction (issue 3 item 5, spec G1-17): a record withdrawn after an objection or repaired (122号 第十八条) is
hidden from public views, while its archive entries remain and the archive chain still verifies (第十九条)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import auth, new_uscc
from xinyong.archive.chain import GENESIS, entry_hash
from xinyong.archive.models import ArchiveEntry
from xinyong.core.clock import beijing_today
from xinyong.core.uow import UnitOfWork
from xinyong.records import repository
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

_n = iter(range(1, 10**6))


def _setup(client: TestClient, token: str) -> tuple[str, list[dict[str, Any]]]:
    code = new_uscc()
    assert client.post("/api/v1/subjects", json={"code": code, "name": "修复测试单位", "kind": "organization",
                                                 "national_grade": "B", "industries": ["survey_design"]},
                       headers=auth(token)).status_code == 201
    out = []
    for item in ("SD-D01", "SD-D02", "SD-B01"):
        r = client.post("/api/v1/records", json={"subject": code, "item": item, "act_date": beijing_today().isoformat(),
                                                 "department": "kanchasheji", "source_ref": f"RED-{next(_n)}"},
                        headers=auth(token))
        assert r.status_code == 201, r.text
        out.append(r.json())
    return code, out


def _ids(client: TestClient, code: str, token: str | None = None) -> dict[int, str]:
    r = client.get(f"/api/v1/subjects/{code}/records", headers=auth(token) if token else {})
    assert r.status_code == 200, r.text
    return {rec["id"]: rec["status"] for rec in r.json()}


def _chain_intact(db: Session, code: str) -> bool:
    subject = db.scalars(select(Subject).where(Subject.code == code)).one()
    prev = GENESIS
    for e in db.scalars(select(ArchiveEntry).where(ArchiveEntry.subject_id == subject.id).order_by(ArchiveEntry.seq)):
        if e.prev_hash != prev or e.hash != entry_hash(prev, code, e.seq, e.at.isoformat(timespec="milliseconds"),
                                                       e.kind, e.summary, e.payload):
            return False
        prev = e.hash
    return True


@pytest.mark.article("122号 Art.18")
def test_objection_withdrawn_record_hidden_from_public_but_shown_to_staff_g1_17_122_art18(
        client: TestClient, tokens: dict[str, str], db: UnitOfWork) -> None:
    code, (penalty, inspection, bonus) = _setup(client, tokens["admin"])
    r = client.post(f"/api/v1/records/{penalty['id']}/withdraw", json={"reason": "异议核实属实", "kind": "objection"},
                    headers=auth(tokens["business"]))
    assert r.status_code == 200, r.text
    assert r.json()["evaluation"]["score"] == 650 - 10 + 10  # the penalty no longer counts
    error = client.post(f"/api/v1/records/{inspection['id']}/withdraw", json={"reason": "录入错误"},
                        headers=auth(tokens["admin"]))
    assert error.status_code == 200

    public = _ids(client, code)
    assert penalty["id"] not in public
    assert public == {inspection["id"]: "withdrawn", bonus["id"]: "active"}  # an error withdrawal stays visible
    assert _ids(client, code, tokens["viewer"]) == public
    for role in ("admin", "coordinator", "business", "hall", "support", "leader"):
        staff = _ids(client, code, tokens[role])
        assert staff[penalty["id"]] == "withdrawn", role
    detail = {x["id"]: x for x in client.get(f"/api/v1/subjects/{code}/records", headers=auth(tokens["admin"])).json()}
    assert detail[penalty["id"]]["withdrawal"]["kind"] == "objection"
    assert detail[inspection["id"]]["withdrawal"]["kind"] == "error"

    # the evaluation explanation does not name it; the archive keeps its entries and still verifies
    ev = client.get(f"/api/v1/subjects/{code}/evaluation", params={"industry": "survey_design"}).json()
    assert penalty["id"] not in [ln["record_id"] for ln in ev["lines"]]
    kinds = {(e.kind, e.payload.get("record_id")) for e in db.session.scalars(select(ArchiveEntry))}
    assert ("record_entered", penalty["id"]) in kinds and ("record_withdrawn", penalty["id"]) in kinds
    withdrawn = db.session.scalars(select(ArchiveEntry).where(ArchiveEntry.kind == "record_withdrawn")).all()
    assert {e.payload["record_id"]: e.payload["kind"] for e in withdrawn} == {penalty["id"]: "objection",
                                                                             inspection["id"]: "error"}
    assert _chain_intact(db.session, code)


@pytest.mark.article("122号 Art.18")
def test_repaired_record_hides_all_its_versions_from_public_view_g1_17_122_art18(
        client: TestClient, tokens: dict[str, str], db: UnitOfWork) -> None:
    code, (penalty, _inspection, _bonus) = _setup(client, tokens["admin"])
    v2 = client.post(f"/api/v1/records/{penalty['id']}/correct", json={"reason": "更正说明", "note": "更正"},
                     headers=auth(tokens["admin"])).json()
    assert client.post(f"/api/v1/records/{v2['id']}/withdraw", json={"reason": "信用修复完成", "kind": "repair"},
                       headers=auth(tokens["support"])).status_code == 200
    public = _ids(client, code)
    assert penalty["id"] not in public and v2["id"] not in public
    staff = _ids(client, code, tokens["admin"])
    assert staff[penalty["id"]] == "superseded" and staff[v2["id"]] == "withdrawn"
    assert _chain_intact(db.session, code)

    # the helper later ranking code reuses
    subject = db.session.scalars(select(Subject).where(Subject.code == code)).one()
    shown = {row.record.id for row in repository.public_records(db.session, subject.id)}
    assert shown == set(public)
    visible = set(db.session.scalars(select(Record.id).where(Record.subject_id == subject.id, *repository.publicly_visible())))
    assert v2["id"] not in visible and _inspection["id"] in visible


def test_withdrawal_kind_must_be_known_422(client: TestClient, tokens: dict[str, str]) -> None:
    code, (penalty, _i, _b) = _setup(client, tokens["admin"])
    r = client.post(f"/api/v1/records/{penalty['id']}/withdraw", json={"reason": "x", "kind": "secret"},
                    headers=auth(tokens["admin"]))
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "kind"
    assert _ids(client, code)[penalty["id"]] == "active"
