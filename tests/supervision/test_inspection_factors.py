"""The inspection factors a plan reads from the measures list in force (122号 Art.22, 122号 Art.25; spec G1-09)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from xinyong.auth.actors import Actor
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import DayClock, clock_at
from xinyong.supervision.schemas import MeasuresEntryIn
from xinyong.supervision.service import approve, create_draft, file_list, inspection_factors

COORDINATOR = Actor(name="coord", role="coordinator")
LEADER = Actor(name="leader", role="leader", channel="manual")


def _line(grade: str, factor: float | None, department: str = "kanchasheji") -> MeasuresEntryIn:
    return MeasuresEntryIn(grade=grade, process="inspection", item=f"{grade} 级抽查比例 {department}",
                           basis="122号 第二十二条", category="监督检查", department=department,
                           inspection_factor=factor)


def _in_force(engine: Engine, kind: str, lines: list[MeasuresEntryIn], effective: date) -> int:
    with unit_of_work(engine, COORDINATOR) as uow:
        list_id = create_draft(uow, "survey_design", kind, None, lines, COORDINATOR).id
    with unit_of_work(engine, LEADER) as uow:
        approve(uow, list_id, LEADER)
    with unit_of_work(engine, COORDINATOR) as uow:
        file_list(uow, list_id, effective, COORDINATOR)
    return list_id


def _factors(engine: Engine, industry: str, department: str | None, day: date) -> dict[str, float]:
    with unit_of_work(engine, writing=False) as uow:
        return inspection_factors(uow.session, industry, department, day)


@pytest.mark.article("122号 Art.22")
def test_defaults_without_a_list_then_the_list_in_force_from_its_day_122_art22(clean: Engine) -> None:
    with clock_at(DayClock(date(2026, 3, 10))):
        assert _factors(clean, "survey_design", "kanchasheji", date(2026, 3, 10)) == {
            "A": 0.3, "B": 0.6, "C": 1.0, "D": 2.0}
        _in_force(clean, "incentive", [_line("A", 0.2), _line("B", None)], date(2026, 3, 11))
        _in_force(clean, "punishment", [_line("D", 3.0, "other"), _line("D", 2.5)], date(2026, 3, 11))
        # the day before the lists take effect: still the defaults
        assert _factors(clean, "survey_design", "kanchasheji", date(2026, 3, 10))["A"] == 0.3
        # B without a factor keeps its default; the department's own D line wins over another department's
        assert _factors(clean, "survey_design", "kanchasheji", date(2026, 3, 11)) == {
            "A": 0.2, "B": 0.6, "C": 1.0, "D": 2.5}
        assert _factors(clean, "survey_design", "xiaofangshencha", date(2026, 3, 11))["D"] == 3.0
        # another industry is not touched
        assert _factors(clean, "surveying_mapping", None, date(2026, 3, 11))["A"] == 0.3
