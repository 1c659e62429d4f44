"""The clock: one Beijing time for the whole platform, injected into units of work, jobs and tests.

Spec §0.2: all timestamps are Beijing time (UTC+8), stored naive, to the millisecond. China has had no daylight
saving time since 1991, so a fixed offset is exact. Services ask the unit of work's clock (`uow.clock`);
model column defaults ask the process clock (`clock()`), which `set_clock` replaces (tests, replays) and
`XINYONG_TODAY` shifts to a chosen calendar day (the suite runs at 1 January, 29 February and 31 December).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol

from .settings import settings

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def _ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class Clock(Protocol):
    def now(self) -> datetime:
        """Naive Beijing time to the millisecond."""
        ...

    def today(self) -> date:
        ...


class SystemClock:
    """The machine's time in Beijing."""

    def now(self) -> datetime:
        return _ms(datetime.now(BEIJING).replace(tzinfo=None))

    def today(self) -> date:
        return datetime.now(BEIJING).date()


class DayClock:
    """A chosen calendar day with the machine's time of day, so timestamps still move forward (XINYONG_TODAY)."""

    def __init__(self, day: date) -> None:
        self.day = day

    def now(self) -> datetime:
        real = datetime.now(BEIJING)
        return _ms(datetime.combine(self.day, real.time()))

    def today(self) -> date:
        return self.day


class FixedClock:
    """A moment that stands still until moved (unit tests of time rules)."""

    def __init__(self, moment: datetime | date) -> None:
        self.moment = moment if isinstance(moment, datetime) else datetime.combine(moment, time(9, 0))

    def now(self) -> datetime:
        return _ms(self.moment)

    def today(self) -> date:
        return self.moment.date()

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


_current: Clock | None = None


def clock() -> Clock:
    """The process clock: set by `set_clock`, else the day of XINYONG_TODAY, else the system clock."""
    global _current
    if _current is None:
        day = settings().today
        _current = DayClock(day) if day else SystemClock()
    return _current


def set_clock(new: Clock | None) -> Clock | None:
    """Replace the process clock (None: back to the default); returns the previous one."""
    global _current
    previous, _current = _current, new
    return previous


@contextmanager
def clock_at(new: Clock) -> Iterator[Clock]:
    previous = set_clock(new)
    try:
        yield new
    finally:
        set_clock(previous)


def beijing_now() -> datetime:
    return clock().now()


def beijing_today() -> date:
    return clock().today()
