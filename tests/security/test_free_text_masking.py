"""Issue 12 item 5 (spec G1-17): resident ID numbers written in free text — a record's note and reference, an
evidence file's name, a case's statement, a commitment's content, a listing's reference — are masked for every
reader without personal-data need (anonymous, viewer, leader), as the archive masks them; the access log carries
no full ID number in a path."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api._api_helpers import make_subject, new_ref, post_record
from tests.cases._case_helpers import subject_account
from tests.conftest import auth, new_resident_id
from xinyong.api import create_app
from xinyong.rules.identifiers import mask_resident_id, mask_text, mask_value

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --- the one masking function of free text ------------------------------------------------------------------

def test_mask_text_masks_every_id_shaped_number_with_a_birth_date_whatever_its_check_digit() -> None:
    rid = new_resident_id()
    typo = rid[:17] + ("0" if rid[17] != "0" else "1")  # a wrong check digit still names a person
    masked = mask_text(f"当事人{rid}，另见{typo}；文件 证明{rid}.pdf；ID:{rid[:17]}x")
    m, t, x = mask_resident_id(rid), mask_resident_id(typo), mask_resident_id(rid[:17] + "x")
    assert masked == f"当事人{m}，另见{t}；文件 证明{m}.pdf；ID:{x}"
    # numbers that are no ID stay: a 19-digit run, an 18-digit number without a birth date, a USCC
    for other in ("1101051949123100211", "110105000000000021", "91110000600037341L", "13800138000"):
        assert mask_text(f"编号{other}号") == f"编号{other}号"
    # a reader's own number may be kept; "subject" fields are left to public_code
    assert mask_text(rid, keep=(rid.upper(),)) == rid
    assert mask_value({"subject": rid, "note": [rid]}, skip=("subject",)) == {
        "subject": rid, "note": [mask_resident_id(rid)]}


def test_g1_17_first_generation_15_digit_id_numbers_are_masked_in_free_text_too() -> None:
    """Spec G1-17: an old (GB 11643-1989) number — region, YYMMDD, sequence — names a person as the 18-digit one
    does; its birth date is hidden, the region and sequence kept. A 15-digit number with no birth date in it (an old
    business registration number, 注册号) and longer or shorter runs are not ID numbers."""
    old = "110105491231002"
    assert mask_resident_id(old) == "110105******002"
    assert mask_text(f"当事人{old}（旧证），另见{old[:14]}X") == f"当事人110105******002（旧证），另见{old[:14]}X"
    assert mask_text(f"证件号:{old}。") == "证件号:110105******002。"
    for other in ("110000012345678", "1101054912310021", "11010549123100", "110105491331002"):
        assert mask_text(f"注册号{other}") == f"注册号{other}"


# --- every read of free text -----------------------------------------------------------------------------------

def _written(client: TestClient, tokens: dict[str, str], third: str) -> dict[str, Any]:
    """An organisation with a record, evidence, a case, a commitment and a listing whose free text holds the
    resident ID number of a third person."""
    admin = tokens["admin"]
    org = make_subject(client, admin)["code"]
    rec = post_record(client, admin, org, "GEN-B01", note=f"法定代表人身份证号{third}", source_ref=f"罚-{third}")
    up = client.post(f"/api/v1/records/{rec['id']}/evidence", headers=auth(admin),
                     files={"file": (f"身份证{third}.pdf", PDF, "application/pdf")})
    assert up.status_code == 201, up.text
    case = client.post("/api/v1/cases", headers=auth(tokens["hall"]), json={
        "kind": "objection", "subject": org, "record_id": rec["id"], "channel": "commission",
        "statement": f"申请人（身份证号 {third}）认为记录有误"})
    assert case.status_code == 201, case.text
    com = client.post("/api/v1/commitments", headers=auth(admin), json={
        "subject": org, "content": f"由{third}负责按期提交成果", "due_on": "2099-12-31",
        "licence_ref": f"京规自许-{third}", "department": "kanchasheji"})
    assert com.status_code == 201, com.text
    lst = client.post("/api/v1/listings", headers=auth(admin), json={
        "subject": org, "list": "abnormal_operations", "listed_on": "2024-06-01", "source_ref": f"L-{third}"})
    assert lst.status_code == 201, lst.text
    return {"org": org, "record": rec["id"], "case": case.json()["id"], "commitment": com.json()["id"]}


def _reads(w: dict[str, Any]) -> dict[str, set[str | None]]:
    """URL → the readers (roles, None: anonymous) it is open to."""
    everyone: set[str | None] = {None, "viewer", "leader", "admin"}
    return {
        f"/api/v1/subjects/{w['org']}/records": everyone,
        f"/api/v1/subjects/{w['org']}/commitments": everyone,
        f"/api/v1/commitments/{w['commitment']}": everyone,
        f"/api/v1/commitments?subject={w['org']}": everyone,
        f"/api/v1/subjects/{w['org']}/listings": everyone,
        f"/api/v1/records/{w['record']}/evidence": {"leader", "admin"},
        f"/api/v1/cases/{w['case']}": {"leader", "admin"},
        "/api/v1/cases": {"leader", "admin"},
        f"/api/v1/subjects/{w['org']}/archive": {"viewer", "leader", "admin"},
    }


@pytest.mark.article("122号 Art.19")
def test_free_text_ids_are_masked_for_readers_without_personal_data_need(client: TestClient,
                                                                        tokens: dict[str, str]) -> None:
    third = new_resident_id()
    w = _written(client, tokens, third)
    for url, readers in _reads(w).items():
        for role in readers:
            r = client.get(url, headers=auth(tokens[role]) if role else {})
            assert r.status_code == 200, (url, role, r.text)
            if role == "admin":  # personal-data roles read the text as written
                assert third in r.text, url
            else:
                assert third not in r.text, (url, role)
                assert mask_resident_id(third) in r.text, (url, role)
    # what the masking must not touch: the organisation's own code and the record's other fields
    rows = client.get(f"/api/v1/subjects/{w['org']}/records").json()
    assert rows[0]["subject"] == w["org"] and rows[0]["note"] == f"法定代表人身份证号{mask_resident_id(third)}"


def test_a_subject_account_sees_its_own_number_in_full_and_others_masked(client: TestClient, clean: Engine,
                                                                       tokens: dict[str, str]) -> None:
    me = make_subject(client, tokens["admin"], kind="individual")["code"]
    other = new_resident_id()
    post_record(client, tokens["admin"], me, "GEN-B01", note=f"本人{me}，证人{other}", source_ref=new_ref())
    mine = client.get(f"/api/v1/subjects/{me}/records", headers=auth(subject_account(clean, me))).json()
    assert mine[0]["subject"] == me and mine[0]["note"] == f"本人{me}，证人{mask_resident_id(other)}"
    public = client.get(f"/api/v1/subjects/{me}/records").json()
    assert public[0]["note"] == f"本人{mask_resident_id(me)}，证人{mask_resident_id(other)}"


# --- the access log ----------------------------------------------------------------------------------------------

def test_the_access_log_masks_ids_in_paths_and_records_every_response_500_included(
        clean: Engine, tokens: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    app = create_app(clean)

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/test-boom", boom)
    rid = new_resident_id()
    with TestClient(app, raise_server_exceptions=False) as client:
        capsys.readouterr()
        make_subject(client, tokens["admin"], kind="individual", code=rid)
        assert client.get(f"/api/v1/subjects/{rid}/records").status_code == 200
        assert client.get(f"/api/v1/subjects/{rid}/nothing").status_code == 404
        assert client.get("/api/v1/test-boom").status_code == 500
    err = capsys.readouterr().err
    assert rid not in err
    lines = [ln for ln in err.splitlines() if "request" in ln and "/api/v1/" in ln]
    masked = mask_resident_id(rid)
    assert any(f"/api/v1/subjects/{masked}/records" in ln and "200" in ln for ln in lines), err
    assert any(f"/api/v1/subjects/{masked}/nothing" in ln and "404" in ln for ln in lines), err
    assert any("/api/v1/test-boom" in ln and "500" in ln for ln in lines), err
