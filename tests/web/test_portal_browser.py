"""公众信用门户 in a real browser (Debian chromium driven by Playwright; issue 11 items 3-5, issue 8 item 1).

Anonymous search → a subject's page with its public grades and records (a withdrawn record hidden, one under
objection flagged, 122号 Art.18); an individual shown masked (spec G1-17); the phone width (375 px); the subject signs
in with its own account, files an objection with evidence and sees its state; the English switch; and axe-core
(vendored from the npm registry under tests/web/vendor/axe-core) finds no serious or critical violation on any
portal page. Screenshots are kept under build/test-artifacts/ (the `artifacts` fixture, tests/conftest.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests._live import serving
from tests.api._api_helpers import make_subject, post_record
from tests.cases._case_helpers import file_case
from tests.conftest import auth, new_resident_id
from tests.governance._governance_helpers import consult, content, create, governed  # noqa: F401  (fixture)
from tests.supervision._helpers import in_force, leader_session, line
from xinyong.api import create_app
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import DayClock, clock_at
from xinyong.users.service import create_user

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (make system-deps)"),
]

DAY = date(2026, 3, 10)  # a Tuesday
ORG = "北京门户浏览器设计院有限公司"
PASSWORD = "portal-pass-2026"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def site(clean: Engine, tokens: dict[str, str], governed) -> Iterator[dict[str, Any]]:  # noqa: F811
    """A subject with a record in effect, a withdrawn one and one under objection; its own account; an individual;
    a survey_design draft under consultation (its comment form)."""
    app = create_app(clean)
    with clock_at(DayClock(DAY)), TestClient(app) as client, serving(app) as url:
        code = make_subject(client, tokens["admin"], grade="B", industries=["survey_design"], name=ORG)["code"]
        rec = {name: post_record(client, tokens["business"], code, "GEN-D01", act_date=date(2026, 3, n))["id"]
               for n, name in enumerate(["kept", "withdrawn", "disputed"], start=2)}
        # 一般行政处罚 of 2025-03-09: its one-year display period ended on 2026-03-09, the day before DAY (spec G1-17)
        rec["expired"] = post_record(client, tokens["business"], code, "GEN-D01", act_date=date(2025, 3, 9))["id"]
        r = client.post(f"/api/v1/records/{rec['withdrawn']}/withdraw", json={"reason": "录入错误", "kind": "error"},
                        headers=auth(tokens["admin"]))
        assert r.status_code == 200, r.text
        file_case(client, tokens["hall"], code, record_id=rec["disputed"])
        rid = new_resident_id()
        make_subject(client, tokens["admin"], kind="individual", code=rid, name="孙门户")
        with unit_of_work(clean) as uow:
            create_user(uow, "portal-org", PASSWORD, "subject", subject=code)
        body = content(client, "survey_design-2024.1")
        body["name"] = "勘察设计行业信用评价标准(征求意见稿)"
        draft = create(client, tokens["business"], body, on=DAY - timedelta(days=20))["version"]
        consult(client, tokens["business"], draft, DAY - timedelta(days=5), DAY + timedelta(days=15))
        leader = leader_session(clean, None)
        ranking = client.post("/api/v1/rankings", json={"industry": "survey_design", "as_of": DAY.isoformat()},
                              headers=auth(tokens["business"])).json()["id"]
        assert client.post(f"/api/v1/rankings/{ranking}/approve", headers=auth(leader)).status_code == 200
        in_force(client, tokens["business"], leader, tokens["coordinator"], "punishment",
                 [line("D", item="从严审查，不适用告知承诺"), line("C", "procurement_bidding", item="加强审查")])
        yield {"url": url, "client": client, "code": code, "rec": rec, "rid": rid, "draft": draft}


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        yield b
        b.close()


def new_page(browser: Any, width: int = 1280, height: int = 900) -> tuple[Any, list[str]]:
    pg = browser.new_page(locale="en-US", viewport={"width": width, "height": height})  # dates must not follow it
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    return pg, errors


def view(page: Any, name: str) -> Any:
    loc = page.locator(f"[data-testid=view-{name}]")
    loc.wait_for()
    page.locator("main[data-state=ready]").wait_for()
    return loc


def search_and_open(page: Any, url: str, q: str) -> None:
    page.goto(url + "/public")
    view(page, "search")
    page.get_by_test_id("search-input").fill(q)
    page.get_by_test_id("search-input").press("Enter")
    page.get_by_test_id("result-row").first.wait_for()
    page.get_by_test_id("result-row").first.get_by_role("link").click()
    view(page, "subject")


def sign_in(page: Any, url: str) -> None:
    page.goto(url + "/public#/account")
    view(page, "account")
    page.get_by_label("用户名").fill("portal-org")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("signed-in").wait_for()


def serious_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.article("122号 Art.18")
def test_anonymous_search_shows_public_grades_and_records_withdrawn_hidden_objection_flagged_122_art18(
        site, browser, tmp_path, artifacts) -> None:
    page, errors = new_page(browser)
    search_and_open(page, site["url"], "浏览器设计院")
    assert page.get_by_test_id("subject-name").inner_text() == ORG
    grades = {r.get_attribute("data-scope"): r for r in page.get_by_test_id("grade-row").all()}
    assert list(grades) == ["general", "survey_design"]
    staff = site["client"].get(f"/api/v1/subjects/{site['code']}/evaluation").json()
    assert grades["general"].get_attribute("data-grade") == staff["grade"]
    assert grades["general"].get_attribute("data-level") == staff["level"]
    rows = {int(r.get_attribute("data-id")): r for r in page.get_by_test_id("record-row").all()}
    # the withdrawn record is not shown, nor the one whose display period (公示期限, spec G1-17) has ended
    assert set(rows) == {site["rec"]["kept"], site["rec"]["disputed"]}
    assert rows[site["rec"]["kept"]].get_by_test_id("shown-until").inner_text() == "公示至 2027-03-02"
    assert rows[site["rec"]["disputed"]].get_attribute("data-objection") == "true"
    assert "异议处理中" in rows[site["rec"]["disputed"]].inner_text()
    assert rows[site["rec"]["kept"]].get_attribute("data-objection") == "false"
    assert "2026-03-02" in rows[site["rec"]["kept"]].inner_text()  # YYYY-MM-DD whatever the browser locale
    assert page.get_by_test_id("object-link").count() == 0  # only the subject's own account may object
    page.screenshot(path=str(artifacts / "portal-subject.png"), full_page=True)
    # an individual: found by name, its ID masked, the whole number nowhere on the page
    search_and_open(page, site["url"], "孙门户")
    rid = site["rid"]
    assert page.get_by_test_id("subject-code").inner_text() == rid[:6] + "*" * 8 + rid[14:]
    assert rid not in page.content() and rid not in page.url
    assert errors == []


def test_the_portal_fits_a_phone_width_of_375_px(site, browser, artifacts) -> None:
    page, errors = new_page(browser, 375, 800)
    search_and_open(page, site["url"], "浏览器设计院")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways: {width}px"
    for link in page.locator("nav a").all():
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert box["height"] >= 44  # a finger-sized target
    page.screenshot(path=str(artifacts / "portal-phone.png"), full_page=True)
    page.goto(site["url"] + "/public#/account")
    view(page, "account")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert errors == []


@pytest.mark.article("122号 Art.18")
def test_the_subject_signs_in_files_an_objection_with_evidence_and_follows_it_122_art18(
        site, browser, tmp_path, artifacts) -> None:
    page, errors = new_page(browser)
    sign_in(page, site["url"])
    assert site["code"] in page.get_by_test_id("signed-in").inner_text()  # its own code, whole
    # from its public page, the record's "object" link opens the form with the record chosen
    page.goto(f"{site['url']}/public#/subject/{site['code']}")
    view(page, "subject")
    page.get_by_test_id("object-link").first.click()
    view(page, "account")
    assert page.get_by_test_id("file-target").input_value() == f"record:{site['rec']['kept']}"
    page.get_by_label("申请事项及理由").fill("该处罚决定已被复议撤销，记录与事实不符。")
    page.get_by_test_id("file-evidence").set_input_files(
        {"name": "复议决定书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_test_id("file-submit").click()
    case_view = view(page, "case")
    case_id = int(page.url.rsplit("/", 1)[1])
    assert case_view.get_attribute("data-state") == "received"
    assert "复议决定书.pdf" in page.get_by_test_id("case-evidence").first.inner_text()
    assert [s.get_attribute("data-state") for s in page.get_by_test_id("case-step").all()] == ["received"]
    assert "已受理" in page.get_by_test_id("case-facts").inner_text()
    page.screenshot(path=str(artifacts / "portal-case.png"), full_page=True)
    page.goto(site["url"] + "/public#/account")
    view(page, "account")
    row = page.locator(f"[data-testid=case-row][data-id='{case_id}']")
    assert row.get_attribute("data-state") == "received" and "已受理" in row.inner_text()
    assert page.get_by_test_id("case-row").count() == 2  # and the objection the hall filed for it earlier
    # the case went in through the portal with its evidence; the public now sees the record under objection
    cases = site["client"].get("/api/v1/cases", headers=auth(_own_session(site))).json()
    mine = {c["id"]: c for c in cases}[case_id]
    assert mine["channel"] == "portal" and mine["record_id"] == site["rec"]["kept"]
    assert [e["name"] for e in mine["evidence"]] == ["复议决定书.pdf"]
    public = site["client"].get(f"/api/v1/public/subjects/{site['code']}").json()
    assert {r["id"]: r for r in public["records"]}[site["rec"]["kept"]]["under_objection"] is True
    page.get_by_test_id("logout").click()
    page.get_by_test_id("login-form").wait_for()
    assert page.evaluate("() => sessionStorage.getItem('xy-public-token')") is None
    assert errors == []


def _own_session(site: dict[str, Any]) -> str:
    r = site["client"].post("/api/v1/login", json={"username": "portal-org", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return str(r.json()["token"])  # the subject's own session reads its own cases


def test_the_english_switch_changes_the_interface_and_is_remembered(site, browser) -> None:
    page, errors = new_page(browser)
    page.goto(site["url"] + "/public")
    view(page, "search")
    assert page.locator("h1").inner_text() == "查询评价对象"
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
    page.get_by_test_id("lang-switch").click()
    page.locator("h1", has_text="Find an evaluated subject").wait_for()
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert page.get_by_role("link", name="Rankings").is_visible()
    assert page.get_by_label("Name or unified social credit code").is_visible()
    page.reload()
    page.locator("h1", has_text="Find an evaluated subject").wait_for()  # kept across visits
    page.get_by_test_id("lang-switch").click()
    page.locator("h1", has_text="查询评价对象").wait_for()
    assert errors == []


def test_published_rankings_measures_and_a_comment_on_the_draft_under_consultation_122_art12_art17(
        site, browser, tmp_path, artifacts) -> None:
    page, errors = new_page(browser)
    page.goto(site["url"] + "/public#/rankings")
    view(page, "rankings")
    names = [r.locator("td").nth(1).inner_text() for r in page.get_by_test_id("ranking-row").all()]
    assert ORG in names and "孙门户" not in names  # survey_design only; the individual is not enrolled in it
    page.goto(site["url"] + "/public#/measures")
    view(page, "measures")
    assert page.get_by_test_id("measure-row").count() == 2
    assert "从严审查，不适用告知承诺" in page.get_by_test_id("view-measures").inner_text()
    assert page.get_by_test_id("measure-row").first.locator("td").last.inner_text() == "勘察设计处"
    page.screenshot(path=str(artifacts / "portal-measures.png"), full_page=True)
    page.goto(site["url"] + "/public#/standards")
    view(page, "standards")
    rows = {r.get_attribute("data-version"): r.get_attribute("data-status")
            for r in page.get_by_test_id("standard-row").all()}
    assert rows[site["draft"]] == "consultation" and rows["survey_design-2024.1"] == "in_force"
    form = page.locator(f"[data-testid=comment-form][data-version='{site['draft']}']")
    form.get_by_test_id("comment-text").fill("建议明确第3项的适用范围。")
    form.get_by_role("button").click()
    form.get_by_test_id("comment-done").locator(".status").wait_for()
    assert "意见已收到" in form.get_by_test_id("comment-done").inner_text()
    page.get_by_test_id("lang-switch").click()
    page.locator("h1", has_text="Evaluation standards").wait_for()
    page.screenshot(path=str(artifacts / "portal-standards-en.png"), full_page=True)
    counted = site["client"].get(f"/api/v1/standards/{site['draft']}/comments").json()
    assert counted["total"] == 1
    assert errors == []


def test_no_serious_accessibility_violation_on_any_portal_page_axe_core(site, browser) -> None:
    page, errors = new_page(browser)
    found: dict[str, list[str]] = {}
    search_and_open(page, site["url"], "浏览器设计院")
    found["subject"] = serious_violations(page)
    page.goto(site["url"] + "/public")
    view(page, "search")
    page.get_by_test_id("search-input").fill("门户")
    page.get_by_test_id("search-input").press("Enter")
    page.get_by_test_id("result-row").first.wait_for()
    found["search"] = serious_violations(page)
    for name in ("rankings", "measures", "standards", "account"):
        page.goto(f"{site['url']}/public#/{name}")
        view(page, name)
        if name == "standards":
            page.get_by_test_id("comment-form").wait_for()  # the draft under consultation takes comments
        found[name] = serious_violations(page)
    sign_in(page, site["url"])
    found["account signed in"] = serious_violations(page)
    page.get_by_test_id("file-statement").fill("记录有误")
    page.get_by_test_id("file-submit").click()
    view(page, "case")
    found["case"] = serious_violations(page)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{site['url']}/public#/subject/{site['code']}")
    view(page, "subject")
    found["subject at 375 px"] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
    assert errors == []
