"""异议与修复 and 信用承诺 pages in a real browser (Debian chromium driven by Playwright; issue 8 item 8).

A case is filed on a subject's behalf in the UI, routed by the hall, accepted, extended, given an upheld opinion by the
routed department (business token of 勘察设计处), reported, resolved and closed by the hall — each role signed in with
its own token — with the timeline, the due dates and the overdue flag checked as rendered; refusals appear next to the
form that caused them (422 per field, 409 naming the limit). The subject page shows the withdrawn record, the case,
and the subject's commitments (open, fulfilled, breached with its record).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests._live import serving
from tests.api._api_helpers import make_subject, post_record
from tests.conftest import auth
from tests.web import _signin
from xinyong.api import create_app
from xinyong.core.clock import DayClock, clock_at

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (make system-deps)"),
]

DAY = date(2026, 3, 10)  # a Tuesday; 清明 2026-04-04..06 falls inside the extended opinion deadline


@pytest.fixture
def site(clean) -> Iterator[tuple[str, TestClient]]:  # type: ignore[no-untyped-def]
    app = create_app(clean)
    _signin.use(clean)
    with clock_at(DayClock(DAY)), TestClient(app) as client, serving(app) as url:
        yield url, client


@pytest.fixture
def page(site):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        pg = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 1400})
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        yield pg
        browser.close()
        assert errors == [], f"JavaScript errors: {errors}"


def sign_in(page: Any, token: str) -> None:
    """As the token's role, through the sign-in form (staff never see tokens; the view reloads with the role)."""
    _signin.sign_in(page, token)


def open_case(page: Any, url: str, case_id: int) -> Any:
    page.goto(f"{url}/#/case/{case_id}")
    page.reload()  # the same hash after a token change: make the view load afresh
    page.locator("[data-testid=view-case][data-state=ready]").wait_for()
    return page


def act(page: Any, action: str) -> None:
    """Submit one action form and wait for the case to move on (the form disappears or the state changes)."""
    before = page.get_by_test_id("case-state").get_attribute("data-state")
    page.get_by_test_id(f"ca-{action}-submit").click()
    page.wait_for_function(
        "([b, a]) => document.querySelector('#cs-state').getAttribute('data-state') !== b"
        " || document.querySelector('#ca-' + a + '-error').children.length > 0", arg=[before, action])


def state(page: Any) -> str:
    return str(page.get_by_test_id("case-state").get_attribute("data-state"))


def allowed(page: Any) -> list[str]:
    return str(page.get_by_test_id("case-actions").get_attribute("data-allowed")).split()


