"""Response bodies of the public portal's JSON (GET /api/v1/public/...). Nothing here carries a whole resident ID
number (spec G1-17): an individual is shown masked and reached through an opaque `ref`."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class PublicGradeOut(BaseModel):
    """The subject's evaluation in one scope, computed at read time (122号 Art.13 实时更新)."""

    scope: str = Field(description='"general" (通用评价) or an industry code')
    scope_name: str = Field(description="通用评价 or the industry's name")
    score: int
    grade: str = Field(description="four classes A-D (122号 Art.14)")
    level: str = Field(description="nine levels (122号 Art.15)")
    fused: bool = Field(description="熔断: level D whatever the score (122号 Art.16)")
    standard_version: str
    as_of: date


class PublicRecordOut(BaseModel):
    """A record as the public sees it: in effect, not withdrawn or repaired (122号 Art.18; spec G1-17)."""

    id: int = Field(description="the record's id (a subject's own account names it when it objects)")
    item: str
    item_name: str
    polarity: str | None = Field(description="good 加分 | bad 减分 (null: not in the catalogue)")
    act_date: date
    department: str
    department_name: str
    decision_no: str | None
    under_objection: bool = Field(description="an objection to it is open (122号 Art.18); it still counts (G1-07)")
    shown_until: date | None = Field(default=None, description="公示截止日: the last day the portal shows this bad "
                                     "record (its display period by record type, spec G1-17); null: without end")


class PublicSubjectSummaryOut(BaseModel):
    ref: str = Field(description="what /api/v1/public/subjects/{ref} takes: an organisation's code, an opaque key "
                                 "for an individual")
    code: str = Field(description="统一社会信用代码, or 身份证号 masked (G1-17)")
    name: str
    kind: str
    grade: str | None = Field(description="the general evaluation's grade as last stored (null: not evaluated yet)")
    level: str | None


class PublicSubjectListOut(BaseModel):
    total: int
    items: list[PublicSubjectSummaryOut]


class PublicSubjectOut(BaseModel):
    ref: str
    code: str
    name: str
    kind: str
    grades: list[PublicGradeOut] = Field(description="general first, then each industry the subject is evaluated in")
    records: list[PublicRecordOut] = Field(description="newest first")
    records_total: int = Field(description="how many public records there are (the list holds at most 200)")


class PublicStandardOut(BaseModel):
    version: str
    family: str
    industry: str | None
    name: str
    status: str = Field(description="in_force | approved (in force from effective_date) | consultation")
    consultation_start: str | None
    consultation_end: str | None
    open_for_comments: bool = Field(description="today is inside the consultation (122号 Art.12)")
    effective_date: str | None


class PublicAccountOut(BaseModel):
    """The signed-in subject account (122号 Art.18: the subject identifies itself before filing)."""

    username: str
    ref: str
    code: str = Field(description="its own code, whole (it is the subject's own account)")
    name: str
    kind: str
