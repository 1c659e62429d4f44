"""Evaluation period (评价周期): the calendar year by default (spec G1-02, G1-08), configurable in months."""

from __future__ import annotations

import calendar
from datetime import date


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    return date(day.year + y, m + 1, 1)


def period_bounds(as_of: date, months: int, anchor: date) -> tuple[date, date]:
    """First and last day of the period containing `as_of`. Periods start on `anchor` (a first of month)
    and every `months` months from it, forwards and backwards.

    122号 Art.13: 评价周期初始分值 — each period starts again from the base score; G1-08: a record counts in
    the period containing its act date."""
    if months <= 0:
        raise ValueError("period length must be positive")
    anchor = anchor.replace(day=1)
    offset = (as_of.year - anchor.year) * 12 + (as_of.month - anchor.month)
    k = offset // months
    start = _add_months(anchor, k * months)
    nxt = _add_months(anchor, (k + 1) * months)
    return start, date.fromordinal(nxt.toordinal() - 1)


def add_months_civil(day: date, months: int) -> date:
    """The last day of a period of `months` months starting on `day` (民法典 第二百零一条: `day` itself is not
    counted; 第二百零二条: it ends on the corresponding day of the final month, or that month's last day when it
    has none): 2025-03-02 + 12 → 2026-03-02; 2024-02-29 + 12 → 2025-02-28; 2025-01-31 + 1 → 2025-02-28."""
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))
