"""The process-wide working-day calendar (G1-13) and its coverage report for administrators."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from xinyong.core.clock import beijing_today as beijing_today  # re-exported: one Beijing clock
from xinyong.core.settings import settings
from xinyong.rules.calendar import WorkCalendar, load_calendar

__all__ = [
    "beijing_today",
    "calendar_status_lines",
    "default_calendar",
    "reload_calendar",
    "uncovered_current_or_next",
]

@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """chinesecalendar plus the admin-maintained holiday file (``XINYONG_HOLIDAY_FILE``), loaded once."""
    return load_calendar(settings().holiday_file)


def reload_calendar() -> None:
    """Forget the cached calendar; the next :func:`default_calendar` call re-reads the holiday file."""
    default_calendar.cache_clear()


def uncovered_current_or_next(cal: WorkCalendar, today: date | None = None) -> list[int]:
    """Which of the current and the next year (Beijing time) the calendar does not cover."""
    this_year = (today or beijing_today()).year
    return [y for y in (this_year, this_year + 1) if not cal.covers(y)]


def calendar_status_lines(cal: WorkCalendar, today: date | None = None) -> list[str]:
    """Human-readable coverage, e.g. ``2004–2026: chinesecalendar 1.11.0``, then a line on this/next year."""
    lines: list[str] = []
    years = cal.covered_years()
    i = 0
    while i < len(years):
        first = years[i]
        source = cal.covered[first]
        j = i
        while j + 1 < len(years) and years[j + 1] == years[j] + 1 and cal.covered[years[j + 1]] == source:
            j += 1
        last = years[j]
        span = str(first) if first == last else f"{first}–{last}"
        lines.append(f"{span}: {source}")
        i = j + 1
    if not lines:
        lines.append("无节假日数据 / no holiday data at all")

    this_year = (today or beijing_today()).year
    missing = uncovered_current_or_next(cal, today=date(this_year, 1, 1))
    if missing:
        zh = "、".join(f"{y}年" for y in missing)
        en = ", ".join(str(y) for y in missing)
        lines.append(
            f"未覆盖：{zh}的法定节假日安排尚未维护，请根据国务院办公厅通知补充节假日文件 / "
            f"NOT covered: {en} — add the State Council holiday notice to the holiday file"
        )
    else:
        lines.append(
            f"本年度和下一年度（{this_year}、{this_year + 1}）均已覆盖 / "
            f"current and next year ({this_year}, {this_year + 1}) are both covered"
        )
    return lines
