"""Working-day deadlines: 京规自发〔2024〕122号 第八条(一) "相关行政行为作出后5个工作日内" (G0-1, G1-13).

Calendar facts relied on (chinesecalendar 1.11.0, from 国务院办公厅关于2026年部分节假日安排的通知):
  - 中秋节 2026-09-25 (Fri) .. 2026-09-27 (Sun) off;
  - 国庆节 2026-10-01 (Thu) .. 2026-10-07 (Wed) off;
  - adjusted working weekends (调休上班): 2026-09-20 (Sun) and 2026-10-10 (Sat);
  - 2026-03-09 .. 2026-03-20: no holiday, no adjusted weekend.
  - the package covers 2004..2026; 2027 is not covered.
"""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xinyong
from xinyong.rules.calendar import (
    CalendarNotCovered,
    WorkCalendar,
    load_calendar,
    parse_holiday_file,
)

ENTRY_DEADLINE_WORKDAYS = 5  # 122号 第八条(一)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return load_calendar(None)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# Fictional 2027 data for tests only (NOT the real 2027 notice, which is not published in this data).
FAKE_2027 = """\
    2027:
      reference: "测试用虚构安排 test-only fictional entry"
      holidays: [2027-01-01, 2027-01-04]
      workdays: [2027-01-09]
    """


# --- the package calendar agrees with the 2026 notice -----------------------------------------------------


def test_calendar_facts_2026_national_day_and_mid_autumn_from_package(cal: WorkCalendar) -> None:
    for off in [date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27)]:
        assert not cal.is_workday(off)
    for d in range(1, 8):
        assert not cal.is_workday(date(2026, 10, d))
    assert cal.is_workday(date(2026, 9, 20))  # Sunday, 调休上班
    assert cal.is_workday(date(2026, 10, 10))  # Saturday, 调休上班
    assert not cal.is_workday(date(2026, 10, 11))  # ordinary Sunday
    assert cal.covers(2004) and cal.covers(2026)
    assert not cal.covers(2003) and not cal.covers(2027)
    assert cal.covered[2026].startswith("chinesecalendar ")


# --- the 5-working-day deadline ----------------------------------------------------------------------------


@pytest.mark.article("122号 Art.8(1)")
def test_due_date_is_fifth_working_day_after_act_across_national_day_122_art8_1(cal: WorkCalendar) -> None:
    # Act on Tue 2026-09-29. Working days after it: 09-30 Wed (1); 10-01..10-07 National Day off;
    # 10-08 Thu (2); 10-09 Fri (3); 10-10 Sat adjusted workday (4); 10-11 Sun off; 10-12 Mon (5); 10-13 Tue (6).
    act = date(2026, 9, 29)
    assert cal.add_workdays(act, ENTRY_DEADLINE_WORKDAYS) == date(2026, 10, 12)
    assert cal.add_workdays(act, ENTRY_DEADLINE_WORKDAYS + 1) == date(2026, 10, 13)


@pytest.mark.article("122号 Art.8(1)")
def test_deadline_entry_on_day_5_is_on_time_and_day_6_is_late_122_art8_1(cal: WorkCalendar) -> None:
    act = date(2026, 9, 29)
    due = cal.add_workdays(act, ENTRY_DEADLINE_WORKDAYS)
    assert date(2026, 10, 12) <= due  # entered on the 5th working day: in time
    assert date(2026, 10, 13) > due  # entered on the 6th working day: late


def test_adjusted_working_weekend_counts_as_working_day_g1_13(cal: WorkCalendar) -> None:
    # Fri 2026-09-18 -> next working day is Sun 2026-09-20 (调休上班), not Mon 09-21.
    assert cal.add_workdays(date(2026, 9, 18), 1) == date(2026, 9, 20)
    # Act on Mon 2026-09-21: 09-22 (1), 09-23 (2), 09-24 (3); 09-25..27 Mid-autumn off; 09-28 (4), 09-29 (5).
    assert cal.add_workdays(date(2026, 9, 21), ENTRY_DEADLINE_WORKDAYS) == date(2026, 9, 29)


def test_starting_day_not_counted_act_on_friday_plus_one_is_monday_g0_1(cal: WorkCalendar) -> None:
    friday = date(2026, 3, 13)
    assert cal.add_workdays(friday, 1) == date(2026, 3, 16)
    # Ordinary week: Fri act -> Mon, Tue, Wed, Thu, Fri -> due the next Friday.
    assert cal.add_workdays(friday, ENTRY_DEADLINE_WORKDAYS) == date(2026, 3, 20)


