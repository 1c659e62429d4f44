"""Request and response bodies of 分级分类监管 (122号 Art.17, 122号 Art.20–26)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors_http import Day, Instant

Kind = Literal["punishment", "incentive"]
Grade = Literal["A", "B", "C", "D"]
Level = Literal["A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D"]
Process = Literal["administrative_approval", "qualification_review", "procurement_bidding", "award",
                  "standard_drafting", "land_transaction", "inspection"]


class MeasuresEntryIn(BaseModel):
    """One line of a measures list (122号 Art.24: 信用等级, 监管应用事项, 措施依据, 实施类别, 实施部门)."""

    model_config = ConfigDict(extra="forbid")
    grade: Grade = Field(description="信用等级 (four classes)")
    level: Level | None = Field(None, description="optional nine-level override within the grade (G1-10)")
    process: Process = Field(description="the process the line is applied in (122号 Art.25)")
    item: str = Field(min_length=1, max_length=2000, description="监管应用事项")
    basis: str = Field(min_length=1, max_length=2000, description="措施依据")
    category: str = Field(min_length=1, max_length=100, description="实施类别")
    department: str = Field(min_length=1, max_length=100, description="实施部门 (a department code or name)")
    inspection_factor: float | None = Field(
        None, gt=0, le=100, description="inspection lines: factor of C's routine ratio (G1-09); default per grade")


class MeasuresListIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    industry: str = Field(min_length=1, max_length=40, description='an industry code, or "general" (统筹部门)')
    kind: Kind
    note: str | None = Field(None, max_length=2000)
    entries: list[MeasuresEntryIn] = Field(min_length=1, max_length=500)


class MeasuresEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=2000)
    entries: list[MeasuresEntryIn] = Field(min_length=1, max_length=500)


class FileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    effective_from: Day | None = Field(None, description="in force from this day (default: the filing day)")


class MeasuresEntryOut(BaseModel):
    grade: str
    level: str | None
    process: str
    item: str
    basis: str
    category: str
    department: str
    inspection_factor: float | None


class MeasuresListOut(BaseModel):
    id: int
    industry: str
    kind: str
    version: int
    status: str = Field(description="draft | approved | filed (not yet in force) | in_force | superseded, on `on`")
    on: date
    note: str | None
    drafted_by: str
    drafted_department: str | None
    created_at: Instant
    approved_by: str | None
    approved_at: Instant | None
    filed_by: str | None
    filed_at: Instant | None
    effective_from: date | None
    update_due: date | None = Field(description="122号 Art.24 原则上每年更新一次: 12 months after effective_from")
    stale: bool = Field(description="in force on `on` and at least 12 months old (122号 Art.24)")
    entries: list[MeasuresEntryOut]


class PublicMeasureOut(BaseModel):
    industry: str
    list_id: int
    version: int
    grade: str
    level: str | None
    process: str
    item: str
    basis: str
    category: str
    department: str


class PublicMeasuresOut(BaseModel):
    kind: str
    name: str
    on: date
    lists: list[dict[str, Any]]
    entries: list[PublicMeasureOut]


class DecisionMeasureOut(BaseModel):
    kind: str
    item: str
    basis: str
    category: str
    department: str
    grade: str
    level: str | None
    industry: str
    list_id: int


class DecisionWarningOut(BaseModel):
    code: str
    reason_zh: str
    reason_en: str
    ref: str | None = None


class DecisionOut(BaseModel):
    subject: str
    name: str
    process: str
    industry: str | None = Field(description="the evaluation used: the industry's composite, or null = general")
    as_of: date
    score: int
    grade: str
    level: str
    fused: bool
    measures: list[DecisionMeasureOut]
    warnings: list[DecisionWarningOut]
    log_id: int


class DecisionLogOut(BaseModel):
    id: int
    at: Instant
    actor: str
    role: str
    department: str | None
    channel: str
    subject: str
    process: str
    industry: str | None
    grade: str
    level: str
    fused: bool
    measures: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    purpose: str | None
    legal_basis: str | None


class DecisionLogPageOut(BaseModel):
    total: int
    items: list[DecisionLogOut]


class RankingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    industry: str = Field(min_length=1, max_length=40)
    as_of: Day


class RankingEntryOut(BaseModel):
    rank: int
    subject: str
    name: str
    score: int
    grade: str
    level: str
    fused: bool


class StaffRankingEntryOut(RankingEntryOut):
    bad_records: int = Field(description="counting bad records in [period_start, as_of] (the first tie-break)")
    last_bad_on: date | None


class RankingOut(BaseModel):
    id: int
    industry: str
    as_of: date
    period_start: date
    status: str
    month: str | None
    created_by: str
    approved_by: str | None
    approved_at: Instant | None
    entries: list[StaffRankingEntryOut]


class PublicRankingOut(BaseModel):
    id: int
    industry: str
    as_of: date
    status: str
    approved_at: Instant | None
    entries: list[RankingEntryOut]
