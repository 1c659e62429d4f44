"""The supervision jobs of `xinyong jobs run`: the yearly reminder of a measures list (122号 Art.24), the monthly
ranking drafts (122号 Art.17; G1-11) and the quarterly whitelist review (44号 Task 12; G3-02)."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from tests.api._api_helpers import make_subject
from tests.jobs.conftest import run
from tests.supervision._helpers import in_force, leader_session, line
from xinyong.core.clock import DayClock, clock_at


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


@pytest.mark.article("122号 Art.24")
def test_a_measures_list_in_force_for_a_year_is_reminded_once_to_the_coordinator_and_the_regulator(
        cli_db: Engine, client: TestClient, tokens: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    with clock_at(DayClock(date(2025, 3, 10))):
        in_force(client, tokens["business"], leader_session(cli_db, None), tokens["coordinator"], "punishment",
                 [line("D")], effective=date(2025, 3, 10))
    capsys.readouterr()
    reminders = "SELECT COUNT(*) FROM notifications WHERE kind = 'measures_list_update_due'"
    status, out = run(capsys, date(2026, 3, 9))  # the day before the anniversary: not yet
    assert status == 0 and "措施清单年度更新提醒 / measures lists due for their yearly update: 已提醒 0" in out
    status, out = run(capsys, date(2026, 3, 10))  # 民法典 Art.201: a year later, the same date
    assert status == 0 and "已提醒 1" in out, out
    with cli_db.connect() as conn:
        to = set(conn.execute(text("SELECT recipient_kind, recipient FROM notifications "
                                   "WHERE kind = 'measures_list_update_due'")).all())
    assert to == {("role", "coordinator"), ("department", "kanchasheji")}
    status, out = run(capsys, date(2026, 3, 11))  # still stale, but already reminded
    assert "已提醒 0" in out and _count(cli_db, reminders) == 2


@pytest.mark.article("122号 Art.17")
def test_the_months_ranking_drafts_are_made_once(cli_db: Engine, client: TestClient, tokens: dict[str, str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with clock_at(DayClock(date(2026, 3, 2))):
        make_subject(client, tokens["admin"], grade="A", industries=["survey_design"])
    industries = _count(cli_db, "SELECT COUNT(*) FROM industries")
    status, out = run(capsys, date(2026, 3, 2))
    assert status == 0 and f"月度排行榜草稿 / monthly ranking drafts: 已生成 {industries}" in out, out
    run(capsys, date(2026, 3, 20))  # the same month: nothing more
    assert _count(cli_db, "SELECT COUNT(*) FROM rankings WHERE status = 'draft'") == industries
    status, out = run(capsys, date(2026, 4, 1))
    assert f"已生成 {industries}" in out and _count(cli_db, "SELECT COUNT(*) FROM rankings") == 2 * industries


@pytest.mark.article("44号 Task 12")
def test_the_whitelist_is_reviewed_at_the_first_run_of_a_quarter_even_when_its_first_day_was_missed(
        cli_db: Engine, client: TestClient, tokens: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    with clock_at(DayClock(date(2026, 3, 20))):
        clean_a = make_subject(client, tokens["admin"], grade="A", industries=["survey_design"])["code"]
    status, out = run(capsys, date(2026, 3, 20))  # the first run of Q1: reviewed
    assert status == 0 and "无事不扰白名单季度复核 / quarterly whitelist review: 纳入 1" in out, out
    with clock_at(DayClock(date(2026, 3, 25))):
        later_a = make_subject(client, tokens["admin"], grade="A", industries=["survey_design"])["code"]
    status, out = run(capsys, date(2026, 3, 25))  # Q1 already reviewed
    assert "quarterly whitelist review: 纳入 0" in out
    status, out = run(capsys, date(2026, 4, 3))  # 1 April was missed: the first run of Q2 reviews
    assert "quarterly whitelist review: 纳入 1" in out, out
    rows = client.get("/api/v1/whitelist", params={"industry": "survey_design"}).json()
    assert {e["subject"] for e in rows if e["active"]} == {clean_a, later_a}
