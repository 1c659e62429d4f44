"""Response bodies of the evaluation API (122号 第十三条至第十六条, 第十九条 可追溯)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from ..reference.framework import Notice
from ..subjects.schemas import SubjectOut


class FuseReasonOut(BaseModel):
    """Why the evaluation is fused to D (122号 第十六条): the records of the period that fire it, and the
    conditions that still hold on the evaluation day (a listing, an unperformed refusal; G1-05)."""

    article: str = Field(description="the fuse article, e.g. 122号 第十六条(一)")
    record_ids: list[int]
    listing_ids: list[int] = Field(description="memberships of a list that fires this fuse (X-02)")


class ComponentsOut(BaseModel):
    general_bonus: int
    general_deduction: int
    industry_bonus: int
    industry_deduction: int


class LineOut(BaseModel):
    """One record in the explanation. A record that scores nothing (an act before the measures took effect,
    122号 Art.28; an item not in the standards in force) carries `points: 0`, `applied: 0`, `article: null` and
    the reason in `note_zh` / `note_en`; the other lines have no note."""

    record_id: int
    item: str
    points: int = Field(description="the item's points, negative for a deduction")
    applied: int = Field(description="what counted after the per-period caps and budgets (122号 Art.11(2))")
    article: str | None
    note_zh: str | None = None
    note_en: str | None = None


class EvaluationOut(BaseModel):
    """The evaluation of one subject in one scope (general or an industry) on `as_of`, with every record that
    counted (第十九条 可追溯). `warnings`: e.g. the measures expiring or lapsed (122号 Art.28)."""

    subject: str
    industry: str | None = Field(description="null: the general evaluation")
    as_of: date
    standard_version: str
    base_score: int = Field(description="from the national level effective on the period's first day (第十三条)")
    score: int
    grade: str
    level: str
    fused: bool
    fuse_reasons: list[FuseReasonOut]
    components: ComponentsOut
    lines: list[LineOut]
    warnings: list[Notice]


class StoredEvaluationOut(BaseModel):
    """The stored current evaluation of a subject in one scope (refreshed daily and on every change)."""

    scope: str
    score: int
    grade: str
    level: str
    fused: bool
    as_of: date


class SubjectListItemOut(SubjectOut):
    evaluation: StoredEvaluationOut | None


class SubjectListOut(BaseModel):
    total: int
    items: list[SubjectListItemOut]


class DistributionOut(BaseModel):
    """Grades and levels of the stored current evaluations in one scope (the names of parameters.yaml)."""

    scope: str
    total: int
    grades: dict[str, int]
    levels: dict[str, int]
    fused: int


class ScoreCount(BaseModel):
    score: int
    count: int


class ScoreCountsOut(BaseModel):
    """How many subjects hold each score in one scope (the dashboard's score histogram bins these)."""

    scope: str
    total: int
    scores: list[ScoreCount]


# --- what-if impact of a standard version (122号 Art.12) ---

class ScoreLevelOut(BaseModel):
    score: int
    level: str


class ImpactSubjectOut(BaseModel):
    subject: str
    industry: str | None
    before: ScoreLevelOut
    after: ScoreLevelOut


class ImpactDistributionOut(BaseModel):
    before: dict[str, int]
    after: dict[str, int]


class ImpactOut(BaseModel):
    version: str
    as_of: str
    replaces: str | None
    total: int
    changed: int
    transitions: dict[str, int]
    distribution: ImpactDistributionOut
    subjects: list[ImpactSubjectOut]
