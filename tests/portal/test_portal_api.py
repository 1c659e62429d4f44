"""The public portal's JSON (GET /api/v1/public/...; issue 11 item 3): search, a subject's public grades per industry
and public records (122号 Art.13, Art.18; spec G1-07, G1-17), the standards in force or under consultation
(122号 Art.12), the signed-in subject account, and the page itself."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api._api_helpers import make_subject, post_record
from tests.cases._case_helpers import file_case, subject_account, to_resolved
from tests.conftest import auth, new_resident_id
from tests.governance._governance_helpers import consult, content, create, governed  # noqa: F401  (fixture)
from xinyong.core.clock import DayClock, clock_at

DAY = date(2026, 3, 10)  # a Tuesday
STATIC = Path(__file__).resolve().parents[2] / "src" / "xinyong" / "web" / "static" / "public"


@pytest.fixture(autouse=True)
def _pinned_day():
    with clock_at(DayClock(DAY)):
        yield


def search(client: TestClient, q: str, status: int = 200) -> dict:
    r = client.get("/api/v1/public/subjects", params={"q": q})
    assert r.status_code == status, r.text
    return dict(r.json())


def page(client: TestClient, ref: str, status: int = 200) -> dict:
    r = client.get(f"/api/v1/public/subjects/{ref}")
    assert r.status_code == status, r.text
    return dict(r.json())


def withdraw(client: TestClient, token: str, record_id: int, kind: str) -> None:
    r = client.post(f"/api/v1/records/{record_id}/withdraw", json={"reason": "测试撤销", "kind": kind},
                    headers=auth(token))
    assert r.status_code == 200, r.text


# --- search ---------------------------------------------------------------------------------------------------

def test_organisations_are_found_by_name_or_part_of_their_code(client: TestClient, tokens) -> None:
    org = make_subject(client, tokens["admin"], name="北京门户检索设计院有限公司")
    by_name = search(client, "门户检索")
    assert by_name["total"] == 1 and by_name["items"][0]["ref"] == org["code"] == by_name["items"][0]["code"]
    assert search(client, org["code"][2:12])["items"][0]["name"] == "北京门户检索设计院有限公司"
    assert search(client, "没有这个名字")["total"] == 0


@pytest.mark.article("122号 Art.18")
def test_an_individual_is_found_only_by_its_whole_id_or_name_and_never_shown_in_full_spec_G1_17(
        client: TestClient, tokens) -> None:
    rid = new_resident_id()
    make_subject(client, tokens["admin"], kind="individual", code=rid, name="李门户")
    assert search(client, rid[:17])["total"] == 0  # 17 of 18 digits: no oracle (issue 12 item 1)
    assert search(client, rid[6:14])["total"] == 0  # the birth date alone
    whole = client.get("/api/v1/public/subjects", params={"q": rid})
    assert whole.json()["total"] == 1 and rid not in whole.text
    hit = search(client, "李门户")["items"][0]
    assert hit["code"] == rid[:6] + "*" * 8 + rid[14:] and hit["kind"] == "individual"
    assert rid not in hit["ref"] and re.fullmatch(r"p\d+-[0-9a-f]{20}", hit["ref"])
    body = client.get(f"/api/v1/public/subjects/{hit['ref']}")
    assert body.status_code == 200 and rid not in body.text and body.json()["name"] == "李门户"


@pytest.mark.parametrize("q", ["", "   ", "x" * 101])
def test_a_blank_or_overlong_query_is_refused_naming_q(client: TestClient, q: str) -> None:
    r = client.get("/api/v1/public/subjects", params={"q": q})
    assert r.status_code == 422 and r.json()["detail"][0]["field"].endswith("q")


def test_a_query_of_100_characters_is_taken(client: TestClient) -> None:
    assert search(client, "x" * 100)["total"] == 0


def test_refs_are_not_guessable_and_a_resident_id_is_not_a_ref(client: TestClient, tokens) -> None:
    rid = new_resident_id()
    make_subject(client, tokens["admin"], kind="individual", code=rid, name="王门户")
    ref = search(client, "王门户")["items"][0]["ref"]
    number, mac = ref[1:].split("-")
    page(client, f"p{number}-{'0' * 20}", 404)
    page(client, f"p{int(number) + 1}-{mac}", 404)
    page(client, f"p99999999999-{mac}", 404)
    page(client, rid, 404)  # knowing the ID in a URL would log it: only the search takes it
    page(client, "91110105NOTREGIST", 404)


# --- a subject's public page ---------------------------------------------------------------------------------

@pytest.mark.article("122号 Art.13")
def test_grades_per_industry_are_those_staff_see_computed_at_read_time_122_art13(client: TestClient, tokens) -> None:
    org = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"], name="北京门户等级设计院")
    post_record(client, tokens["business"], org["code"], "GEN-D01", act_date=date(2026, 3, 2))
    body = page(client, org["code"])
    scopes = [g["scope"] for g in body["grades"]]
    assert scopes == ["general", "survey_design"]
    for g in body["grades"]:
        params = {} if g["scope"] == "general" else {"industry": g["scope"]}
        staff = client.get(f"/api/v1/subjects/{org['code']}/evaluation", params=params).json()
        assert (g["score"], g["grade"], g["level"], g["fused"]) == (
            staff["score"], staff["grade"], staff["level"], staff["fused"])
        assert g["as_of"] == DAY.isoformat()
    assert body["grades"][0]["scope_name"] == "通用评价" and body["grades"][1]["scope_name"] == "勘察设计"


@pytest.mark.article("122号 Art.18")
def test_public_records_hide_withdrawn_repaired_and_replaced_ones_and_flag_one_under_objection_122_art18(
        client: TestClient, tokens) -> None:
    code = make_subject(client, tokens["admin"], grade="B", name="北京门户记录设计院")["code"]
    rec = {name: post_record(client, tokens["business"], code, "GEN-D01", act_date=date(2026, 3, n))["id"]
           for n, name in enumerate(["kept", "error", "repaired", "corrected", "disputed"], start=2)}
    withdraw(client, tokens["admin"], rec["error"], "error")
    withdraw(client, tokens["admin"], rec["repaired"], "repair")
    fixed = client.post(f"/api/v1/records/{rec['corrected']}/correct", json={"reason": "日期有误", "note": "更正后"},
                        headers=auth(tokens["admin"]))
    assert fixed.status_code == 201, fixed.text
    file_case(client, tokens["hall"], code, record_id=rec["disputed"])
    body = page(client, code)
    shown = {r["id"]: r for r in body["records"]}
    assert set(shown) == {rec["kept"], rec["disputed"], fixed.json()["id"]}
    assert body["records_total"] == 3
    assert shown[rec["disputed"]]["under_objection"] is True  # flagged, and it still counts (G1-07)
    assert shown[rec["kept"]]["under_objection"] is False
    assert [r["act_date"] for r in body["records"]] == sorted((r["act_date"] for r in body["records"]), reverse=True)
    kept = shown[rec["kept"]]
    assert kept["department_name"] == "勘察设计处" and kept["polarity"] == "bad" and kept["item_name"] != "GEN-D01"


@pytest.mark.article("122号 Art.18")
def test_an_upheld_objection_withdrawing_the_record_takes_it_off_the_public_page_122_art18(
        client: TestClient, tokens) -> None:
    code = make_subject(client, tokens["admin"], grade="B", name="北京门户异议设计院")["code"]
    record = post_record(client, tokens["business"], code, "GEN-D01", act_date=date(2026, 3, 2))
    case = file_case(client, tokens["hall"], code, record_id=record["id"])
    assert page(client, code)["records"][0]["under_objection"] is True
    before = page(client, code)["grades"][0]["score"]
    to_resolved(client, tokens, case["id"], remedy="withdraw")
    after = page(client, code)
    assert after["records"] == [] and after["records_total"] == 0
    assert after["grades"][0]["score"] == before + 10  # re-evaluated at once (122号 Art.13)


# --- standards, account, the page ------------------------------------------------------------------------------

@pytest.mark.article("122号 Art.12")
@pytest.mark.usefixtures("governed")
def test_standards_in_force_and_drafts_under_consultation_are_public_the_unpublished_draft_is_not_122_art12(
        client: TestClient, tokens) -> None:
    body = content(client, "survey_design-2024.1")
    body["name"] = "勘察设计行业信用评价标准(门户征求意见稿)"
    draft = create(client, tokens["business"], body, on=DAY - timedelta(days=20))["version"]
    body["name"] = "勘察设计行业信用评价标准(未公开草稿)"
    hidden = create(client, tokens["business"], body, on=DAY - timedelta(days=1))["version"]
    consult(client, tokens["business"], draft, DAY - timedelta(days=15), DAY)  # its last day is today
    listed = {s["version"]: s for s in client.get("/api/v1/public/standards").json()}
    assert hidden not in listed
    assert listed[draft]["status"] == "consultation" and listed[draft]["open_for_comments"] is True
    assert listed["survey_design-2024.1"]["status"] == "in_force"
    assert listed["survey_design-2024.1"]["open_for_comments"] is False
    assert list(listed)[0] == draft  # the drafts open for comment come first
    with clock_at(DayClock(DAY + timedelta(days=1))):  # the day after its consultation
        later = {s["version"]: s for s in client.get("/api/v1/public/standards").json()}
    assert later[draft]["open_for_comments"] is False


def test_the_account_is_the_signed_in_subject_only(client: TestClient, clean: Engine, tokens) -> None:
    rid = new_resident_id()
    make_subject(client, tokens["admin"], kind="individual", code=rid, name="赵门户")
    assert client.get("/api/v1/public/account").status_code == 401
    assert client.get("/api/v1/public/account", headers=auth(tokens["hall"])).status_code == 403
    me = client.get("/api/v1/public/account", headers=auth(subject_account(clean, rid))).json()
    assert me["code"] == rid and me["name"] == "赵门户"  # its own ID, whole
    assert me["ref"] == search(client, "赵门户")["items"][0]["ref"]


@pytest.mark.article("122号 Art.18")
def test_a_subject_files_through_the_portal_channel_and_the_public_sees_the_record_under_objection(
        client: TestClient, clean: Engine, tokens) -> None:
    code = make_subject(client, tokens["admin"], name="北京门户申请设计院")["code"]
    record = post_record(client, tokens["business"], code, "GEN-D01", act_date=date(2026, 3, 2))
    case = file_case(client, subject_account(clean, code), code, record_id=record["id"], channel="portal")
    assert case["channel"] == "portal" and case["state"] == "received"
    assert page(client, code)["records"][0]["under_objection"] is True


def test_the_page_is_served_and_its_files_stay_on_the_origin_and_small(client: TestClient) -> None:
    for path in ("/public", "/public/"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert 'src="/static/public/main.js"' in r.text and 'href="/static/public/portal.css"' in r.text
    files = sorted(STATIC.iterdir())
    assert {f.name for f in files} >= {"index.html", "main.js", "i18n.js", "dom.js", "portal.css"}
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, f.name  # no CDN, no external resource
        assert len(text.splitlines()) <= 400, f.name
        assert client.get(f"/static/public/{f.name}").status_code == 200
    for ref in re.findall(r"""(?:src|href)="([^"]+)\"""", (STATIC / "index.html").read_text(encoding="utf-8")):
        assert ref.startswith(("/static/", "#")), ref
