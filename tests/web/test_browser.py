"""Real browser against a real HTTP server: Debian's chromium driven by Playwright (no downloaded browser)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from tests.conftest import auth
from tests.web import _signin
from xinyong.api import create_app
from xinyong.bootstrap import unit_of_work
from xinyong.demo import load_demo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (make system-deps)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(clean) -> Iterator[str]:
    _signin.use(clean)
    with unit_of_work(clean) as s:
        load_demo(s)
    port = _free_port()
    config = uvicorn.Config(create_app(clean), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"])
        pg = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        yield pg
        browser.close()
        assert errors == [], f"JavaScript errors: {errors}"


def test_overview_draws_the_grade_distribution_chart(page, server, tmp_path, artifacts):
    page.goto(server + "/#/overview")
    chart = page.get_by_test_id("dist-chart")
    page.locator("[data-testid=view-overview][data-state=ready]").wait_for()
    assert chart.locator(".chart-canvas svg").count() == 1  # drawn by ECharts (vendor/echarts), not by hand
    counts = {b.get_attribute("data-key"): int(b.get_attribute("data-count"))
              for b in chart.locator("tr[data-kind='grade'][data-scope='general']").all()}
    assert sum(counts.values()) == 7  # the seven demo subjects, general evaluation
    assert counts["D"] >= 1  # the demo includes a fused subject (第十六条(六))
    page.screenshot(path=str(artifacts / "overview.png"), full_page=True)


def test_subject_detail_explains_the_score_down_to_the_article(page, server, client):
    listing = client.get("/api/v1/subjects", params={"q": "工程咨询"}).json()
    code = listing["items"][0]["code"]
    page.goto(f"{server}/#/subject/{code}?industry=fire_design_review")
    page.locator("[data-state='ready']").first.wait_for()
    page.get_by_test_id("lines-table").locator("tbody tr").first.wait_for()
    assert page.get_by_test_id("level").get_attribute("data-value") == "D"
    assert page.get_by_test_id("fused").get_attribute("data-fused") == "true"
    assert "第十六条(六)" in page.get_by_test_id("fuse-reasons").inner_text()
    assert page.get_by_test_id("lines-table").locator("tbody tr").count() == 2
    assert "登录" in page.get_by_test_id("archive-note").inner_text()  # the archive needs a sign-in (第十九条)


@pytest.mark.article("122号 Art.19")
def test_with_a_token_the_detail_page_shows_the_hash_chained_archive_122_art19(page, server, client, tokens):
    code = client.get("/api/v1/subjects", params={"q": "工程咨询"}).json()["items"][0]["code"]
    page.goto(server + "/#/overview")
    _signin.sign_in(page, tokens["admin"])
    page.goto(f"{server}/#/subject/{code}")
    page.get_by_test_id("archive-row").first.wait_for()
    kinds = [r.get_attribute("data-kind") for r in page.get_by_test_id("archive-row").all()]
    assert kinds[-1] == "subject_created" and "record_entered" in kinds and "evaluation_changed" in kinds
    seqs = [int(r.get_attribute("data-seq")) for r in page.get_by_test_id("archive-row").all()]
    assert seqs == sorted(seqs, reverse=True) and seqs[-1] == 1


def test_entering_a_record_in_the_form_updates_the_grade(page, server, client, tokens):
    subject = client.get("/api/v1/subjects", params={"q": "规划核验"}).json()["items"][0]
    before = client.get(f"/api/v1/subjects/{subject['code']}/evaluation", params={"industry": "verification"}).json()
    page.goto(server + "/#/enter")
    _signin.sign_in(page, tokens["admin"])
    form = page.get_by_test_id("record-form")
    form.wait_for()
    page.get_by_test_id("rf-subject").fill(subject["code"])
    page.get_by_test_id("rf-item").select_option("VF-D02")
    page.get_by_test_id("rf-department").select_option("heyan")
    page.get_by_test_id("rf-source_ref").fill("UI-TEST-1")
    page.get_by_test_id("record-submit").click()
    page.get_by_test_id("result-score").wait_for()
    assert int(page.get_by_test_id("result-score").get_attribute("data-value")) == before["score"] - 10
    after = client.get(f"/api/v1/subjects/{subject['code']}/evaluation", params={"industry": "verification"},
                       headers=auth(tokens["admin"])).json()
    assert after["score"] == before["score"] - 10


def test_the_form_shows_a_field_error_in_chinese(page, server, tokens):
    page.goto(server + "/#/enter")
    _signin.sign_in(page, tokens["admin"])
    page.get_by_test_id("record-form").wait_for()
    page.get_by_test_id("rf-subject").fill("91110000600037341M")
    page.get_by_test_id("rf-item").select_option("GEN-B01")
    page.get_by_test_id("rf-department").select_option("zhifa")
    page.get_by_test_id("rf-source_ref").fill("UI-BAD-1")
    page.get_by_test_id("record-submit").click()
    err = page.get_by_test_id("form-error").first
    err.wait_for()
    assert "校验位" in err.inner_text()


def test_staff_sign_in_through_the_header_and_enter_a_record_without_pasting_a_token(page, server, client, clean):
    """Web login (argon2-hashed password) issues a session token that the page uses for writes (122号 第四条)."""
    from xinyong.users.service import create_user

    with unit_of_work(clean) as s:
        create_user(s, "kcsj_staff", "Xinyong-2026-pass", "business", department="kanchasheji")
    subject = client.get("/api/v1/subjects", params={"q": "勘察设计研究院"}).json()["items"][0]
    page.goto(server + "/#/enter")
    page.get_by_test_id("login-username").fill("kcsj_staff")
    page.get_by_test_id("login-password").fill("Xinyong-2026-pass")
    page.get_by_test_id("login-submit").click()
    page.wait_for_function("document.querySelector('[data-testid=login-status]').textContent.includes('kcsj_staff')")
    assert "business" in page.get_by_test_id("login-status").inner_text()
    page.get_by_test_id("record-form").wait_for()
    page.get_by_test_id("rf-subject").fill(subject["code"])
    page.get_by_test_id("rf-item").select_option("SD-B02")
    page.get_by_test_id("rf-department").select_option("kanchasheji")
    page.get_by_test_id("rf-source_ref").fill("UI-LOGIN-1")
    page.get_by_test_id("record-submit").click()
    page.get_by_test_id("result-score").wait_for()
    records = client.get(f"/api/v1/subjects/{subject['code']}/records").json()
    mine = [r for r in records if r["source_ref"] == "UI-LOGIN-1"]
    assert mine and mine[0]["entered_by"].startswith("kcsj_staff")


def _framework_route(page, change):  # type: ignore[no-untyped-def]
    """Serve GET /api/v1/framework through `change(body)`: what the page shows must follow the API."""
    def handle(route):  # type: ignore[no-untyped-def]
        resp = route.fetch()
        body = resp.json()
        change(body)
        route.fulfill(response=resp, json=body)

    page.route("**/api/v1/framework*", handle)


def test_the_grade_legend_and_names_come_from_the_framework_api_issue6(page, server, client):
    """The legend (grades, names, bands, levels) is drawn from GET /api/v1/framework, not from the script: a name
    changed in the response is the name shown; the rest matches the API."""
    fw = client.get("/api/v1/framework").json()

    def rename(body):  # type: ignore[no-untyped-def]
        body["grades"][0]["name"] = "甲等(接口)"

    _framework_route(page, rename)
    page.goto(server + "/#/overview")
    page.get_by_test_id("legend-grade").first.wait_for()
    rows = page.get_by_test_id("legend-grade").all()
    assert [r.get_attribute("data-grade") for r in rows] == [g["grade"] for g in fw["grades"]]
    names = [n.inner_text() for n in page.get_by_test_id("legend-name").all()]
    assert names == ["甲等(接口)"] + [g["name"] for g in fw["grades"][1:]]
    rng = fw["score_range"]
    assert page.get_by_test_id("score-range").inner_text() == f"[{rng['min']}, {rng['max']}]"
    for lv in fw["levels"]:
        assert lv["level"] in rows[[g["grade"] for g in fw["grades"]].index(lv["grade"])].inner_text()
    options = page.get_by_test_id("subject-grade").locator("option").all()
    assert [o.get_attribute("value") for o in options] == [""] + [g["grade"] for g in fw["grades"]]
    assert "甲等(接口)" in options[1].inner_text()


@pytest.mark.article("122号 Art.28")
def test_the_validity_banner_shows_the_api_warning_and_only_then_122_art28(page, server):
    notice = {"kind": "lapsed", "message_zh": "本办法有效期已届满(测试)", "message_en": "lapsed (test)"}
    warnings = [None]

    def set_warning(body):  # type: ignore[no-untyped-def]
        body["validity"]["warning"] = warnings[0]

    _framework_route(page, set_warning)
    page.goto(server + "/#/overview")
    page.get_by_test_id("legend-grade").first.wait_for()
    assert page.get_by_test_id("validity-banner").is_hidden()
    warnings[0] = notice
    page.reload()
    banner = page.get_by_test_id("validity-banner")
    banner.wait_for()
    assert banner.get_attribute("data-kind") == "lapsed"
    assert "本办法有效期已届满(测试)" in banner.inner_text() and "lapsed (test)" in banner.inner_text()
