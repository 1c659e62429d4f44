"""Events of the subjects domain (评价对象, 122号 Art.2, 122号 Art.9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.events import Event, SubjectFact

SUBJECT_CREATED = "subject_created"
INDUSTRY_ENROLLED = "industry_enrolled"
NATIONAL_GRADE_RECORDED = "national_grade_recorded"


@dataclass(frozen=True)
class SubjectRegistered(SubjectFact):
    kind: str
    name: str
    national_grade: str | None
    industries: tuple[str, ...]
    by: str

    archive_kind = SUBJECT_CREATED

    @property
    def summary(self) -> str:
        return f"登记评价对象 {self.name}"

    def payload(self) -> dict[str, Any]:
        return {"code": self.subject_code, "kind": self.kind, "name": self.name,
                "national_grade": self.national_grade, "industries": list(self.industries), "by": self.by}


@dataclass(frozen=True)
class SubjectsRegistered(Event):
    """A chunk of a subjects import (subjects/bulk.py): the SubjectRegistered fact of each new subject, in row
    order, archived in one go (122号 Art.19); the chunk re-evaluates its subjects once with the batch kernel. Not
    kept once handled (an import's chunks do not stay in `uow.handled`)."""

    kept = False
    facts: list[SubjectRegistered]


@dataclass(frozen=True)
class SubjectEnrolled(SubjectFact):
    """A record of an industry item put the subject under that industry's evaluation (spec G1-04)."""

    industry: str

    archive_kind = INDUSTRY_ENROLLED

    @property
    def summary(self) -> str:
        return f"纳入 {self.industry} 行业评价"

    def payload(self) -> dict[str, Any]:
        return {"industry": self.industry}


@dataclass(frozen=True)
class NationalGradeRecorded(SubjectFact):
    """A dated national credit level was added (122号 Art.6, 122号 Art.13; G1-15)."""

    grade_id: int
    grade: str | None
    effective_on: str
    source: str | None
    by: str

    archive_kind = NATIONAL_GRADE_RECORDED

    @property
    def summary(self) -> str:
        return f"国家信用评价等级 {self.grade or '无'}（{self.effective_on}起）"

    def payload(self) -> dict[str, Any]:
        return {"grade_id": self.grade_id, "grade": self.grade, "effective_on": self.effective_on,
                "source": self.source, "by": self.by}
