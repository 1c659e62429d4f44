"""Request and response shapes of the subjects API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors_http import Day

# Issue 12 item 7: bounded before any work (800,000 entries once ran 95 s and starved writers); the reference data
# defines a handful of industries (records/limits.yaml subject_industries documents the same limit).
SUBJECT_INDUSTRIES_MAX = 64
INDUSTRY_CODE_MAX = 40


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(description="统一社会信用代码 (organization) or 身份证号 (individual), 122号 第九条")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["organization", "individual"]
    national_grade: Literal["A", "B", "C", "D"] | None = Field(
        default=None, description="国家信用评价等级 (122号 第六条 基础信用信息); null = none → base 500")
    industries: list[Annotated[str, Field(max_length=INDUSTRY_CODE_MAX)]] = Field(
        default_factory=list, max_length=SUBJECT_INDUSTRIES_MAX,
        description=f"industry codes (at most {SUBJECT_INDUSTRIES_MAX})")
    grade_effective_on: Day | None = Field(
        default=None, description="the day the national level applies from (default: today); 122号 Art.13, G1-15")
    grade_source: str | None = Field(default=None, max_length=200, description="where the level comes from")


class NationalGradeIn(BaseModel):
    """A dated national credit level (国家信用评价等级, 122号 Art.6 基础信用信息): added, never overwriting; the base
    of a period is the level effective on its first day (Art.13; G1-15: a mid-period change applies next period)."""

    model_config = ConfigDict(extra="forbid")
    grade: Literal["A", "B", "C", "D"] | None = Field(description="null: no national level (base 500, Art.15)")
    effective_on: Day
    source: str = Field(min_length=1, max_length=200, description="e.g. 信用中国 2026年第1批")


class NationalGradeOut(BaseModel):
    id: int
    grade: str | None
    effective_on: date
    source: str | None
    recorded_at: str


class LookupNotice(BaseModel):
    """事前信用预警 (122号 Art.8 last paragraph): what every lookup of a subject shows besides its own data, e.g. an
    open or broken commitment. The domains above subjects add them (subjects.service.register_lookup_notices)."""

    kind: str = Field(description="e.g. commitment")
    id: int
    state: str = Field(description="e.g. open, overdue, breached")
    title: str
    due_on: date | None
    link: str = Field(description="where the details are, e.g. /api/v1/commitments?subject=…")


class SubjectOut(BaseModel):
    """A subject as shown to its reader: an individual's resident ID masked unless the reader may see it (G1-17)."""

    code: str
    name: str
    kind: str
    national_grade: str | None
    industries: list[str]


class SubjectLookupOut(SubjectOut):
    """GET /subjects/{code}: the subject and what every lookup of it shows (事前信用预警, 122号 Art.8)."""

    notices: list[LookupNotice] = Field(description="e.g. the subject's open and broken commitments")
