"""Who may write: bearer tokens, roles and the business department binding (122号 第四条, 第八条 谁生成、谁录入、
谁负责)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from _api_helpers import evaluation, make_subject, post_record, record_body, records_of
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from tests.conftest import auth, new_uscc
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import beijing_now
from xinyong.users.models import ApiToken
from xinyong.users.tokens import create_token


def _subject_body() -> dict:
    return {"code": new_uscc(), "name": "权限测试单位", "kind": "organization", "national_grade": "B",
            "industries": []}


def _assert_refusal(r, status: int) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail
    assert all({"field", "reason_zh", "reason_en"} <= set(p) for p in detail)
    assert detail[0]["reason_zh"] and detail[0]["reason_en"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer xy_not-a-real-token"},
                                     {"Authorization": "Bearer "}, {"Authorization": "Basic dXNlcjpwdw=="},
                                     {"Authorization": "xy_no_scheme"}])
def test_write_without_valid_token_is_401(client: TestClient, tokens: dict[str, str], headers: dict) -> None:
    subject = make_subject(client, tokens["admin"], grade="B")
    rec = post_record(client, tokens["admin"], subject["code"], "GEN-B01", department="fazhi")
    sub_body = _subject_body()
    r = client.post("/api/v1/subjects", json=sub_body, headers=headers)
    _assert_refusal(r, 401)
    assert client.get(f"/api/v1/subjects/{sub_body['code']}").status_code == 404
    r = client.post("/api/v1/records", json=record_body(subject["code"], "GEN-B02", department="fazhi"),
                    headers=headers)
    _assert_refusal(r, 401)
    r = client.post("/api/v1/records/bulk",
                    json={"records": [record_body(subject["code"], "GEN-B02", department="fazhi")]},
                    headers=headers)
    _assert_refusal(r, 401)
    r = client.post(f"/api/v1/records/{rec['id']}/withdraw", json={"reason": "x"}, headers=headers)
    _assert_refusal(r, 401)
    # nothing was written
    assert [x["id"] for x in records_of(client, subject["code"])] == [rec["id"]]
    assert records_of(client, subject["code"])[0]["status"] == "active"
    assert evaluation(client, subject["code"])["score"] == 660


def test_401_names_authorization_and_asks_for_bearer(client: TestClient) -> None:
    r = client.post("/api/v1/subjects", json=_subject_body())
    assert r.status_code == 401
    assert r.json()["detail"][0]["field"] == "Authorization"
    assert r.headers.get("www-authenticate", "").lower().startswith("bearer")


def test_revoked_or_expired_token_is_401(client: TestClient, clean: Engine) -> None:
    with unit_of_work(clean) as s:
        revoked = create_token(s.session, "revoked", "admin")
        expired = create_token(s.session, "expired", "admin")
        s.session.execute(update(ApiToken).where(ApiToken.name == "revoked").values(revoked_at=beijing_now()))
        s.session.execute(update(ApiToken).where(ApiToken.name == "expired")
                  .values(expires_at=beijing_now() - timedelta(minutes=1)))
    for token in (revoked, expired):
        r = client.post("/api/v1/subjects", json=_subject_body(), headers=auth(token))
        _assert_refusal(r, 401)


@pytest.mark.article("122号 Art.4")
@pytest.mark.parametrize("role", ["viewer", "leader"])
def test_viewer_and_leader_cannot_write_subjects_or_records_403_122_art4(client: TestClient,
                                                                         tokens: dict[str, str], role: str) -> None:
    subject = make_subject(client, tokens["admin"], grade="B")
    rec = post_record(client, tokens["admin"], subject["code"], "GEN-B01", department="fazhi")
    sub_body = _subject_body()
    _assert_refusal(client.post("/api/v1/subjects", json=sub_body, headers=auth(tokens[role])), 403)
    assert client.get(f"/api/v1/subjects/{sub_body['code']}").status_code == 404
    body = record_body(subject["code"], "GEN-B02", department="fazhi")
    _assert_refusal(client.post("/api/v1/records", json=body, headers=auth(tokens[role])), 403)
    _assert_refusal(client.post("/api/v1/records/bulk", json={"records": [body]}, headers=auth(tokens[role])), 403)
    _assert_refusal(client.post(f"/api/v1/records/{rec['id']}/withdraw", json={"reason": "x"},
                                headers=auth(tokens[role])), 403)
    assert [x["id"] for x in records_of(client, subject["code"])] == [rec["id"]]
    assert evaluation(client, subject["code"])["score"] == 660
    # but they may read
    assert client.get(f"/api/v1/subjects/{subject['code']}", headers=auth(tokens[role])).status_code == 200
    assert client.get(f"/api/v1/subjects/{subject['code']}/evaluation",
                      headers=auth(tokens[role])).status_code == 200


@pytest.mark.article("122号 Art.4(1)")
def test_hall_may_register_subjects_but_not_write_records_122_art4_1(client: TestClient,
                                                                     tokens: dict[str, str]) -> None:
    r = client.post("/api/v1/subjects", json=_subject_body(), headers=auth(tokens["hall"]))
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    body = record_body(code, "GEN-B01", department="zwfw_hall")
    _assert_refusal(client.post("/api/v1/records", json=body, headers=auth(tokens["hall"])), 403)
    _assert_refusal(client.post("/api/v1/records/bulk", json={"records": [body]}, headers=auth(tokens["hall"])), 403)
    assert records_of(client, code) == []


@pytest.mark.parametrize("role", ["admin", "coordinator", "business", "support"])
def test_writer_roles_may_post_records(client: TestClient, tokens: dict[str, str], role: str) -> None:
    subject = make_subject(client, tokens[role], grade="B", industries=["survey_design"])
    rec = post_record(client, tokens[role], subject["code"], "SD-B01", department="kanchasheji")
    r = client.post(f"/api/v1/records/{rec['id']}/withdraw", json={"reason": "测试"}, headers=auth(tokens[role]))
    assert r.status_code == 200, r.text


@pytest.mark.article("122号 Art.8")
def test_business_token_other_department_is_403_122_art8(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])
    body = record_body(subject["code"], "SD-D01", department="zhifa")
    r = client.post("/api/v1/records", json=body, headers=auth(tokens["business"]))
    _assert_refusal(r, 403)
    assert r.json()["detail"][0]["field"] == "department"
    assert records_of(client, subject["code"]) == []
    assert evaluation(client, subject["code"], industry="survey_design")["score"] == 650
    # its own department is fine
    own = post_record(client, tokens["business"], subject["code"], "SD-D01", department="kanchasheji")
    assert own["department"] == "kanchasheji"


@pytest.mark.article("122号 Art.8")
def test_business_token_cannot_withdraw_other_departments_record_122_art8(client: TestClient,
                                                                          tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B")
    rec = post_record(client, tokens["admin"], subject["code"], "GEN-D01", department="zhifa")
    r = client.post(f"/api/v1/records/{rec['id']}/withdraw", json={"reason": "x"}, headers=auth(tokens["business"]))
    _assert_refusal(r, 403)
    assert records_of(client, subject["code"])[0]["status"] == "active"
    assert evaluation(client, subject["code"])["score"] == 640


def test_reads_need_no_token(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B")
    for path in ("/api/v1/industries", "/api/v1/departments", "/api/v1/catalogue", "/api/v1/subjects",
                 f"/api/v1/subjects/{subject['code']}", f"/api/v1/subjects/{subject['code']}/evaluation"):
        assert client.get(path).status_code == 200, path


def test_invalid_token_on_read_is_401_not_silently_anonymous(client: TestClient, tokens: dict[str, str]) -> None:
    subject = make_subject(client, tokens["admin"], grade="B")
    r = client.get(f"/api/v1/subjects/{subject['code']}", headers=auth("xy_bogus"))
    assert r.status_code == 401