def test_act_on_a_holiday_counts_from_next_working_day_g0_1(cal: WorkCalendar) -> None:
    # Act on 2026-10-03 (holiday): 10-08 (1), 10-09 (2), 10-10 Sat adjusted (3), 10-12 (4), 10-13 (5).
    assert cal.add_workdays(date(2026, 10, 3), ENTRY_DEADLINE_WORKDAYS) == date(2026, 10, 13)


def test_zero_working_days_returns_start(cal: WorkCalendar) -> None:
    assert cal.add_workdays(date(2026, 10, 3), 0) == date(2026, 10, 3)
    assert cal.add_workdays(date(2030, 5, 1), 0) == date(2030, 5, 1)
    assert cal.add_workdays_provisional(date(2030, 5, 1), 0) == (date(2030, 5, 1), False)


def test_negative_working_days_rejected(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_workdays(date(2026, 3, 13), -1)
    with pytest.raises(ValueError):
        cal.add_workdays_provisional(date(2026, 3, 13), -1)


# --- coverage ----------------------------------------------------------------------------------------------


def test_2027_not_covered_without_holiday_file_raises_g1_13(tmp_path: Path) -> None:
    cal = load_calendar(tmp_path / "does-not-exist.yaml")
    assert not cal.covers(2027)
    # Thu 2026-12-31 + 1 working day needs 2027-01-01, whose holidays are unknown.
    with pytest.raises(CalendarNotCovered) as info:
        cal.add_workdays(date(2026, 12, 31), 1)
    assert info.value.year == 2027
    assert info.value.day == date(2027, 1, 1)
    assert "2027年" in str(info.value) and "year 2027" in str(info.value)
    with pytest.raises(CalendarNotCovered):
        cal.is_workday(date(2027, 3, 1))
    with pytest.raises(CalendarNotCovered):
        cal.is_workday(date(2003, 12, 31))


def test_2027_covered_by_holiday_file_g1_13(tmp_path: Path) -> None:
    cal = load_calendar(write(tmp_path, FAKE_2027))
    assert cal.covers(2027)
    assert cal.covered[2027] == "holidays.yaml: 测试用虚构安排 test-only fictional entry"
    assert cal.covered[2026].startswith("chinesecalendar ")
    # Thu 2026-12-31: 2027-01-01 Fri off, 01-04 Mon off (fictional) -> 01-05 Tue is the 1st working day.
    assert cal.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 5)
    # 01-05 (1), 01-06 (2), 01-07 (3), 01-08 (4), 01-09 Sat adjusted (5).
    assert cal.add_workdays(date(2026, 12, 31), ENTRY_DEADLINE_WORKDAYS) == date(2027, 1, 9)
    assert cal.covered_years() == list(range(2004, 2028))


