"""Working-day calendar for deadlines counted in working days (G0-1, G1-13).

京规自发〔2024〕122号 Art.8(1): manual credit records are entered 相关行政行为作出后5个工作日内 — within
5 working days after the administrative act. The day of the act is not counted; working days follow the
Chinese statutory holidays and the adjusted working weekends (调休上班) of the State Council General Office's
yearly notice.

Data come from the ``chinesecalendar`` package (2004 up to the last year it ships) plus an admin-maintained
YAML file for later years (a year in the file overrides the package for that year). A date in a year that
neither source covers is never guessed silently: :meth:`WorkCalendar.add_workdays` raises
:class:`CalendarNotCovered`, and :meth:`WorkCalendar.add_workdays_provisional` falls back to "weekends only"
and says so.

This module is pure: no database, no web framework, no global cache (see ``xinyong.calendar.service``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType

import chinese_calendar
import yaml

__all__ = [
    "CalendarNotCovered",
    "HolidayYear",
    "WorkCalendar",
    "build_calendar",
    "load_calendar",
    "package_calendar_data",
    "parse_holiday_file",
]

_ONE_DAY = timedelta(days=1)
_ENTRY_KEYS = frozenset({"reference", "holidays", "workdays"})


class CalendarNotCovered(Exception):
    """A working-day computation needs a date whose year has no statutory-holiday data."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.year = day.year
        super().__init__(
            f"{self.year}年的法定节假日安排尚未维护（工作日历未覆盖 {day.isoformat()}）/ "
            f"no statutory holiday data for year {self.year} (the working-day calendar does not cover "
            f"{day.isoformat()})"
        )


