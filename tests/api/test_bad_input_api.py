"""Bad input: 422 naming the field and the reason in Chinese and English, no partial writes, never a 500
(122号 第九条 identifiers; 第八条 records; spec §0.2)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from _api_helpers import evaluation, make_subject, record_body, records_of, today
from fastapi.testclient import TestClient

from tests.conftest import auth, new_resident_id, new_uscc
from xinyong.demo import USCC_CHARS
from xinyong.rules.identifiers import check_uscc


def _problems(r: Any, status: int = 422) -> list[dict[str, str]]:
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail, detail
    for p in detail:
        assert set(p) == {"field", "reason_zh", "reason_en"}, p
        assert isinstance(p["field"], str)
        assert p["reason_zh"].strip() and p["reason_en"].strip(), p
    return list(detail)


def _fields(r: Any) -> set[str]:
    return {p["field"] for p in _problems(r)}


def _subject_count(client: TestClient) -> int:
    return int(client.get("/api/v1/subjects").json()["total"])


def _wrong_check(code: str) -> str:
    for c in USCC_CHARS:
        if c != code[-1] and check_uscc(code[:-1] + c) is not None:
            return code[:-1] + c
    raise AssertionError("unreachable")


# ---- subjects -------------------------------------------------------------------------------------------


@pytest.mark.article("122号 Art.9")
def test_uscc_with_wrong_check_character_is_422_on_code_122_art9(client: TestClient, tokens: dict[str, str]
                                                                 ) -> None:
    bad = _wrong_check(new_uscc())
    r = client.post("/api/v1/subjects", json={"code": bad, "name": "校验位错误", "kind": "organization"},
                    headers=auth(tokens["admin"]))
    [problem] = _problems(r)
    assert problem["field"] == "code"
    assert "校验位" in problem["reason_zh"]
    assert "check" in problem["reason_en"].lower()
    assert client.get(f"/api/v1/subjects/{bad}").status_code == 404
    assert _subject_count(client) == 0


@pytest.mark.article("122号 Art.9")
def test_resident_id_with_wrong_check_digit_is_422_on_code_122_art9(client: TestClient, tokens: dict[str, str]
                                                                    ) -> None:
    rid = new_resident_id()
    bad = rid[:-1] + ("0" if rid[-1] != "0" else "1")
    r = client.post("/api/v1/subjects", json={"code": bad, "name": "个人", "kind": "individual"},
                    headers=auth(tokens["admin"]))
    [problem] = _problems(r)
    assert problem["field"] == "code"
    assert "校验位" in problem["reason_zh"] and "check" in problem["reason_en"].lower()
    assert _subject_count(client) == 0


@pytest.mark.article("122号 Art.9")
def test_individual_with_company_code_is_422_on_code_122_art9(client: TestClient, tokens: dict[str, str]) -> None:
    code = new_uscc()
    r = client.post("/api/v1/subjects", json={"code": code, "name": "张三", "kind": "individual"},
                    headers=auth(tokens["admin"]))
    [problem] = _problems(r)
    assert problem["field"] == "code"
    assert "身份证" in problem["reason_zh"] and "resident" in problem["reason_en"].lower()
    assert _subject_count(client) == 0


@pytest.mark.article("122号 Art.9")
def test_organization_with_resident_id_is_422_on_code_122_art9(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.post("/api/v1/subjects", json={"code": new_resident_id(), "name": "某公司", "kind": "organization"},
                    headers=auth(tokens["admin"]))
    [problem] = _problems(r)
    assert problem["field"] == "code"
    assert "统一社会信用代码" in problem["reason_zh"]
    assert _subject_count(client) == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"industries": ["no_such_industry"]}, "industries[0]"),
    ({"industries": ["survey_design", "no_such_industry"]}, "industries[1]"),
    ({"industries": ["survey_design", "survey_design"]}, "industries"),
    ({"kind": "company"}, "kind"),
    ({"national_grade": "E"}, "national_grade"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "长" * 201}, "name"),
    ({"code": ""}, "code"),
    ({"code": "12345"}, "code"),
    ({"code": 911101051234567890}, "code"),
    ({"industries": "survey_design"}, "industries"),
    ({"nickname": "extra"}, "nickname"),
])
def test_subject_bad_field_is_422_naming_it_and_stores_nothing(client: TestClient, tokens: dict[str, str],
                                                               change: dict[str, Any], field: str) -> None:
    body = {"code": new_uscc(), "name": "测试单位", "kind": "organization", "national_grade": "B",
            "industries": ["survey_design"], **change}
    r = client.post("/api/v1/subjects", json=body, headers=auth(tokens["admin"]))
    assert field in _fields(r)
    assert _subject_count(client) == 0


@pytest.mark.parametrize("missing", ["code", "name", "kind"])
def test_subject_missing_field_is_422_naming_it(client: TestClient, tokens: dict[str, str], missing: str) -> None:
    body = {"code": new_uscc(), "name": "测试单位", "kind": "organization"}
    del body[missing]
    r = client.post("/api/v1/subjects", json=body, headers=auth(tokens["admin"]))
    [problem] = _problems(r)
    assert problem["field"] == missing
    assert problem["reason_zh"] == "缺少必填字段"
    assert "required" in problem["reason_en"].lower()
    assert _subject_count(client) == 0


def test_subject_several_bad_fields_all_named(client: TestClient, tokens: dict[str, str]) -> None:
    body = {"code": _wrong_check(new_uscc()), "name": "x", "kind": "organization",
            "industries": ["nope", "survey_design"]}
    r = client.post("/api/v1/subjects", json=body, headers=auth(tokens["admin"]))
    assert {"code", "industries[0]"} <= _fields(r)


# ---- records --------------------------------------------------------------------------------------------


@pytest.fixture
def subject(client: TestClient, tokens: dict[str, str]) -> dict[str, Any]:
    return make_subject(client, tokens["admin"], grade="B", industries=["survey_design"])


def _nothing_stored(client: TestClient, subject: dict[str, Any]) -> None:
    assert records_of(client, subject["code"]) == []
    ev = evaluation(client, subject["code"], industry="survey_design")
    assert ev["score"] == 650 and ev["lines"] == []


@pytest.mark.parametrize(("change", "field"), [
    ({"item": "NO-SUCH-ITEM"}, "item"),
    ({"department": "no_such_department"}, "department"),
    ({"act_date": "2026-13-01"}, "act_date"),
    ({"act_date": "yesterday"}, "act_date"),
    ({"act_date": "2026-02-30"}, "act_date"),
    ({"act_date": "2026-03-10T12:30:00"}, "act_date"),
    ({"act_date": 20260310}, "act_date"),
    ({"act_date": None}, "act_date"),
    ({"source_ref": ""}, "source_ref"),
    ({"source_ref": "   "}, "source_ref"),
    ({"source_ref": "x" * 201}, "source_ref"),
    ({"note": "说" * 2001}, "note"),
    ({"item": ["GEN-B01"]}, "item"),
    ({"department": {"code": "kanchasheji"}}, "department"),
    ({"extra_field": 1}, "extra_field"),
    ({"id": 5}, "id"),
])
def test_record_bad_field_is_422_naming_it_and_stores_nothing(client: TestClient, tokens: dict[str, str],
                                                              subject: dict[str, Any], change: dict[str, Any],
                                                              field: str) -> None:
    body = dict(record_body(subject["code"], "SD-D01"), **change)
    r = client.post("/api/v1/records", json=body, headers=auth(tokens["admin"]))
    assert field in _fields(r), r.text
    _nothing_stored(client, subject)


def test_record_unknown_subject_is_422_on_subject(client: TestClient, tokens: dict[str, str]) -> None:
    code = new_uscc()
    r = client.post("/api/v1/records", json=record_body(code, "GEN-D01"), headers=auth(tokens["admin"]))
    assert _fields(r) == {"subject"}
    assert client.get(f"/api/v1/subjects/{code}").status_code == 404  # not created on the fly
    assert _subject_count(client) == 0


@pytest.mark.article("122号 Art.8")
def test_record_act_date_in_future_is_422_on_act_date_122_art8(client: TestClient, tokens: dict[str, str],
                                                               subject: dict[str, Any]) -> None:
    body = record_body(subject["code"], "SD-D01", act_date=today() + timedelta(days=1))
    [problem] = _problems(client.post("/api/v1/records", json=body, headers=auth(tokens["admin"])))
    assert problem["field"] == "act_date"
    assert "future" in problem["reason_en"]
    _nothing_stored(client, subject)


@pytest.mark.parametrize("missing", ["subject", "item", "act_date", "department", "source_ref"])
def test_record_missing_field_is_422_naming_it(client: TestClient, tokens: dict[str, str],
                                               subject: dict[str, Any], missing: str) -> None:
    body = record_body(subject["code"], "SD-D01")
    del body[missing]
    [problem] = _problems(client.post("/api/v1/records", json=body, headers=auth(tokens["admin"])))
    assert problem["field"] == missing
    assert problem["reason_zh"] == "缺少必填字段"
    _nothing_stored(client, subject)


def test_record_several_bad_fields_all_named(client: TestClient, tokens: dict[str, str],
                                             subject: dict[str, Any]) -> None:
    body = record_body(subject["code"], "NOPE", department="nowhere", act_date=today() + timedelta(days=2))
    r = client.post("/api/v1/records", json=body, headers=auth(tokens["admin"]))
    assert {"item", "department", "act_date"} <= _fields(r)
    _nothing_stored(client, subject)


def test_malformed_json_body_is_422(client: TestClient, tokens: dict[str, str], subject: dict[str, Any]) -> None:
    for path in ("/api/v1/records", "/api/v1/subjects", "/api/v1/records/bulk"):
        r = client.post(path, content=b'{"subject": "x", "item": ', headers={**auth(tokens["admin"]),
                                                                            "Content-Type": "application/json"})
        [problem] = _problems(r)
        assert problem["field"] == "body", problem
        assert "JSON" in problem["reason_zh"] and "JSON" in problem["reason_en"]
    _nothing_stored(client, subject)
    assert _subject_count(client) == 1


def test_bulk_with_bad_envelope_is_422_and_stores_nothing(client: TestClient, tokens: dict[str, str],
                                                          subject: dict[str, Any]) -> None:
    good = record_body(subject["code"], "SD-B01")
    for body in ({}, {"records": good}, {"records": "x"}, {"records": [good], "extra": 1}, [good],
                 {"records": [good, "not an object"]}):
        r = client.post("/api/v1/records/bulk", json=body, headers=auth(tokens["admin"]))
        _problems(r)
    _nothing_stored(client, subject)


@pytest.mark.parametrize("path", ["/api/v1/records/abc/withdraw", "/api/v1/records/1.5/withdraw"])
def test_withdraw_bad_id_is_422_naming_it(client: TestClient, tokens: dict[str, str], path: str) -> None:
    r = client.post(path, json={"reason": "x"}, headers=auth(tokens["admin"]))
    assert _fields(r) == {"record_id"}


@pytest.mark.parametrize("record_id", ["0", "-1", str(2**31), str(2**63), str(10**30)])
def test_withdraw_out_of_range_id_is_4xx_never_500(client: TestClient, tokens: dict[str, str],
                                                   record_id: str) -> None:
    r = client.post(f"/api/v1/records/{record_id}/withdraw", json={"reason": "x"}, headers=auth(tokens["admin"]))
    assert r.status_code in (404, 422), r.text
    _problems(r, r.status_code)


# ---- never a 500 ----------------------------------------------------------------------------------------

GARBAGE: list[Any] = [
    None, [], [1, 2, 3], "a string", 42, 3.14, True, {},
    {"subject": {"nested": {"deeper": [1, {"x": None}]}}, "item": [], "act_date": {}, "department": 1,
     "source_ref": ["a"]},
    {"code": 123, "name": 456, "kind": None, "national_grade": 1, "industries": [1, None, {}]},
    {"code": "9" * 100_000, "name": "名" * 100_000, "kind": "organization"},
    {"subject": "Z" * 100_000, "item": "I" * 100_000, "act_date": "2" * 1000, "department": "d" * 100_000,
     "source_ref": "s" * 100_000, "note": "n" * 100_000},
    {"subject": "'; DROP TABLE records; --", "item": "GEN-B01", "act_date": "2026-01-05",
     "department": "fazhi", "source_ref": "\x00\x01"},
    {"code": "\x00" * 18, "name": "\u202e\x00", "kind": "individual"},
    {"records": [None, 1, "x", [], {"subject": {}}]},
    {"records": [{"subject": 1, "item": 2, "act_date": 3, "department": 4, "source_ref": 5}]},
    {"reason": {"a": 1}},
    {"reason": "r" * 100_000},
]
WRITE_PATHS = ["/api/v1/subjects", "/api/v1/records", "/api/v1/records/bulk", "/api/v1/records/1/withdraw"]


def test_garbage_payloads_are_4xx_never_500(client: TestClient, tokens: dict[str, str]) -> None:
    for path in WRITE_PATHS:
        for payload in GARBAGE:
            r = client.post(path, content=json.dumps(payload).encode(),
                            headers={**auth(tokens["admin"]), "Content-Type": "application/json"})
            if path.endswith("/bulk") and r.status_code == 200:
                # a well-formed envelope: every garbage record is refused on its own (each atomic)
                results = r.json()["results"]
                assert results and all(400 <= x["status"] < 500 and x["errors"] for x in results), r.text
                continue
            assert 400 <= r.status_code < 500, (path, str(payload)[:80], r.status_code, r.text[:300])
            _problems(r, r.status_code)
        for raw in (b"", b"\xff\xfe\x00", b"not json at all", b"{" * 5000, b"[" * 100_000):
            r = client.post(path, content=raw, headers={**auth(tokens["admin"]), "Content-Type": "application/json"})
            assert 400 <= r.status_code < 500, (path, raw[:20], r.status_code, r.text[:300])
        r = client.post(path, content=b"code=1", headers={**auth(tokens["admin"]),
                                                           "Content-Type": "application/x-www-form-urlencoded"})
        assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:300])
    assert _subject_count(client) == 0


def test_bulk_garbage_records_reported_per_record_never_500(client: TestClient, tokens: dict[str, str],
                                                            subject: dict[str, Any]) -> None:
    weird = [
        {"subject": 1, "item": 2, "act_date": 3, "department": 4, "source_ref": 5},
        {"subject": subject["code"], "item": "SD-B01", "act_date": "9999-12-31", "department": "kanchasheji",
         "source_ref": "far-future"},
        {"subject": subject["code"], "item": "SD-B01", "act_date": "0001-01-01", "department": "kanchasheji",
         "source_ref": "year-one"},
        {"subject": "x" * 10_000, "item": "SD-B01", "act_date": "2026-01-05", "department": "kanchasheji",
         "source_ref": "long-subject"},
    ]
    r = client.post("/api/v1/records/bulk", json={"records": weird}, headers=auth(tokens["admin"]))
    assert r.status_code == 200, r.text
    statuses = [x["status"] for x in r.json()["results"]]
    assert statuses[0] == 422 and statuses[1] == 422 and statuses[3] == 422
    assert statuses[2] in (201, 422)  # a very old act date is accepted (late) or refused, never a 500
    for x in r.json()["results"]:
        if x["status"] >= 400:
            assert x["errors"] and all(p["field"] and p["reason_zh"] and p["reason_en"] for p in x["errors"])


@pytest.mark.parametrize("params", [
    {"as_of": "0001-01-01"}, {"as_of": "9999-12-31"}, {"as_of": "x" * 5000}, {"industry": "x" * 5000},
    {"as_of": ""}, {"industry": ""},
])
def test_evaluation_query_garbage_is_never_500(client: TestClient, tokens: dict[str, str],
                                               subject: dict[str, Any], params: dict[str, str]) -> None:
    r = client.get(f"/api/v1/subjects/{subject['code']}/evaluation", params=params)
    assert r.status_code < 500, r.text


@pytest.mark.parametrize("params", [
    {"limit": "0"}, {"limit": "100000"}, {"offset": "-1"}, {"grade": "E"}, {"industry": "nope"},
    {"limit": "abc"}, {"q": "%_\\" * 100},
])
def test_subject_list_query_garbage_is_4xx_or_ok(client: TestClient, params: dict[str, str]) -> None:
    r = client.get("/api/v1/subjects", params=params)
    assert r.status_code < 500, r.text
    if r.status_code != 200:
        _problems(r)
        assert set(params) & _fields(r), (params, r.text)


def test_unknown_code_paths_are_404_never_500(client: TestClient) -> None:
    for code in ("x" * 5000, "%00", "../../etc/passwd", "911101050000000000"):
        r = client.get(f"/api/v1/subjects/{code}")
        assert r.status_code in (404, 422), (code, r.status_code)


# PostgreSQL text cannot hold NUL (0x00): it must be refused as bad input, never reach the database (a 500).


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/subjects", {"name": "a\x00b", "kind": "organization"}, "name"),
    ("/api/v1/subjects", {"name": "a", "kind": "organization", "industries": ["\x00"]}, "industries[0]"),
    ("/api/v1/records", {"note": "\x00"}, "note"),
    ("/api/v1/records", {"item": "\x00"}, "item"),
    ("/api/v1/records", {"subject": "\x00"}, "subject"),
    ("/api/v1/records", {"department": "zhi\x00fa"}, "department"),
    ("/api/v1/records", {"source_ref": "a\x00"}, "source_ref"),
    ("/api/v1/records/bulk", {"note": "\x00"}, "records[1].note"),
])
def test_nul_character_in_body_is_422_naming_field_never_500(client: TestClient, tokens: dict[str, str],
                                                               subject: dict[str, Any], path: str,
                                                               body: dict[str, Any], field: str) -> None:
    if path == "/api/v1/subjects":
        payload: dict[str, Any] = {"code": new_uscc(), **body}
    elif path == "/api/v1/records":
        payload = dict(record_body(subject["code"], "SD-D01"), **body)
    else:
        payload = {"records": [record_body(subject["code"], "SD-B01"),
                               dict(record_body(subject["code"], "SD-D01"), **body)]}
    r = client.post(path, json=payload, headers=auth(tokens["admin"]))
    [problem] = _problems(r)
    assert problem["field"] == field
    assert "NUL" in problem["reason_en"]
    _nothing_stored(client, subject)
    assert _subject_count(client) == 1


def test_nul_character_in_withdraw_reason_is_422(client: TestClient, tokens: dict[str, str],
                                                 subject: dict[str, Any]) -> None:
    rec = client.post("/api/v1/records", json=record_body(subject["code"], "SD-D01"),
                      headers=auth(tokens["admin"])).json()
    r = client.post(f"/api/v1/records/{rec['id']}/withdraw", json={"reason": "\x00"}, headers=auth(tokens["admin"]))
    assert _fields(r) == {"reason"}
    assert records_of(client, subject["code"])[0]["status"] == "active"


def test_escaped_backslash_u0000_text_is_not_a_nul(client: TestClient, tokens: dict[str, str],
                                                   subject: dict[str, Any]) -> None:
    body = record_body(subject["code"], "SD-B01", note="literal \\u0000 text")
    r = client.post("/api/v1/records", json=body, headers=auth(tokens["admin"]))
    assert r.status_code == 201, r.text
    assert r.json()["note"] == "literal \\u0000 text"


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/api/v1/subjects", {"q": "\x00"}, "q"),
    ("/api/v1/subjects", {"industry": "\x00"}, "industry"),
    ("/api/v1/subjects/{code}/evaluation", {"industry": "\x00"}, "industry"),
    ("/api/v1/subjects/%00", {}, "code"),
    ("/api/v1/subjects/%00/evaluation", {}, "code"),
    ("/api/v1/subjects/%00/records", {}, "code"),
])
def test_nul_character_in_path_or_query_is_422_never_500(client: TestClient, subject: dict[str, Any], path: str,
                                                          params: dict[str, str], field: str) -> None:
    r = client.get(path.replace("{code}", subject["code"]), params=params)
    assert _fields(r) == {field}


@pytest.mark.parametrize("offset", [str(2**31), str(2**63), str(10**30)])
def test_huge_list_offset_is_422_never_500(client: TestClient, offset: str) -> None:
    r = client.get("/api/v1/subjects", params={"offset": offset})
    assert _fields(r) == {"offset"}
