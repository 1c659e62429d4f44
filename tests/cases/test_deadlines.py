"""Case deadlines in working days on the shared calendar (spec G1-07; 122号 Art.18 sets none), across holidays:
National Day 2026 (10-01..07 off, Saturday 10-10 worked) and Spring Festival 2026. The day a step starts is not
counted; the due day itself is in time, the day after is overdue."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.cases._case_helpers import act, file_case, subject_with_record
from tests.conftest import auth
from xinyong.calendar.service import default_calendar
from xinyong.cases.service import PARAMETERS_FILE, deadlines
from xinyong.core.clock import DayClock, clock_at
from xinyong.standards.loader import load_parameters


def _case(client: TestClient, token: str, case_id: int) -> dict:
    r = client.get(f"/api/v1/cases/{case_id}", headers=auth(token))
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_the_calendar_the_tests_rely_on() -> None:
    cal = default_calendar()
    assert not any(cal.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_workday(date(2026, 10, 10))  # 调休 Saturday
    assert not any(cal.is_workday(date(2026, 2, d)) for d in range(15, 24))  # 春节 2026-02-15..23
    assert cal.is_workday(date(2026, 2, 14))  # 调休 Saturday


@pytest.mark.article("122号 Art.18")
def test_the_time_limits_are_data_with_their_reference_spec_G1_07_122_art18() -> None:
    assert deadlines(date(2026, 1, 1)) == type(deadlines(date(2026, 1, 1)))(2, 10, 10, 2)
    history = load_parameters(PARAMETERS_FILE)
    for name in ("case_route_workdays", "case_opinion_workdays", "case_extension_workdays", "case_notify_workdays"):
        assert history.value(name, date(2024, 5, 11)) >= 1
    text = PARAMETERS_FILE.read_text(encoding="utf-8")
    assert text.count("reference: 122号 Art.18") == 4 and "G1-07" in text


@pytest.mark.article("122号 Art.18")
def test_routing_is_due_two_working_days_after_receipt_across_national_day_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(date(2026, 9, 29))):  # Tue: 09-30 is the first working day, 10-08 the second
        code, record = subject_with_record(client, tokens, act_date=date(2026, 9, 28))
        case = file_case(client, tokens["hall"], code, record_id=record["id"])
    assert (case["received_on"], case["due_on"], case["due_provisional"]) == ("2026-09-29", "2026-10-08", False)
    with clock_at(DayClock(date(2026, 10, 7))):
        assert _case(client, tokens["hall"], case["id"])["overdue"] is False
    with clock_at(DayClock(date(2026, 10, 8))):  # the due day: in time
        assert _case(client, tokens["hall"], case["id"])["overdue"] is False
    with clock_at(DayClock(date(2026, 10, 9))):  # the day after: overdue
        assert _case(client, tokens["hall"], case["id"])["overdue"] is True
        routed = act(client, tokens["hall"], case["id"], "route", department="kanchasheji")
        assert routed["overdue"] is False  # a new step, a new deadline


@pytest.mark.article("122号 Art.18")
def test_the_opinion_is_due_ten_working_days_after_routing_and_one_extension_adds_ten_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(date(2026, 9, 30))):
        code, record = subject_with_record(client, tokens, act_date=date(2026, 9, 28))
        case = file_case(client, tokens["hall"], code, record_id=record["id"])
        routed = act(client, tokens["hall"], case["id"], "route", department="kanchasheji")
    # 10-08, 09, 10 (Sat, worked), 12, 13, 14, 15, 16, 19, 20
    assert routed["due_on"] == "2026-10-20"
    with clock_at(DayClock(date(2026, 10, 20))):
        assert _case(client, tokens["hall"], case["id"])["overdue"] is False
    with clock_at(DayClock(date(2026, 10, 21))):
        assert _case(client, tokens["hall"], case["id"])["overdue"] is True
        act(client, tokens["business"], case["id"], "accept")
        extended = act(client, tokens["business"], case["id"], "extend", reason="需现场核查")
    assert extended["due_on"] == "2026-11-03" and extended["overdue"] is False  # 10-21 … 10-30, 11-02, 11-03
    with clock_at(DayClock(date(2026, 11, 3))):
        assert _case(client, tokens["hall"], case["id"])["overdue"] is False
    with clock_at(DayClock(date(2026, 11, 4))):
        assert _case(client, tokens["hall"], case["id"])["overdue"] is True


@pytest.mark.article("122号 Art.18")
def test_the_subject_is_told_within_two_working_days_of_the_opinion_across_spring_festival_122_art18(
        client: TestClient, clean: Engine, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(date(2026, 2, 13))):  # Fri; 02-14 (Sat) is worked, 02-15..23 off, then 02-24
        code, record = subject_with_record(client, tokens, act_date=date(2026, 2, 10))
        case = file_case(client, tokens["hall"], code, record_id=record["id"])
        act(client, tokens["hall"], case["id"], "route", department="kanchasheji")
        act(client, tokens["business"], case["id"], "accept")
        opinion = act(client, tokens["business"], case["id"], "opinion", outcome="rejected", opinion="记录无误")
    due = date(2026, 2, 24)
    assert default_calendar().add_workdays(date(2026, 2, 13), 2) == due and opinion["due_on"] == due.isoformat()
    with clock_at(DayClock(due)):
        reported = act(client, tokens["hall"], case["id"], "report")
        assert reported["due_on"] == due.isoformat() and reported["overdue"] is False  # report and tell, same limit
    with clock_at(DayClock(date(2026, 2, 25))):
        assert _case(client, tokens["hall"], case["id"])["overdue"] is True
        resolved = act(client, tokens["hall"], case["id"], "resolve")
        assert resolved["overdue"] is False and resolved["due_on"] is None  # no limit to close (G1-07)