@dataclass(frozen=True)
class WorkCalendar:
    """Statutory days off and adjusted working weekends, for the years listed in ``covered``.

    ``holidays``: statutory days off (weekend days inside a holiday block may be listed, harmless).
    ``workdays``: adjusted working weekends (调休上班).
    ``covered``: year -> description of the data source for that year.
    """

    holidays: frozenset[date]
    workdays: frozenset[date]
    covered: Mapping[int, str] = field(hash=False)

    def __post_init__(self) -> None:
        both = self.holidays & self.workdays
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"dates listed both as holiday and as adjusted workday: {listed}")
        # Freeze the mapping so a shared (cached) calendar cannot be mutated by a caller.
        object.__setattr__(self, "covered", MappingProxyType(dict(self.covered)))

    def covers(self, year: int) -> bool:
        return year in self.covered

    def covered_years(self) -> list[int]:
        return sorted(self.covered)

    def is_workday(self, day: date) -> bool:
        """True when ``day`` is a working day; raises :class:`CalendarNotCovered` for an uncovered year."""
        if not self.covers(day.year):
            raise CalendarNotCovered(day)
        return self._is_workday_known(day)

    def _is_workday_known(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_workdays(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself not counted); ``n == 0`` gives ``start``.

        Raises :class:`CalendarNotCovered` as soon as a date it must look at lies in an uncovered year.
        """
        _check_n(n)
        day = start
        remaining = n
        while remaining > 0:
            day = day + _ONE_DAY
            if self.is_workday(day):
                remaining -= 1
        return day

    def add_workdays_provisional(self, start: date, n: int) -> tuple[date, bool]:
        """Like :meth:`add_workdays`, but never raises for coverage.

        For a date in an uncovered year only Saturdays and Sundays count as days off, and the result is
        flagged ``provisional=True`` (the real deadline may be later once that year's notice is known).
        """
        _check_n(n)
        day = start
        remaining = n
        provisional = False
        while remaining > 0:
            day = day + _ONE_DAY
            if self.covers(day.year):
                working = self._is_workday_known(day)
            else:
                provisional = True
                working = day.weekday() < 5
            if working:
                remaining -= 1
        return day, provisional


def _check_n(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"number of working days must be an int, got {n!r}")
    if n < 0:
        raise ValueError(f"number of working days must be >= 0, got {n}")


# --------------------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------------------


def package_calendar_data() -> tuple[set[date], set[date], dict[int, str]]:
    """Holidays, adjusted workdays and covered years shipped by the ``chinesecalendar`` package.

    The covered range is the one the package accepts without raising NotImplementedError: from the
    smallest to the largest year among its holiday dates (the same rule as ``chinese_calendar.utils``).
    """
    holidays = _package_dates(chinese_calendar.holidays)
    workdays = _package_dates(chinese_calendar.workdays)
    if not holidays:
        return set(), set(), {}
    version = str(getattr(chinese_calendar, "__version__", "?"))
    source = f"chinesecalendar {version}"
    first = min(d.year for d in holidays)
    last = max(d.year for d in holidays)
    return holidays, workdays, {year: source for year in range(first, last + 1)}


def _package_dates(raw: object) -> set[date]:
    if not isinstance(raw, Mapping):
        raise TypeError(f"unexpected chinesecalendar data: {type(raw).__name__}")
    out: set[date] = set()
    for key in raw:
        if isinstance(key, _dt.datetime):
            out.add(key.date())
        elif isinstance(key, date):
            out.add(key)
        else:
            raise TypeError(f"unexpected chinesecalendar date: {key!r}")
    return out


@dataclass(frozen=True)
class HolidayYear:
    """One validated year of the admin-maintained holiday file."""

    year: int
    reference: str
    holidays: frozenset[date]
    workdays: frozenset[date]


class _HolidayFileLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader, except that an impossible date such as 2027-13-01 stays a string.

    Plain ``yaml.safe_load`` raises a bare "month must be in 1..12" for it; keeping the string lets the
    validation below name the year and the list it appears in.
    """


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_HolidayFileLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def parse_holiday_file(text: str, name: str = "holidays.yaml") -> list[HolidayYear]:
    """Parse and validate the admin-maintained holiday file; raises ValueError naming the year and entry."""
    try:
        data = yaml.load(text, Loader=_HolidayFileLoader)  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        raise ValueError(f"{name}: not valid YAML: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ValueError(
            f"{name}: expected a mapping of year -> entry at the top level, got {type(data).__name__}"
        )
    entries: list[HolidayYear] = []
    for key, entry in data.items():
        if isinstance(key, bool) or not isinstance(key, int):
            raise ValueError(f"{name}: year key {key!r} is not an integer year (write e.g. `2027:` unquoted)")
        year = key
        if not 1900 <= year <= 9998:
            raise ValueError(f"{name}: year {year} is out of range")
        where = f"{name}: year {year}"
        if not isinstance(entry, dict):
            raise ValueError(
                f"{where}: entry must be a mapping with reference/holidays/workdays, got {entry!r}"
            )
        unknown = sorted(str(k) for k in entry if k not in _ENTRY_KEYS)
        if unknown:
            raise ValueError(
                f"{where}: unknown key(s) {', '.join(unknown)} (allowed: holidays, reference, workdays)"
            )
        reference = entry.get("reference")
        if not isinstance(reference, str) or not reference.strip():
            raise ValueError(
                f"{where}: missing `reference` (the State Council General Office notice the dates come from)"
            )
        if "holidays" not in entry:
            raise ValueError(f"{where}: missing `holidays` (the statutory days off)")
        holidays = _entry_dates(entry["holidays"], year, f"{where}, holidays")
        if not holidays:
            raise ValueError(f"{where}: `holidays` is empty")
        workdays = _entry_dates(entry.get("workdays", []), year, f"{where}, workdays")
        both = holidays & workdays
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"{where}: date(s) {listed} listed both in holidays and in workdays")
        weekdays = sorted(d for d in workdays if d.weekday() < 5)
        if weekdays:
            listed = ", ".join(d.isoformat() for d in weekdays)
            raise ValueError(
                f"{where}, workdays: {listed} is a Monday–Friday; only weekend days can be adjusted working days"
            )
        entries.append(HolidayYear(year, reference.strip(), frozenset(holidays), frozenset(workdays)))
    return entries


def _entry_dates(raw: object, year: int, where: str) -> set[date]:
    if raw is None:
        return set()
    if not isinstance(raw, list):
        raise ValueError(f"{where}: expected a list of dates like [{year}-01-01], got {raw!r}")
    out: set[date] = set()
    for item in raw:
        day = _as_date(item)
        if day is None:
            raise ValueError(f"{where}: {item!r} is not a date (write YYYY-MM-DD)")
        if day.year != year:
            raise ValueError(f"{where}: {day.isoformat()} is not in year {year}")
        out.add(day)
    return out


def _as_date(item: object) -> date | None:
    if isinstance(item, _dt.datetime):
        return None  # a time of day means the entry is not what we think it is
    if isinstance(item, date):
        return item
    if isinstance(item, str):
        try:
            return date.fromisoformat(item.strip())
        except ValueError:
            return None
    return None


def build_calendar(
    holidays: Iterable[date],
    workdays: Iterable[date],
    covered: Mapping[int, str],
    overrides: Iterable[HolidayYear] = (),
    override_source: str = "holidays.yaml",
) -> WorkCalendar:
    """Combine base data with per-year overrides (an override replaces everything of its year)."""
    hol = set(holidays)
    work = set(workdays)
    cov = dict(covered)
    for entry in overrides:
        hol = {d for d in hol if d.year != entry.year} | entry.holidays
        work = {d for d in work if d.year != entry.year} | entry.workdays
        cov[entry.year] = f"{override_source}: {entry.reference}"
    return WorkCalendar(holidays=frozenset(hol), workdays=frozenset(work), covered=cov)


def load_calendar(holiday_file: Path | None) -> WorkCalendar:
    """The calendar from ``chinesecalendar`` plus, when it exists, the admin-maintained ``holiday_file``.

    Raises ValueError when the file is malformed (bad year key, date outside its year, a date in both lists,
    missing ``reference``, ...).
    """
    holidays, workdays, covered = package_calendar_data()
    entries: list[HolidayYear] = []
    source = "holidays.yaml"
    if holiday_file is not None and holiday_file.is_file():
        source = holiday_file.name
        entries = parse_holiday_file(holiday_file.read_text(encoding="utf-8"), name=str(holiday_file))
    return build_calendar(holidays, workdays, covered, entries, override_source=source)
