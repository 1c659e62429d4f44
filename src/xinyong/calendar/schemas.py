"""Response bodies of the working-day calendar API (G1-13)."""

from __future__ import annotations

from pydantic import BaseModel


class WorkdayOut(BaseModel):
    date: str


class CoveredYearOut(BaseModel):
    year: int
    source: str


class CalendarStatusOut(BaseModel):
    covered: list[CoveredYearOut]
    uncovered_current_or_next: list[int]
