"""Real browser (Debian chromium, Playwright): the 名单状态 of a subject page and a listing entered through it
(122号 Art.16(1), spec X-02), and a public comment on a draft under consultation (122号 Art.12)."""
# ruff: noqa: F811  (the fixtures `page`, `server`, `governed` are imported from the modules that define them)

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import auth
from tests.governance._governance_helpers import governed  # noqa: F401  (fixture: removes the versions added)
from tests.web import _signin
from tests.web.test_browser import CHROMIUM, page, server  # noqa: F401  (fixtures)
from xinyong.core.clock import beijing_today

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (make system-deps)"),
]


def _sign_in_with_token(page, server: str, token: str) -> None:  # type: ignore[no-untyped-def]
    """As the token's role, through the sign-in form (staff never see tokens)."""
    _signin.sign_in(page, token, server)


@pytest.mark.article("122号 Art.16(1)")
def test_a_listing_entered_on_the_subject_page_shows_and_the_grade_turns_d_122_art16_1(
        page, server: str, client: TestClient, tokens: dict[str, str], tmp_path: Path, artifacts: Path) -> None:
    subject = client.get("/api/v1/subjects", params={"q": "规划核验"}).json()["items"][0]
    code = subject["code"]
    assert subject["evaluation"]["grade"] != "D"
    client.post(f"/api/v1/subjects/{code}/national-grades", headers=auth(tokens["admin"]), json={
        "grade": "B", "effective_on": beijing_today().isoformat(), "source": "信用中国 测试批次"})

    _sign_in_with_token(page, server, tokens["admin"])
    page.goto(f"{server}/#/subject/{code}")
    page.locator("#view-subject[data-state='ready']").wait_for()
    page.locator("#sd-listings-card[data-state='ready']").wait_for()
    assert "未列入任何名单" in page.get_by_test_id("listings-table").inner_text()
    grades = page.get_by_test_id("national-grade-row")
    assert grades.count() >= 1 and "信用中国 测试批次" in page.get_by_test_id("national-grades-table").inner_text()
    # the records table shows the classes of each record (122号 Art.6, Art.7)
    assert page.get_by_test_id("record-class").count() >= 1

    form = page.get_by_test_id("listing-form")
    form.wait_for()
    page.get_by_test_id("lf-list").select_option("national_serious_dishonesty")
    page.get_by_test_id("lf-listed_on").fill(beijing_today().isoformat())
    page.get_by_test_id("lf-source_ref").fill("UI-LIST-1")
    page.get_by_test_id("lf-submit").click()

    row = page.locator("[data-testid='listing-row'][data-list='national_serious_dishonesty']")
    row.wait_for()
    assert row.get_attribute("data-active") == "true"
    assert "全国严重失信主体名单" in row.inner_text() and "在名单中" in row.inner_text()
    assert beijing_today().isoformat() in row.inner_text()
    page.wait_for_function("document.querySelector('[data-testid=grade]').getAttribute('data-value') === 'D'")
    assert page.get_by_test_id("fused").get_attribute("data-fused") == "true"
    listing_id = row.get_attribute("data-listing-id")
    assert page.locator(f"[data-testid='fuse-listing'][data-listing-id='{listing_id}']").count() == 1
    assert "第十六条(一)" in page.get_by_test_id("fuse-reasons").inner_text()
    page.screenshot(path=str(artifacts / "subject-listing.png"), full_page=True)

    api = client.get(f"/api/v1/subjects/{code}/evaluation").json()
    assert api["grade"] == "D" and api["fuse_reasons"][0]["listing_ids"] == [int(listing_id)]

    # a removal recorded on the page (from the removal day the fuse no longer fires, decisions 26)
    page.locator(f"[data-testid='listing-remove'][data-listing-id='{listing_id}']").click()
    page.get_by_test_id("rm-removed_on").fill(beijing_today().isoformat())
    page.get_by_test_id("rm-reason").fill("信用修复，移出名单")
    page.get_by_test_id("rm-submit").click()
    page.wait_for_function(
        f"document.querySelector(\"[data-testid=listing-row][data-listing-id='{listing_id}']\")?.dataset.active === 'false'")
    page.wait_for_function("document.querySelector('[data-testid=grade]').getAttribute('data-value') !== 'D'")


@pytest.mark.article("122号 Art.12")
def test_a_public_comment_is_posted_without_signing_in_and_listed_for_staff_122_art12(
        page, server: str, client: TestClient, tokens: dict[str, str], governed, tmp_path: Path, artifacts: Path) -> None:
    body = client.get("/api/v1/standards/general-2024.1").json()
    body["name"] = body["name"] + "(征求意见稿)"
    created = client.post("/api/v1/standards", json=body, headers=auth(tokens["coordinator"]))
    assert created.status_code == 201, created.text
    version = created.json()["version"]
    today = beijing_today()
    opened = client.post(f"/api/v1/standards/{version}/consultation", headers=auth(tokens["coordinator"]), json={
        "start_date": today.isoformat(), "end_date": (today + timedelta(days=20)).isoformat()})
    assert opened.status_code == 200, opened.text

    page.goto(f"{server}/#/standards/{version}")  # no token: a member of the public
    page.locator("#std-comments[data-state='ready']").wait_for()
    assert page.get_by_test_id("comments-table").is_hidden()  # the public sees counts, not the comments
    page.get_by_test_id("cf-name").fill("王某")
    page.get_by_test_id("cf-contact").fill("13800000000")
    page.get_by_test_id("cf-text").fill("建议明确通用指标 GEN-D01 的适用情形。")
    page.get_by_test_id("cf-submit").click()
    receipt = page.get_by_test_id("comment-receipt")
    receipt.wait_for()
    comment_id = receipt.get_attribute("data-comment-id")
    assert comment_id and "已提交" in receipt.inner_text()
    page.wait_for_function("document.querySelector('[data-testid=comment-counts]').dataset.total === '1'")
    page.screenshot(path=str(artifacts / "standard-comment.png"), full_page=True)

    listed = client.get(f"/api/v1/standards/{version}/comments", headers=auth(tokens["coordinator"])).json()
    assert [c["id"] for c in listed["comments"]] == [int(comment_id)]

    # staff see it with the disposition form, and record one
    _sign_in_with_token(page, server, tokens["coordinator"])
    page.goto(f"{server}/#/standards/{version}")
    row = page.locator(f"[data-testid='comment-row'][data-comment-id='{comment_id}']")
    row.wait_for()
    assert "GEN-D01" in row.inner_text() and "王某" in row.inner_text() and "待处理" in row.inner_text()
    row.get_by_test_id("disposition-decision").select_option("adopted")
    row.get_by_test_id("disposition-reason").fill("已在条文中补充适用情形")
    row.get_by_test_id("disposition-submit").click()
    page.wait_for_function(
        "document.querySelector('[data-testid=comment-decision]')?.dataset.decision === 'adopted'")
    assert client.get(f"/api/v1/standards/{version}/comments").json()["pending"] == 0
