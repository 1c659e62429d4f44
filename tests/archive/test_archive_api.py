"""GET /api/v1/subjects/{code}/archive (122号 第十九条 一主体一档案): the contract keys, a token for every read,
an audit event for every read, individuals' archives for personal-data roles only, ID numbers masked."""

from __future__ import annotations

import pytest
from _archive_helpers import ADMIN, record, rows

from tests.conftest import auth, new_resident_id, new_uscc
from xinyong.bootstrap import unit_of_work
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import create_subject


def _org(engine, note=None):
    with unit_of_work(engine) as s:
        subject = create_subject(s, SubjectIn(code=new_uscc(), name="档案接口测试", kind="organization"), "tester")
        record(s, subject.code, "GEN-D01", note=note)
        return subject.code


@pytest.mark.article("122号 Art.19")
def test_archive_has_the_contract_shape_and_each_read_is_audited_122_art19(client, clean, tokens):
    code = _org(clean)
    r = client.get(f"/api/v1/subjects/{code}/archive", headers=auth(tokens["viewer"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"subject", "entries"} and body["subject"] == code
    assert [e["seq"] for e in body["entries"]] == list(range(1, len(body["entries"]) + 1))
    for e in body["entries"]:
        assert {"seq", "at", "kind", "summary", "hash", "prev_hash"} <= set(e)
    assert body["entries"][0]["kind"] == "subject_created" and body["entries"][0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(body["entries"], body["entries"][1:], strict=False))
    events = rows(clean, "SELECT actor, role, action, target FROM audit_events WHERE action = 'archive.read'")
    assert [(e[1], e[3]) for e in events] == [("viewer", code)]


@pytest.mark.article("122号 Art.19")
def test_reading_an_archive_needs_a_token_and_an_unknown_subject_is_404_122_art19(client, clean, tokens):
    code = _org(clean)
    assert client.get(f"/api/v1/subjects/{code}/archive").status_code == 401
    r = client.get(f"/api/v1/subjects/{new_uscc()}/archive", headers=auth(tokens["admin"]))
    assert r.status_code == 404 and r.json()["detail"][0]["field"] == "code"


@pytest.mark.article("122号 Art.19")
def test_an_individuals_archive_is_personal_data_spec_G1_17_122_art19(client, clean, tokens):
    rid = new_resident_id()
    with unit_of_work(clean) as s:
        create_subject(s, SubjectIn(code=rid, name="张三", kind="individual"), ADMIN.name)
    for role in ("viewer", "leader"):
        r = client.get(f"/api/v1/subjects/{rid}/archive", headers=auth(tokens[role]))
        assert r.status_code == 403, (role, r.text)
    r = client.get(f"/api/v1/subjects/{rid}/archive", headers=auth(tokens["hall"]))
    assert r.status_code == 200 and r.json()["subject"] == rid
    assert r.json()["entries"][0]["payload"]["code"] == rid


def test_resident_id_numbers_in_entries_are_masked_for_roles_without_personal_data_need_spec_G1_17(
        client, clean, tokens):
    rid = new_resident_id()
    code = _org(clean, note=f"法定代表人身份证号 {rid}")
    masked = rid[:6] + "*" * 8 + rid[14:]
    viewer = client.get(f"/api/v1/subjects/{code}/archive", headers=auth(tokens["viewer"])).json()
    notes = [e["payload"].get("note") for e in viewer["entries"] if e["kind"] == "record_entered"]
    assert notes == [f"法定代表人身份证号 {masked}"]
    admin = client.get(f"/api/v1/subjects/{code}/archive", headers=auth(tokens["admin"])).json()
    assert [e["payload"].get("note") for e in admin["entries"] if e["kind"] == "record_entered"] == [
        f"法定代表人身份证号 {rid}"]
    assert [e["hash"] for e in viewer["entries"]] == [e["hash"] for e in admin["entries"]]