def test_holiday_file_year_overrides_package_year(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        2026:
          reference: "override test"
          holidays: [2026-03-16]
        """,
    )
    cal = load_calendar(path)
    assert cal.covered[2026] == "holidays.yaml: override test"
    assert cal.add_workdays(date(2026, 3, 13), 1) == date(2026, 3, 17)
    assert cal.is_workday(date(2026, 10, 1))  # package's National Day replaced by the file's 2026 entry
    assert not cal.is_workday(date(2026, 9, 20))  # package's adjusted Sunday replaced as well
    assert not cal.is_workday(date(2025, 10, 1))  # other years untouched


def test_provisional_fallback_treats_weekends_only_as_days_off_g1_13(cal: WorkCalendar) -> None:
    # 2027 uncovered: Thu 2026-12-31 -> Fri 2027-01-01 counted as a working day (weekends only), flagged.
    assert cal.add_workdays_provisional(date(2026, 12, 31), 1) == (date(2027, 1, 1), True)
    # 01-01 Fri (1), 01-04 Mon (2), 01-05 (3), 01-06 (4), 01-07 Thu (5).
    assert cal.add_workdays_provisional(date(2026, 12, 31), 5) == (date(2027, 1, 7), True)
    # Entirely inside covered years: same answer as add_workdays, not provisional.
    assert cal.add_workdays_provisional(date(2026, 9, 29), 5) == (date(2026, 10, 12), False)


def test_provisional_not_flagged_once_file_covers_the_year(tmp_path: Path) -> None:
    cal = load_calendar(write(tmp_path, FAKE_2027))
    assert cal.add_workdays_provisional(date(2026, 12, 31), 1) == (date(2027, 1, 5), False)


# --- holiday file validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '"2027":\n  reference: r\n  holidays: [2027-01-01]\n',
            "'2027' is not an integer year",
            id="str-year",
        ),
        pytest.param(
            "next:\n  reference: r\n  holidays: [2027-01-01]\n",
            "'next' is not an integer year",
            id="word-year",
        ),
        pytest.param(
            "2027:\n  reference: r\n  holidays: [2028-01-01]\n",
            "year 2027, holidays: 2028-01-01 is not in year 2027",
            id="holiday-outside-year",
        ),
        pytest.param(
            "2027:\n  reference: r\n  holidays: [2027-01-01]\n  workdays: [2026-12-26]\n",
            "year 2027, workdays: 2026-12-26 is not in year 2027",
            id="workday-outside-year",
        ),
        pytest.param(
            "2027:\n  reference: r\n  holidays: [2027-01-01, 2027-01-09]\n  workdays: [2027-01-09]\n",
            "year 2027: date(s) 2027-01-09 listed both",
            id="in-both-lists",
        ),
        pytest.param(
            "2027:\n  holidays: [2027-01-01]\n", "year 2027: missing `reference`", id="missing-reference"
        ),
        pytest.param(
            "2027:\n  reference: '  '\n  holidays: [2027-01-01]\n",
            "year 2027: missing `reference`",
            id="blank-reference",
        ),
        pytest.param("2027:\n  reference: r\n", "year 2027: missing `holidays`", id="missing-holidays"),
        pytest.param(
            "2027:\n  reference: r\n  holidays: []\n", "year 2027: `holidays` is empty", id="empty-holidays"
        ),
        pytest.param(
            "2027:\n  reference: r\n  holidays: [2027-13-01]\n",
            "year 2027, holidays: '2027-13-01' is not a date",
            id="bad-date",
        ),
        pytest.param(
            "2027:\n  reference: r\n  holidays: 2027-01-01\n",
            "year 2027, holidays: expected a list",
            id="not-a-list",
        ),
        pytest.param(
            "2027:\n  reference: r\n  holidays: [2027-01-01]\n  workday: [2027-01-09]\n",
            "year 2027: unknown key(s) workday",
            id="typo-key",
        ),
        pytest.param(
            "2027:\n  reference: r\n  holidays: [2027-01-01]\n  workdays: [2027-01-05]\n",
            "2027-01-05 is a Monday–Friday",
            id="weekday-as-workday",
        ),
        pytest.param("2027: [2027-01-01]\n", "year 2027: entry must be a mapping", id="entry-not-mapping"),
        pytest.param("- 2027\n", "expected a mapping of year", id="top-level-list"),
        pytest.param("2027: {reference: r, holidays: [2027-01-01\n", "not valid YAML", id="yaml-syntax"),
    ],
)
def test_holiday_file_validation_errors_name_year_and_entry(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ValueError) as info:
        load_calendar(write(tmp_path, text))
    assert expected in str(info.value)


def test_holiday_file_accepts_quoted_iso_dates_and_missing_workdays() -> None:
    [entry] = parse_holiday_file('2027:\n  reference: r\n  holidays: ["2027-01-01"]\n')
    assert (
        entry.year == 2027
        and entry.holidays == frozenset({date(2027, 1, 1)})
        and entry.workdays == frozenset()
    )


def test_empty_or_comment_only_holiday_file_adds_nothing(tmp_path: Path) -> None:
    assert load_calendar(write(tmp_path, "# nothing yet\n")).covered_years() == list(range(2004, 2027))


def test_shipped_example_file_is_empty_and_its_commented_entry_is_valid() -> None:
    example = Path(xinyong.__file__).parent / "standards" / "holidays.example.yaml"
    text = example.read_text(encoding="utf-8")
    assert parse_holiday_file(text) == []
    # The commented sample (fake year 2099) has the documented shape.
    start = text.index("# 2099:")
    sample = "\n".join(line[2:] for line in text[start:].splitlines())
    [entry] = parse_holiday_file(sample)
    assert entry.year == 2099


# --- properties --------------------------------------------------------------------------------------------

_CAL = load_calendar(None)
covered_days = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 10, 31))


@settings(max_examples=200, deadline=None)
@given(start=covered_days, n=st.integers(min_value=0, max_value=40))
def test_add_workdays_lands_on_nth_working_day_after_start(start: date, n: int) -> None:
    cal = _CAL
    due = cal.add_workdays(start, n)
    between = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(cal.is_workday(d) for d in between) == n
    if n > 0:
        assert cal.is_workday(due)
    assert cal.add_workdays_provisional(start, n) == (due, False)


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)))
def test_is_workday_agrees_with_chinesecalendar(day: date) -> None:
    import chinese_calendar

    assert _CAL.is_workday(day) == chinese_calendar.is_workday(day)
