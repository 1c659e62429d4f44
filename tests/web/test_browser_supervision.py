"""分级分类监管 pages in a real browser (issue 9 item 6): a measures list drafted by the business department, approved
by the leader in charge (signed in) and filed by the coordinating department; a logged decision look-up that applies
it; an inspection plan whose draw the test re-computes from the seed and the population shown; a ranking drafted and
published by the leader (122号 Art.17, 20-25; 44号 Task 12; spec G1-09, G1-11)."""

from __future__ import annotations

import hashlib
import math
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests._live import serving
from tests.api._api_helpers import make_subject
from tests.conftest import auth
from tests.web import _signin
from xinyong.api import create_app
from xinyong.core.clock import DayClock, clock_at

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (make system-deps)"),
]

DAY = date(2026, 3, 10)
INDUSTRY = "survey_design"  # regulated by kanchasheji, the business token's department
SEED = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def site(clean) -> Iterator[tuple[str, TestClient]]:  # type: ignore[no-untyped-def]
    app = create_app(clean)
    _signin.use(clean)
    with clock_at(DayClock(DAY)), TestClient(app) as client, serving(app) as url:
        yield url, client


def sign_in(page: Any, url: str, token: str) -> None:
    """As the token's role, through the sign-in form (staff never see tokens)."""
    _signin.sign_in(page, token, url)
    page.goto(url + "/#/supervision")
    page.reload()
    page.locator("[data-testid=view-supervision][data-state=ready]").wait_for()


def redraw(population: list[dict[str, str]], seed: str, base: Decimal) -> set[str]:
    """The published recipe, independently: min(1, factor × base) per grade (A 0.3, B 0.6, C 1.0, D 2.0, every D
    drawn), ceil of ratio × count, the first by SHA-256 of "seed:code"."""
    factors = {"A": Decimal("0.3"), "B": Decimal("0.6"), "C": Decimal("1.0"), "D": Decimal("2.0")}
    drawn: set[str] = set()
    for grade, factor in factors.items():
        codes = sorted((p["code"] for p in population if p["grade"] == grade),
                       key=lambda c: hashlib.sha256(f"{seed}:{c}".encode()).hexdigest())
        count = len(codes) if grade == "D" else math.ceil(min(Decimal(1), factor * base) * len(codes))
        drawn |= set(codes[:count])
    return drawn


