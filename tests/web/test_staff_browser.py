"""The staff application in a real browser (issue 11 items 1, 2, 4): sign in with user name and password only (the
session cookie is HttpOnly: the page cannot read it), the ECharts dashboard, the subject page's score history and
evidence links, sign-out, the English switch, phone width, and axe-core with no serious or critical violation on
the staff pages (122号 第四条, 第十九条)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import auth
from tests.web import _signin
from tests.web.test_browser import CHROMIUM, page, server  # noqa: F401  (fixtures)

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (make system-deps)"),
]


def serious_violations(page: Any) -> list[str]:  # noqa: F811
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def ready(page: Any, view: str) -> None:  # noqa: F811
    page.locator(f"[data-testid=view-{view}][data-state=ready]").wait_for()


def _code(client: TestClient, q: str) -> str:
    return str(client.get("/api/v1/subjects", params={"q": q}).json()["items"][0]["code"])


@pytest.mark.article("122号 Art.4")
def test_sign_in_keeps_the_session_in_an_httponly_cookie_and_sign_out_ends_it(page, server, tokens) -> None:  # noqa: F811
    assert page.goto(server + "/#/overview")
    assert page.get_by_test_id("token-input").count() == 0  # staff never see tokens
    name = _signin.sign_in(page, tokens["admin"])
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["xy_session"]["httpOnly"] is True and cookies["xy_session"]["sameSite"] == "Strict"
    assert "xy_session" not in page.evaluate("document.cookie")  # scripts cannot read the session
    assert "xy_csrf" in page.evaluate("document.cookie")
    assert page.evaluate("Object.keys(localStorage).filter(k => /token/i.test(k))") == []
    # a write from the page carries the CSRF token; a forged one without it is refused naming the header
    status = page.evaluate("""async () => (await fetch('/api/v1/logout', {method: 'POST',
        credentials: 'same-origin'})).status""")
    assert status == 403
    page.reload()
    page.wait_for_function("(n) => document.querySelector('[data-testid=login-status]').textContent.includes(n)",
                           arg=name)
    page.get_by_test_id("logout-button").click()
    page.locator("body[data-signed-in=false]").wait_for()
    assert "xy_session" not in {c["name"] for c in page.context.cookies()}
    page.reload()
    page.locator("body[data-ready=true]").wait_for()
    assert page.locator("body[data-signed-in=false]").count() == 1


def test_the_dashboard_draws_every_chart_with_echarts(page, server, client, tokens, artifacts) -> None:  # noqa: F811
    page.goto(server + "/#/overview")
    _signin.sign_in(page, tokens["admin"])
    ready(page, "overview")
    for chart in ("dist-chart", "level-chart", "score-hist", "trend-chart", "late-chart"):
        box = page.get_by_test_id(chart)
        assert box.get_attribute("data-drawn") == "true", chart
        assert box.locator(".chart-canvas svg").count() == 1, chart
    # grades per industry: the general scope and every industry, the general counts adding up to all subjects
    dist = page.get_by_test_id("dist-chart")
    scopes = {r.get_attribute("data-scope") for r in dist.locator("tr[data-kind=grade]").all()}
    industries = {i["code"] for i in client.get("/api/v1/industries").json()}
    assert scopes == {"general"} | industries
    total = sum(int(r.get_attribute("data-count"))
                for r in dist.locator("tr[data-kind=grade][data-scope=general]").all())
    hist = sum(int(r.get_attribute("data-count")) for r in page.get_by_test_id("score-hist").locator("tr[data-kind=bin]").all())
    assert total == hist == client.get("/api/v1/stats/distribution").json()["total"]
    months = page.get_by_test_id("trend-chart").locator("tr[data-kind=month]")
    assert months.count() == 12
    assert int(months.last.get_attribute("data-count")) == total  # this month ends with today's distribution
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)


@pytest.mark.article("122号 Art.19")
def test_the_subject_page_shows_the_score_history_with_causes_and_evidence_links(page, server, client, tokens,  # noqa: F811
                                                                                 artifacts) -> None:
    code = _code(client, "规划核验")
    rec = client.post("/api/v1/records", headers=auth(tokens["admin"]), json={
        "subject": code, "item": "VF-D02", "act_date": "2026-01-05", "department": "heyan",
        "source_ref": "UI-HIST-1"}).json()
    up = client.post(f"/api/v1/records/{rec['id']}/evidence", headers=auth(tokens["admin"]),
                     files={"file": ("决定书.pdf", b"%PDF-1.4 decision", "application/pdf")})
    assert up.status_code == 201, up.text
    page.goto(server + "/#/overview")
    _signin.sign_in(page, tokens["admin"])
    page.goto(f"{server}/#/subject/{code}?industry=verification")
    ready(page, "subject")
    history = page.get_by_test_id("score-history")
    history.locator("tr[data-kind=change]").first.wait_for()
    causes = [r.inner_text() for r in history.locator("tr[data-kind=change]").all()]
    assert any(f"录入记录 #{rec['id']}" in c for c in causes)
    assert history.locator(".chart-canvas svg").count() == 1
    link = page.locator(f"[data-testid=records-table] [data-evidence-for='{rec['id']}'] a[data-testid=evidence-link]")
    link.wait_for()
    assert link.inner_text().endswith("决定书.pdf")
    with page.expect_download() as dl:
        link.click()  # a plain link: the session cookie goes with it
    assert Path(dl.value.path()).read_bytes() == b"%PDF-1.4 decision"
    page.screenshot(path=str(artifacts / "subject.png"), full_page=True)


def test_english_switch_and_phone_width(page, server, tokens, artifacts) -> None:  # noqa: F811
    page.goto(server + "/#/overview")
    ready(page, "overview")
    page.get_by_test_id("lang-switch").click()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#ov-title").inner_text().strip() == "Overview"
    assert page.get_by_test_id("nav-subjects").inner_text().strip() == "Subjects"
    page.reload()  # the choice is kept
    ready(page, "overview")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_test_id("lang-switch").click()
    assert page.locator("#ov-title").inner_text().startswith("总览")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(server + "/#/subjects")
    ready(page, "subjects")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_test_id("login-username").focus()  # the sign-in form is reachable at phone width too
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "login-password"
    page.screenshot(path=str(artifacts / "subjects-phone.png"), full_page=True)


def test_no_serious_accessibility_violation_on_the_staff_pages_axe_core(page, server, client, tokens) -> None:  # noqa: F811
    code = _code(client, "工程咨询")
    page.goto(server + "/#/overview")
    ready(page, "overview")
    assert serious_violations(page) == [], "overview (signed out)"
    _signin.sign_in(page, tokens["admin"])
    for route, view in (("overview", "overview"), ("subjects", "subjects"), (f"subject/{code}", "subject"),
                        ("enter", "enter"), ("standards", "standards"), ("cases", "cases"),
                        ("supervision", "supervision")):
        page.goto(f"{server}/#/{route}")
        ready(page, view)
        assert serious_violations(page) == [], route


# the main staff pages (issue 11 item 5): name of the artefact, route, view; the first two also at phone width
STAFF_PAGES = (("dashboard", "overview", "overview"), ("subject", "subject/{code}", "subject"),
               ("subjects", "subjects", "subjects"), ("enter", "enter", "enter"), ("import", "import", "import"),
               ("cases", "cases", "cases"), ("supervision", "supervision", "supervision"))
PHONE_PAGES = ("dashboard", "subject")


def test_screenshots_of_the_main_staff_pages_at_1280_px_and_phone_width(page, server, client, tokens,  # noqa: F811
                                                                        artifacts) -> None:
    """Kept beside the portal's under build/test-artifacts/test_staff_browser/<backend>/ (the `artifacts` fixture):
    staff-<page>-<width>.png. At phone width the page does not scroll sideways."""
    code = _code(client, "规划核验")
    page.goto(server + "/#/overview")
    _signin.sign_in(page, tokens["admin"])
    saved = []
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900 if width > 375 else 800})
        for name, route, view in STAFF_PAGES:
            if width == 375 and name not in PHONE_PAGES:
                continue
            page.goto(f"{server}/#/{route.format(code=code)}")
            page.reload()  # every view starts idle: the one waited for is the one just drawn
            ready(page, view)
            page.wait_for_load_state("networkidle")  # the view's later parts (lists, archive, cases) drawn too
            page.locator("#busy").wait_for(state="hidden")
            assert page.locator("body[data-signed-in=true]").count() == 1
            if width == 375:
                scroll = page.evaluate("() => document.documentElement.scrollWidth")
                assert scroll <= width + 1, f"{name} scrolls sideways at phone width: {scroll}px"
            path = artifacts / f"staff-{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000, path.name
            saved.append(path.name)
    assert len(saved) == len(STAFF_PAGES) + len(PHONE_PAGES)
