"""Department and item scope of business departments (122号 第四条(二), 第八条), subject accounts (第二条),
masking of resident ID numbers (spec G1-17) and the hash-chained audit trail (第十九条)."""

from __future__ import annotations

import io
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from tests.conftest import auth, new_resident_id, new_uscc
from xinyong.auth.audit import verify_chain
from xinyong.auth.models import AuditEvent
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import beijing_now
from xinyong.users.tokens import create_token


def _subject(client: TestClient, token: str, kind: str = "organization", industries: list[str] | None = None) -> str:
    code = new_uscc() if kind == "organization" else new_resident_id()
    r = client.post("/api/v1/subjects", headers=auth(token), json={
        "code": code, "name": "范围测试", "kind": kind, "national_grade": "B", "industries": industries or []})
    assert r.status_code == 201, r.text
    return code


def _rec(client: TestClient, token: str, subject: str, item: str, department: str = "kanchasheji"):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/records", headers=auth(token), json={
        "subject": subject, "item": item, "act_date": beijing_now().date().isoformat(), "department": department,
        "source_ref": f"S-{new_uscc()}"})


# --- 第四条(二): industry items only of the industries the department regulates ----------------------------

@pytest.mark.article("122号 Art.4(2)")
def test_business_enters_general_and_own_industry_items_only_122_art4_2(client: TestClient,
                                                                        tokens: dict[str, str]) -> None:
    code = _subject(client, tokens["admin"])
    biz = tokens["business"]  # 勘察设计处 regulates survey_design
    assert _rec(client, biz, code, "GEN-B01").status_code == 201  # general: 谁生成谁录入
    assert _rec(client, biz, code, "SD-B01").status_code == 201  # its own industry
    r = _rec(client, biz, code, "FR-B01")  # 消防设计审查 is regulated by xiaofangshencha
    assert r.status_code == 403 and r.json()["detail"][0]["field"] == "item"
    bulk = client.post("/api/v1/records/bulk", headers=auth(biz), json={"records": [
        {"subject": code, "item": "FR-B02", "act_date": beijing_now().date().isoformat(),
         "department": "kanchasheji", "source_ref": "S-bulk-1"}]})
    assert bulk.json()["results"][0]["status"] == 403
    # a record of that item entered by the coordinator in kanchasheji's name cannot be withdrawn by kanchasheji
    other = _rec(client, tokens["coordinator"], code, "FR-B01")
    assert other.status_code == 201
    w = client.post(f"/api/v1/records/{other.json()['id']}/withdraw", json={"reason": "x"}, headers=auth(biz))
    assert w.status_code == 403
    # the fire-design regulator may
    with unit_of_work(client.app.state.engine) as s:
        fire = create_token(s.session, "fire", "business", "xiaofangshencha")
    assert _rec(client, fire, code, "FR-B03", department="xiaofangshencha").status_code == 201


# --- subject accounts (第二条): only its own subject -----------------------------------------------------------

def test_subject_account_reads_only_its_own_subject_403_for_others(client: TestClient, clean: Engine,
                                                                   tokens: dict[str, str]) -> None:
    mine = _subject(client, tokens["admin"], kind="individual")
    theirs = _subject(client, tokens["admin"], kind="individual")
    with unit_of_work(clean) as s:
        token = create_token(s.session, "own-account", "subject", subject_code=mine)
    for suffix in ("", "/evaluation", "/records"):
        assert client.get(f"/api/v1/subjects/{mine}{suffix}", headers=auth(token)).status_code == 200
        r = client.get(f"/api/v1/subjects/{theirs}{suffix}", headers=auth(token))
        assert r.status_code == 403, suffix
        assert theirs not in r.text
    assert client.get(f"/api/v1/subjects/{mine}", headers=auth(token)).json()["code"] == mine  # its own, in full
    listed = client.get("/api/v1/subjects", headers=auth(token)).json()
    assert [i["code"] for i in listed["items"]] == [mine] and listed["total"] == 1
    # any path under /subjects/{code}/… (e.g. the archive) is guarded the same way
    assert client.get(f"/api/v1/subjects/{theirs}/archive", headers=auth(token)).status_code in (403, 404)
    assert _rec(client, token, mine, "GEN-B01").status_code == 403  # reads only


# --- G1-17: resident ID numbers masked for roles without the need ------------------------------------------

