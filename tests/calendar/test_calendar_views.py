"""HTTP API and coverage report of the working-day calendar (G1-13)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from xinyong.calendar import service
from xinyong.calendar.views import router
from xinyong.errors import DomainError
from xinyong.rules.calendar import WorkCalendar, load_calendar

PACKAGE_ONLY = load_calendar(None)  # chinesecalendar only: 2004..2026


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setattr(service, "default_calendar", lambda: PACKAGE_ONLY)
    monkeypatch.setattr(service, "beijing_today", lambda: date(2026, 6, 1))
    app = FastAPI()

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, e: Exception) -> JSONResponse:
        assert isinstance(e, DomainError)
        return JSONResponse(status_code=e.status_code, content={"detail": e.as_detail()})

    app.include_router(router)
    return TestClient(app)


@pytest.mark.article("122号 Art.8(1)")
def test_add_workdays_returns_fifth_working_day_after_act_122_art8_1(client: TestClient) -> None:
    # Act Tue 2026-09-29; National Day 10-01..07 off, Sat 10-10 adjusted workday -> 5th working day Mon 10-12.
    r = client.get("/api/v1/calendar/add-workdays", params={"start": "2026-09-29", "days": 5})
    assert r.status_code == 200
    assert r.json() == {"date": "2026-10-12"}


def test_add_workdays_zero_days_returns_start(client: TestClient) -> None:
    r = client.get("/api/v1/calendar/add-workdays", params={"start": "2026-10-03", "days": 0})
    assert r.status_code == 200
    assert r.json() == {"date": "2026-10-03"}


def test_add_workdays_uncovered_year_is_422_bilingual_g1_13(client: TestClient) -> None:
    r = client.get("/api/v1/calendar/add-workdays", params={"start": "2026-12-31", "days": 1})
    assert r.status_code == 422
    [problem] = r.json()["detail"]
    assert problem["field"] == "start"
    assert "2027年的法定节假日安排尚未维护" in problem["reason_zh"]
    assert "no holiday data for year 2027" in problem["reason_en"]


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-02-30", "days": 5},
        {"start": "29/09/2026", "days": 5},
        {"start": "2026-09-29", "days": -1},
        {"start": "2026-09-29", "days": 366},
        {"start": "2026-09-29", "days": "five"},
        {"days": 5},
    ],
    ids=[
        "impossible-date",
        "wrong-format",
        "negative-days",
        "too-many-days",
        "non-int-days",
        "missing-start",
    ],
)
def test_add_workdays_malformed_input_is_422(client: TestClient, params: dict[str, object]) -> None:
    r = client.get("/api/v1/calendar/add-workdays", params=params)
    assert r.status_code == 422


def test_status_lists_sources_and_uncovered_next_year(client: TestClient) -> None:
    r = client.get("/api/v1/calendar/status")
    assert r.status_code == 200
    body = r.json()
    years = [c["year"] for c in body["covered"]]
    assert years == list(range(2004, 2027))
    assert all(c["source"].startswith("chinesecalendar ") for c in body["covered"])
    assert body["uncovered_current_or_next"] == [2027]


def _with_2027(tmp_path: Path) -> WorkCalendar:
    path = tmp_path / "holidays.yaml"
    path.write_text(
        '2027:\n  reference: "国务院办公厅关于2027年部分节假日安排的通知（测试虚构）"\n  holidays: [2027-01-01]\n',
        encoding="utf-8",
    )
    return load_calendar(path)


def test_status_lines_group_package_years_and_name_missing_year() -> None:
    lines = service.calendar_status_lines(PACKAGE_ONLY, today=date(2026, 11, 20))
    assert lines[0].startswith("2004–2026: chinesecalendar ")
    assert len(lines) == 2
    assert "2027年" in lines[-1] and "NOT covered: 2027" in lines[-1]


def test_status_lines_show_file_year_and_all_covered(tmp_path: Path) -> None:
    lines = service.calendar_status_lines(_with_2027(tmp_path), today=date(2026, 11, 20))
    assert lines[1] == "2027: holidays.yaml: 国务院办公厅关于2027年部分节假日安排的通知（测试虚构）"
    assert "均已覆盖" in lines[-1] and "both covered" in lines[-1]
    # In 2027 the next year, 2028, is missing.
    lines = service.calendar_status_lines(_with_2027(tmp_path), today=date(2027, 1, 2))
    assert "NOT covered: 2028" in lines[-1]


def test_default_calendar_reads_configured_file_and_reload_clears_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "holidays.yaml"
    monkeypatch.setenv("XINYONG_HOLIDAY_FILE", str(path))
    service.reload_calendar()
    try:
        first = service.default_calendar()
        assert not first.covers(2027)
        assert service.default_calendar() is first  # cached
        path.write_text("2027:\n  reference: r\n  holidays: [2027-01-01]\n", encoding="utf-8")
        assert not service.default_calendar().covers(2027)  # still cached
        service.reload_calendar()
        assert service.default_calendar().covers(2027)
    finally:
        service.reload_calendar()
