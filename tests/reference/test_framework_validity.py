"""The framework read model (xinyong.reference.framework) without HTTP: counting the six-month warning before the
last day in force (民法典 第二百零一条至第二百零三条, spec G0-1, G1-14) and reading optional data (grade names,
fuse article texts) from a parameter file instead of code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

import xinyong.standards
from xinyong.errors import InputError
from xinyong.reference.framework import (
    first_day_in_force,
    framework_on,
    grade_order,
    months_before,
    parse_as_of,
    validity_on,
)
from xinyong.standards.loader import ParameterHistory

PARAMETERS = Path(xinyong.standards.__file__).parent / "default" / "parameters.yaml"


def _raw() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(PARAMETERS.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize(("day", "expected"), [
    (date(2027, 5, 10), date(2026, 11, 10)),
    (date(2027, 8, 31), date(2027, 2, 28)),  # no 31 February: the month's last day (第二百零二条)
    (date(2028, 8, 31), date(2028, 2, 29)),
    (date(2027, 3, 31), date(2026, 9, 30)),
    (date(2027, 1, 15), date(2026, 7, 15)),
])
def test_months_before_uses_the_corresponding_day_or_the_month_end_civil_code_art202(day: date,
                                                                                      expected: date) -> None:
    assert months_before(day, 6) == expected


@pytest.mark.parametrize(("last", "first_warning"), [
    (date(2027, 5, 10), date(2026, 11, 11)),
    (date(2027, 8, 31), date(2027, 3, 1)),
    (date(2027, 2, 28), date(2026, 8, 29)),
])
def test_first_warning_day_is_the_day_after_the_uncounted_start_civil_code_art201(last: date,
                                                                                  first_warning: date) -> None:
    raw = {"from": date(2024, 5, 11), "last_day": last}
    assert validity_on(raw, first_warning).warning is not None
    assert validity_on(raw, date.fromordinal(first_warning.toordinal() - 1)).warning is None
    assert validity_on(raw, last).status == "expiring"
    after = validity_on(raw, date.fromordinal(last.toordinal() + 1))
    assert after.status == "lapsed" and after.warning is not None and after.warning.kind == "lapsed"
    assert after.days_left == -1


def test_first_day_and_the_as_of_floor_come_from_measures_validity() -> None:
    first = _raw()["measures_validity"]["values"]
    earliest = first[min(first)]["value"]["from"]
    assert first_day_in_force() == earliest
    assert parse_as_of(earliest.isoformat()) == earliest
    with pytest.raises(InputError) as exc:
        parse_as_of(date.fromordinal(earliest.toordinal() - 1).isoformat())
    assert exc.value.problems[0].field == "as_of"


def test_empty_as_of_means_today() -> None:
    assert parse_as_of(None, today=date(2026, 1, 1)) == date(2026, 1, 1)
    assert parse_as_of("", today=date(2026, 12, 31)) == date(2026, 12, 31)


def test_grade_order_is_the_data_order_best_first() -> None:
    grades = _raw()["grades"]["values"]
    value = grades[max(grades)]["value"]
    assert grade_order(date(2026, 1, 1)) == sorted(value, key=lambda g: -value[g])


def test_grade_names_and_fuse_texts_in_the_data_replace_the_defaults() -> None:
    """When parameters.yaml carries `grade_names` and `fuse_articles`, the framework shows them (no code edit)."""
    raw = _raw()
    raw["grade_names"] = {"values": {date(2024, 5, 11): {"value": {"A": "甲", "B": "乙", "C": "丙", "D": "丁"},
                                                          "reference": "test"}}}
    raw["fuse_articles"] = {"values": {date(2024, 5, 11): {"value": [{"article": "第十六条(二)",
                                                                       "text": "拒不履行行政处罚决定"}],
                                                            "reference": "test"}}}
    fw = framework_on(date(2026, 1, 1), ParameterHistory(raw))
    assert [g.name for g in fw.grades] == ["甲", "乙", "丙", "丁"]
    texts = {a.article: a.text for a in fw.fuse.articles}
    assert texts["第十六条(二)"] == "拒不履行行政处罚决定" and texts["第十六条(一)"] is None


def test_a_changed_level_table_is_served_as_changed() -> None:
    """The level table is data: a new dated entry changes what the framework serves from that date on."""
    raw = _raw()
    old = raw["levels"]["values"][min(raw["levels"]["values"])]["value"]
    new = [dict(b) for b in old]
    new[0]["min"] += 5
    raw["levels"]["values"][date(2026, 7, 1)] = {"value": new, "reference": "test"}
    history = ParameterHistory(raw)
    assert framework_on(date(2026, 6, 30), history).levels[0].min == old[0]["min"]
    assert framework_on(date(2026, 7, 1), history).levels[0].min == old[0]["min"] + 5