@pytest.mark.article("122号 Art.18")
def test_a_case_filed_routed_extended_upheld_and_closed_in_the_browser_122_art18(
        site, page, tokens: dict[str, str], tmp_path: Path, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    url, client = site
    code = make_subject(client, tokens["admin"], grade="B", name="异议测试单位")["code"]
    record = post_record(client, tokens["business"], code, "GEN-D01", act_date=date(2026, 3, 2))

    # the hall files on the subject's behalf: a blank statement is refused next to its field (422)
    page.goto(url + "/#/cases")
    sign_in(page, tokens["hall"])
    page.goto(f"{url}/#/cases?subject={code}")
    page.locator("[data-testid=view-cases][data-state=ready]").wait_for()
    page.locator(f"#cf2-target option[value='record_id:{record['id']}']").wait_for(state="attached")
    page.get_by_test_id("cf2-target").select_option(f"record_id:{record['id']}")
    page.get_by_test_id("cf2-channel").select_option("credit_china_beijing")
    page.get_by_test_id("cf2-submit").click()
    err = page.locator("#cf2-err-statement [data-testid=form-error]")
    err.wait_for()
    assert err.get_attribute("data-status") == "422"
    page.get_by_test_id("cf2-statement").fill("该处罚记录的行为日期有误")
    page.get_by_test_id("cf2-submit").click()
    page.wait_for_url("**/#/case/*")
    page.locator("[data-testid=view-case][data-state=ready]").wait_for()
    case_id = int(page.get_by_test_id("case-id").inner_text().lstrip("#"))
    assert state(page) == "received"
    assert page.get_by_test_id("case-due").get_attribute("data-due") == "2026-03-12"  # 2 working days (G1-07)
    assert page.get_by_test_id("case-due").get_attribute("data-overdue") == "false"
    assert page.get_by_test_id("case-target").inner_text() == f"信用记录 #{record['id']}"
    assert allowed(page) == ["route", "evidence"]  # the hall, at receipt

    # evidence, through the same checks as record evidence
    page.get_by_test_id("ca-evidence-file").set_input_files(
        files=[{"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 objection"}])
    page.get_by_test_id("ca-evidence-submit").click()
    page.get_by_test_id("case-evidence-item").wait_for()
    assert "申请书.pdf" in page.get_by_test_id("case-evidence").inner_text()

    # route to 勘察设计处, which reported the record (谁生成、谁负责)
    page.get_by_test_id("ca-route-department").select_option("kanchasheji")
    act(page, "route")
    assert state(page) == "routed" and page.get_by_test_id("case-due").get_attribute("data-due") == "2026-03-24"
    assert page.get_by_test_id("case-department").inner_text() != "—"

    # the queue: ordered by due date, and past the opinion deadline the case is flagged overdue
    with clock_at(DayClock(date(2026, 3, 25))):
        page.goto(url + "/#/cases?overdue=true")
        sign_in(page, tokens["hall"])  # fifteen days later the session has long timed out (idle timeout)
        page.locator("[data-testid=view-cases][data-state=ready]").wait_for()
        row = page.locator(f"[data-testid=case-row][data-case-id='{case_id}']")
        assert row.get_attribute("data-overdue") == "true" and row.get_attribute("data-due") == "2026-03-24"
        assert row.get_by_test_id("case-overdue").inner_text() == "逾期"
        assert page.get_by_test_id("cases-summary").get_attribute("data-overdue") == "1"
    page.goto(url + "/#/cases")
    page.locator("[data-testid=view-cases][data-state=ready]").wait_for()
    row = page.locator(f"[data-testid=case-row][data-case-id='{case_id}']")
    assert row.get_attribute("data-overdue") == "false" and row.get_by_test_id("case-overdue").count() == 0

    # the routed department accepts and extends once with a reason: +10 working days across 清明
    sign_in(page, tokens["business"])
    open_case(page, url, case_id)
    assert allowed(page) == ["accept", "extend"]
    act(page, "accept")
    assert state(page) == "under_verification"
    assert allowed(page) == ["extend", "opinion"]
    # a colleague extends meanwhile (API): this page still offers the extension, and the second one is refused here
    r = client.post(f"/api/v1/cases/{case_id}/extend", json={"reason": "需调取现场勘验材料"}, headers=auth(tokens["business"]))
    assert r.status_code == 200 and r.json()["due_on"] == "2026-04-08"
    page.get_by_test_id("ca-extend-reason").fill("再次延期")
    page.get_by_test_id("ca-extend-submit").click()
    refusal = page.locator("#ca-extend-error [data-testid=form-error]")
    refusal.wait_for()
    assert refusal.get_attribute("data-status") == "409" and "已延期一次" in refusal.inner_text()
    open_case(page, url, case_id)
    assert page.get_by_test_id("case-extended").get_attribute("data-extended") == "true"
    assert page.get_by_test_id("case-due").get_attribute("data-due") == "2026-04-08"
    assert "extend" not in allowed(page)

    # an upheld opinion withdraws the record; the remedy field appears for an upheld objection to a record
    page.get_by_test_id("ca-opinion-outcome").select_option("upheld")
    assert page.locator("#ca-remedy-field").is_visible()
    page.get_by_test_id("ca-opinion-remedy").select_option("withdraw")
    page.get_by_test_id("ca-opinion-text").fill("经核实,异议成立,撤销该记录")
    act(page, "opinion")
    assert state(page) == "opinion_issued"
    assert page.get_by_test_id("case-opinion").get_attribute("data-outcome") == "upheld"
    assert page.get_by_test_id("case-due").get_attribute("data-due") == "2026-03-12"
    assert allowed(page) == []  # the department's part is done

    # the hall reports, resolves (the record is withdrawn, re-evaluated) and closes
    sign_in(page, tokens["hall"])
    open_case(page, url, case_id)
    for action, after in (("report", "reported_to_credit_authority"), ("resolve", "repaired"), ("close", "closed")):
        assert action in allowed(page)
        act(page, action)
        assert state(page) == after, action
    steps = page.get_by_test_id("timeline-step")
    assert [s.get_attribute("data-state") for s in steps.all()] == [
        "received", "routed", "under_verification", "under_verification", "opinion_issued",
        "reported_to_credit_authority", "repaired", "closed"]
    assert [b.inner_text() for b in page.get_by_test_id("timeline-by").all()][:3] == ["test-hall"] * 2 + ["test-business"]
    notes = page.get_by_test_id("timeline-note").all_inner_texts()
    assert "需调取现场勘验材料" in notes and any(f"撤销记录 #{record['id']}" in n for n in notes)
    assert all(a.get_attribute("datetime").startswith("2026-03-10") for a in page.get_by_test_id("timeline-at").all())
    assert page.get_by_test_id("case-due").get_attribute("data-due") == ""
    page.screenshot(path=str(artifacts / "case.png"), full_page=True)

    # the subject page: the record is withdrawn, the case closed
    page.get_by_test_id("case-subject-link").click()
    page.locator("[data-testid=view-subject][data-state=ready]").wait_for()
    assert page.locator(f"[data-testid=record-row][data-record-id='{record['id']}']").get_attribute(
        "data-status") == "withdrawn"
    page.locator(f"[data-testid=subject-case-row][data-case-id='{case_id}'][data-state=closed]").wait_for()


def test_a_role_without_the_action_sees_no_form_and_the_server_refusal_is_shown(
        site, page, tokens: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    url, client = site
    code = make_subject(client, tokens["admin"], grade="B")["code"]
    record = post_record(client, tokens["business"], code, "GEN-D01", act_date=date(2026, 3, 2))
    r = client.post("/api/v1/cases", json={"kind": "objection", "subject": code, "record_id": record["id"],
                                           "statement": "x", "channel": "commission"}, headers=auth(tokens["hall"]))
    case_id = r.json()["id"]
    page.goto(url + "/#/cases")
    sign_in(page, tokens["business"])
    # a business department sees only what is routed to it: not yet this case (403 from the API, shown in place)
    page.goto(f"{url}/#/case/{case_id}")
    page.locator("[data-testid=view-case][data-state=error]").wait_for()
    assert "403" in page.get_by_test_id("error-banner").inner_text()
    # the coordinator reads it but may not route (the hall's step): no form offered; a stale form gets 403/409
    sign_in(page, tokens["coordinator"])
    open_case(page, url, case_id)
    assert allowed(page) == ["evidence"]
    assert page.get_by_test_id("ca-route").is_hidden()
    sign_in(page, tokens["hall"])
    open_case(page, url, case_id)
    client.post(f"/api/v1/cases/{case_id}/route", json={"department": "kanchasheji"}, headers=auth(tokens["hall"]))
    page.get_by_test_id("ca-route-submit").click()
    refusal = page.locator("#ca-route-error [data-testid=form-error]")
    refusal.wait_for()
    assert refusal.get_attribute("data-status") == "409" and "routed" in refusal.inner_text()


@pytest.mark.article("122号 Art.16(3)")
def test_the_subject_page_lists_commitments_adds_one_and_fulfils_it(
        site, page, tokens: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    url, client = site
    code = make_subject(client, tokens["admin"], grade="B", name="承诺测试单位")["code"]
    broken = client.post("/api/v1/commitments", json={
        "subject": code, "content": "三个月内补齐消防设计文件", "due_on": (DAY - timedelta(days=20)).isoformat(),
        "licence_ref": "京规自许〔2026〕001号", "department": "kanchasheji", "made_on": (DAY - timedelta(days=60)).isoformat()},
        headers=auth(tokens["business"]))
    assert broken.status_code == 201, broken.text
    r = client.post(f"/api/v1/commitments/{broken.json()['id']}/breach",
                    json={"reason": "逾期未补齐", "found_on": DAY.isoformat()}, headers=auth(tokens["business"]))
    assert r.status_code == 200, r.text
    breach_record = r.json()["breach_record_id"]

    page.goto(url + "/#/overview")
    sign_in(page, tokens["business"])
    page.goto(f"{url}/#/subject/{code}")
    page.locator("[data-testid=commitments][data-state=ready]").wait_for()
    row = page.locator(f"[data-testid=commitment-row][data-commitment-id='{broken.json()['id']}']")
    assert row.get_attribute("data-state") == "breached"
    assert row.get_by_test_id("commitment-breach-record").inner_text() == f"#{breach_record}"
    assert page.get_by_test_id("fused").get_attribute("data-fused") == "true"  # 第十六条(三)

    # add one: a due day before the day it was made is refused next to the field (422)
    page.get_by_test_id("cm-content").fill("六个月内完成整改")
    page.get_by_test_id("cm-licence_ref").fill("京规自许〔2026〕002号")
    page.get_by_test_id("cm-department").select_option("kanchasheji")
    page.get_by_test_id("cm-made_on").fill("2026-03-01")
    page.get_by_test_id("cm-due_on").fill("2026-02-01")
    page.get_by_test_id("cm-submit").click()
    page.locator("#cm-err-due_on [data-testid=form-error]").wait_for()
    page.get_by_test_id("cm-due_on").fill("2026-09-01")
    page.get_by_test_id("cm-submit").click()
    added = page.locator("[data-testid=commitment-row][data-state=open]")
    added.wait_for()
    assert added.get_attribute("data-due") == "2026-09-01"
    assert page.get_by_test_id("commitments-summary").get_attribute("data-open") == "1"
    assert page.get_by_test_id("commitments-summary").get_attribute("data-breached") == "1"

    # fulfil it
    added.get_by_test_id("commitment-fulfil").click()
    page.get_by_test_id("cm-fulfil-evidence").fill("整改验收意见书 2026-03-10")
    page.get_by_test_id("cm-fulfil-submit").click()
    page.locator("[data-testid=commitment-row][data-state=fulfilled]").wait_for()
    assert page.get_by_test_id("commitments-summary").get_attribute("data-fulfilled") == "1"
