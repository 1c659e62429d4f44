"""Events of the subjects domain (评价对象, 122号 第二条, 第九条)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.events import SubjectFact

SUBJECT_CREATED = "subject_created"
INDUSTRY_ENROLLED = "industry_enrolled"


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
class SubjectEnrolled(SubjectFact):
    """A record of an industry item put the subject under that industry's evaluation (spec G1-04)."""

    industry: str

    archive_kind = INDUSTRY_ENROLLED

    @property
    def summary(self) -> str:
        return f"纳入 {self.industry} 行业评价"

    def payload(self) -> dict[str, Any]:
        return {"industry": self.industry}