@pytest.mark.parametrize("role", [None, "viewer", "leader"])
def test_resident_id_masked_for_roles_without_personal_data_need_g1_17(client: TestClient,
                                                                       tokens: dict[str, str],
                                                                       role: str | None) -> None:
    code = _subject(client, tokens["admin"], kind="individual")
    assert _rec(client, tokens["admin"], code, "GEN-B01").status_code == 201
    masked = code[:6] + "*" * 8 + code[14:]
    headers = auth(tokens[role]) if role else {}
    bodies = [client.get(f"/api/v1/subjects/{code}{s}", headers=headers) for s in ("", "/evaluation", "/records")]
    bodies.append(client.get("/api/v1/subjects", params={"q": code}, headers=headers))
    for r in bodies:
        assert r.status_code == 200
        assert code not in r.text and masked in r.text
    # an error that echoes the code does not show it either
    unknown = new_resident_id()
    r = client.get(f"/api/v1/subjects/{unknown}", headers=headers)
    assert r.status_code == 404 and unknown not in r.text


def test_personal_data_read_is_audited_with_who_and_where(client: TestClient, clean: Engine,
                                                          tokens: dict[str, str]) -> None:
    code = _subject(client, tokens["admin"], kind="individual")
    r = client.get(f"/api/v1/subjects/{code}", headers=auth(tokens["hall"]))
    assert r.json()["code"] == code  # full for a role that needs it
    client.get(f"/api/v1/subjects/{code}", headers=auth(tokens["viewer"]))  # masked: nothing to audit
    with unit_of_work(clean) as s:
        reads = list(s.session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.read")))
    assert [(e.actor, e.role, e.target) for e in reads] == [("test-hall", "hall", code)]
    assert reads[0].origin  # from where: the client address


# --- 第十九条: the audit trail is hash-chained and verifiable ----------------------------------------------------

def _cli(monkeypatch: pytest.MonkeyPatch, engine: Engine, argv: list[str]) -> int:
    from xinyong.cli import main

    monkeypatch.setenv("XINYONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    return main(argv)


@pytest.mark.article("122号 Art.19")
def test_audit_chain_detects_edit_delete_and_insert_122_art19(client: TestClient, clean: Engine,
                                                          tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                          capsys) -> None:  # type: ignore[no-untyped-def]
    code = _subject(client, tokens["admin"])
    for item in ("GEN-B01", "GEN-B02", "GEN-B03"):
        assert _rec(client, tokens["admin"], code, item).status_code == 201
    with unit_of_work(clean) as s:
        n, problems = verify_chain(s.session)
        assert n >= 4 and problems == []
        seqs = [e.seq for e in s.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert seqs == list(range(1, n + 1))
    assert _cli(monkeypatch, clean, ["audit", "verify"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("OK")

    with clean.begin() as conn:  # edit one event behind the system's back
        conn.execute(text("UPDATE audit_events SET detail = 'forged' WHERE seq = 2"))
    with unit_of_work(clean) as s:
        assert [p.seq for p in verify_chain(s.session)[1]] == [2]
    assert _cli(monkeypatch, clean, ["audit", "verify"]) == 1
    assert "audit seq 2" in capsys.readouterr().out

    with clean.begin() as conn:  # delete one (the edited one): the next no longer links
        conn.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    with unit_of_work(clean) as s:
        assert {p.seq for p in verify_chain(s.session)[1]} == {3}

    with clean.begin() as conn:  # insert a row without a place in the chain
        conn.execute(text("INSERT INTO audit_events (at, actor, role, action, target, origin, detail) "
                          "VALUES (:at, 'x', 'admin', 'record.create', 'record:1', '', '')"), {"at": beijing_now()})
    with unit_of_work(clean) as s:
        reasons = [p.reason for p in verify_chain(s.session)[1]]
    assert any("inserted" in r for r in reasons)


def test_every_write_is_audited_with_who_when_what_where(client: TestClient, clean: Engine,
                                                         tokens: dict[str, str]) -> None:
    code = _subject(client, tokens["coordinator"])
    rec = _rec(client, tokens["coordinator"], code, "GEN-B01").json()
    client.post(f"/api/v1/records/{rec['id']}/withdraw", json={"reason": "录入错误"},
                headers=auth(tokens["coordinator"]))
    with unit_of_work(clean) as s:
        events = list(s.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    assert [e.action for e in events] == ["subject.create", "record.create", "record.withdraw"]
    assert all(e.actor == "test-coordinator" and e.role == "coordinator" and e.at and e.origin for e in events)