@pytest.mark.article("122号 Art.24")
def test_measures_decision_plan_and_ranking_through_the_pages(site, tokens: dict[str, str], tmp_path: Path, artifacts: Path
                                                              ) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    url, client = site
    codes = {g: [make_subject(client, tokens["admin"], grade=g, industries=[INDUSTRY])["code"] for _ in range(n)]
             for g, n in (("A", 3), ("B", 2), ("C", 2), ("D", 1))}
    for k in range(3):
        r = client.post("/api/v1/inspectors", headers=auth(tokens["admin"]),
                        json={"department": "kanchasheji", "name": f"检查员{k}", "code": f"ZFKAN{k:03d}"})
        assert r.status_code == 201, r.text

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 1400})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        # the business department drafts a punishment list for its industry
        sign_in(page, url, tokens["business"])
        page.get_by_test_id("ms-d-industry").select_option(INDUSTRY)
        page.get_by_test_id("ms-d-kind").select_option("punishment")
        page.get_by_test_id("ms-d-grade").select_option("D")
        page.get_by_test_id("ms-d-process").select_option("administrative_approval")
        page.get_by_test_id("ms-d-item").fill("D级:行政审批不适用告知承诺制")
        page.get_by_test_id("ms-d-basis").fill("122号 第二十三条")
        page.get_by_test_id("ms-d-category").fill("行政审批")
        page.get_by_test_id("ms-d-submit").click()
        row = page.locator("[data-testid=ms-row][data-status=draft]")
        row.wait_for()
        list_id = row.get_attribute("data-list-id")
        assert page.get_by_test_id("ms-approve").count() == 0  # a business department does not approve

        # the leader in charge approves (signed in); the coordinating department files: in force today
        sign_in(page, url, tokens["leader"])
        page.locator(f"[data-testid=ms-approve][data-list-id='{list_id}']").click()
        page.locator(f"[data-testid=ms-row][data-list-id='{list_id}'][data-status=approved]").wait_for()
        sign_in(page, url, tokens["coordinator"])
        page.locator(f"[data-testid=ms-file][data-list-id='{list_id}']").click()
        page.locator(f"[data-testid=ms-row][data-list-id='{list_id}'][data-status=in_force]").wait_for()

        # a logged decision for the D subject applies it
        page.get_by_test_id("dc-subject").fill(codes["D"][0])
        page.get_by_test_id("dc-process").select_option("administrative_approval")
        page.get_by_test_id("dc-industry").select_option(INDUSTRY)
        page.get_by_test_id("dc-submit").click()
        page.get_by_test_id("dc-measure").first.wait_for()
        summary = page.get_by_test_id("dc-summary")
        assert summary.get_attribute("data-grade") == "D" and int(summary.get_attribute("data-log-id")) >= 1
        assert "行政审批不适用告知承诺制" in page.get_by_test_id("dc-measures").inner_text()
        log = client.get("/api/v1/decisions/log", params={"subject": codes["D"][0]}, headers=auth(tokens["coordinator"]))
        assert log.json()["total"] == 1

        # the business department draws a plan; its draw is re-computed here from the seed and the population
        sign_in(page, url, tokens["business"])
        page.get_by_test_id("pl-industry").select_option(INDUSTRY)
        page.get_by_test_id("pl-period_start").fill("2026-04-01")
        page.get_by_test_id("pl-period_end").fill("2026-06-30")
        page.get_by_test_id("pl-base_ratio").fill("0.5")
        page.get_by_test_id("pl-seed").fill(SEED)
        page.get_by_test_id("pl-submit").click()
        page.get_by_test_id("pl-draw").first.wait_for()
        plan_id = page.get_by_test_id("pl-detail").get_attribute("data-plan-id")
        assert page.get_by_test_id("pl-meta").get_attribute("data-seed") == SEED
        shown = {r.get_attribute("data-code") for r in page.get_by_test_id("pl-draw").all()}
        plan = client.get(f"/api/v1/inspection-plans/{plan_id}").json()
        assert shown == redraw(plan["population"], SEED, Decimal("0.5"))
        assert codes["D"][0] in shown and len([c for c in shown if c in codes["A"]]) == 1  # ceil(0.15 × 3)
        assert "SHA-256" in page.get_by_test_id("pl-recipe").inner_text() or "sha256" in page.get_by_test_id(
            "pl-recipe").inner_text().lower()
        page.locator(f"[data-testid=pl-row][data-plan-id='{plan_id}']").wait_for()

        # a ranking: drafted by the department, published by the leader
        page.get_by_test_id("rk-industry").select_option(INDUSTRY)
        page.get_by_test_id("rk-as_of").fill(DAY.isoformat())
        page.get_by_test_id("rk-submit").click()
        page.get_by_test_id("rk-entry").first.wait_for()
        assert [int(e.get_attribute("data-rank")) for e in page.get_by_test_id("rk-entry").all()] == list(range(1, 9))
        assert page.get_by_test_id("rk-entry").last.get_attribute("data-subject") == codes["D"][0]  # lowest score last
        ranking = page.locator("[data-testid=rk-row][data-status=draft]").get_attribute("data-ranking-id")
        sign_in(page, url, tokens["leader"])
        page.locator(f"[data-testid=rk-approve][data-ranking-id='{ranking}']").click()
        page.locator(f"[data-testid=rk-row][data-ranking-id='{ranking}'][data-status=published]").wait_for()
        assert client.get("/api/v1/public/rankings", params={"industry": INDUSTRY}).json()[0]["id"] == int(ranking)
        page.screenshot(path=str(artifacts / "supervision.png"), full_page=True)
        browser.close()
    assert errors == [], errors
