"""The 标准 Standards tab in a real browser: versions with status, a draft, its impact table and chart."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _governance_helpers import governed  # noqa: F401  (fixture)
from fastapi.testclient import TestClient

from tests.conftest import auth
from tests.web import _signin
from xinyong.api import create_app
from xinyong.bootstrap import unit_of_work
from xinyong.demo import load_demo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.usefixtures("governed"),
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (make system-deps)"),
]


@pytest.fixture
def site(clean, tokens) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    import socket

    import uvicorn

    with unit_of_work(clean) as s:
        load_demo(s)
    _signin.use(clean)
    app = create_app(clean)
    with TestClient(app) as c:
        body = c.get("/api/v1/standards/general-2024.1").json()
        for it in body["items"]:
            if it["polarity"] == "bad" and it["cap"] is None:
                it["points"] = min(2 * it["points"], 100)
        r = c.post("/api/v1/standards", json=body, headers=auth(tokens["coordinator"]))
        assert r.status_code == 201, r.text
        version = r.json()["version"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", version
    srv.should_exit = True
    thread.join(timeout=10)


def test_standards_tab_lists_versions_and_shows_a_drafts_impact(site, tokens, tmp_path: Path, artifacts: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, version = site
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 1400})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url + "/#/standards")
        page.locator("#std-tbody tr[data-version='survey_design-2024.1']").wait_for()
        assert page.locator("#std-tbody tr[data-version='survey_design-2024.1'] [data-status]").get_attribute(
            "data-status") == "in_force"
        assert page.locator(f"#std-tbody tr[data-version='{version}']").count() == 0  # drafts need a token
        _signin.sign_in(page, tokens["viewer"])  # drafts are for staff: through the sign-in form
        page.goto(url + f"/#/standards/{version}")
        page.locator("[data-testid=view-standards][data-state=ready]").wait_for()
        assert page.get_by_test_id("std-status").get_attribute("data-status") == "draft"
        assert page.locator("#std-items-tbody tr").count() > 5
        assert page.locator("#std-impact-svg[data-drawn=true] tr[data-kind=transition]").count() >= 1  # ECharts
        assert "个评价结果" in page.get_by_test_id("std-impact-summary").inner_text()
        assert page.get_by_test_id("std-impact-csv").get_attribute("href").endswith("/impact.csv?as_of=" +
                                                                                    page.input_value("#std-asof"))
        page.screenshot(path=str(artifacts / "standards.png"), full_page=True)
        browser.close()
    assert errors == []
