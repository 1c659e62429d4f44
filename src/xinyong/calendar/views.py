"""HTTP API of the working-day calendar (G1-13)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from xinyong.calendar import service
from xinyong.calendar.schemas import CalendarStatusOut, WorkdayOut
from xinyong.errors import InputError
from xinyong.errors_http import Day, error_responses
from xinyong.rules.calendar import CalendarNotCovered

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar 工作日历"])


@router.get("/add-workdays", response_model=WorkdayOut, responses=error_responses(422))
def add_workdays(
    start: Annotated[Day, Query(description="起算日（不计入）/ starting day (not counted), YYYY-MM-DD")],
    days: Annotated[int, Query(ge=0, le=365, description="工作日数 / number of working days")],
) -> dict[str, str]:
    """The ``days``-th working day after ``start`` (e.g. the 122号 Art.8(1) 5-working-day deadline)."""
    cal = service.default_calendar()
    try:
        result = cal.add_workdays(start, days)
    except CalendarNotCovered as exc:
        raise InputError(
            "start",
            f"{exc.year}年的法定节假日安排尚未维护，无法计算工作日（需要 {exc.day.isoformat()}）；"
            f"请管理员根据国务院办公厅通知补充节假日文件",
            f"no holiday data for year {exc.year} (needed for {exc.day.isoformat()}); an administrator must add "
            f"the State Council holiday notice for {exc.year} to the holiday file",
        ) from exc
    except OverflowError as exc:
        raise InputError("start", "日期超出可计算范围", "date out of the computable range") from exc
    return {"date": result.isoformat()}


@router.get("/status", response_model=CalendarStatusOut)
def status() -> dict[str, Any]:
    """Which years have holiday data and from where; which of this/next year (Beijing time) are missing."""
    cal = service.default_calendar()
    return {
        "covered": [{"year": y, "source": cal.covered[y]} for y in cal.covered_years()],
        "uncovered_current_or_next": service.uncovered_current_or_next(cal),
    }
