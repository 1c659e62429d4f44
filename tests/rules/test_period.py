"""Evaluation period (评价周期): calendar year by default (spec G1-02), configurable length."""

from datetime import date

from xinyong.rules.period import period_bounds


def test_default_period_is_the_calendar_year_g1_02():
    assert period_bounds(date(2026, 11, 26), 12, date(2024, 1, 1)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_bounds(date(2026, 1, 1), 12, date(2024, 1, 1)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_bounds(date(2025, 12, 31), 12, date(2024, 1, 1)) == (date(2025, 1, 1), date(2025, 12, 31))


def test_period_before_the_anchor_counts_backwards():
    assert period_bounds(date(2023, 6, 1), 12, date(2024, 1, 1)) == (date(2023, 1, 1), date(2023, 12, 31))


def test_half_year_periods_are_configurable():
    assert period_bounds(date(2026, 7, 1), 6, date(2024, 1, 1)) == (date(2026, 7, 1), date(2026, 12, 31))
    assert period_bounds(date(2026, 6, 30), 6, date(2024, 1, 1)) == (date(2026, 1, 1), date(2026, 6, 30))
