"""Request and response bodies of the cases API (异议处理及信用修复, 122号 Art.18; spec D1-36, G1-07)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors_http import Day

_ID = {"ge": 1, "le": 2**31 - 1}


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["objection", "repair"] = Field(description="objection 异议 | repair 信用修复 (122号 Art.18)")
    subject: str = Field(min_length=1, max_length=40, description="USCC or resident ID number of the subject")
    record_id: int | None = Field(default=None, description="the record objected to or to repair (D1-36(b), (c))",
                                  **_ID)
    listing_id: int | None = Field(default=None, description="a listing (名单) objected to or to repair", **_ID)
    industry: str | None = Field(default=None, max_length=40,
                                 description='an evaluation result objected to: "general" or an industry code '
                                             "(D1-36(a))")
    statement: str = Field(min_length=1, max_length=5000, description="the application: what and why (申请事项及理由)")
    channel: Literal["credit_china_beijing", "commission", "portal"] | None = Field(
        default=None, description="信用中国(北京) | 市规划自然资源委 | portal (the subject's own account; set for it)")


class RouteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department: str = Field(min_length=1, max_length=40, description="the business department or branch (分局)")


class ExtendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, description="why the opinion needs more time")


class CorrectionFields(BaseModel):
    """What the correction of an upheld objection changes in the record (信息纠错, 122号 Art.10)."""

    model_config = ConfigDict(extra="forbid")
    item: str | None = None
    act_date: Day | None = None
    note: str | None = Field(default=None, max_length=2000)


class OpinionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["upheld", "rejected"] = Field(description="upheld 成立 | rejected 不成立")
    opinion: str = Field(min_length=1, max_length=5000, description="审核意见")
    remedy: Literal["withdraw", "correct"] | None = Field(
        default=None, description="an upheld objection to a record: withdraw it or correct it (then `correction`)")
    correction: CorrectionFields | None = None


class StepOut(BaseModel):
    state: str
    at: str
    by: str
    note: str | None


class CaseEvidenceOut(BaseModel):
    id: int
    sha256: str
    name: str
    size: int
    media_type: str
    uploaded_by: str
    uploaded_at: str


class CaseOut(BaseModel):
    """A case with its timeline; `due_on` is the deadline of the current step (working days, spec G1-07)."""

    id: int
    kind: str
    subject: str = Field(description="subject code, masked for an individual unless the reader may see it")
    subject_name: str
    record_id: int | None
    listing_id: int | None
    industry: str | None
    statement: str
    channel: str
    state: str
    state_zh: str
    department: str | None
    received_on: date
    due_on: date | None
    due_provisional: bool
    overdue: bool
    extended: bool
    extension_reason: str | None
    outcome: str | None
    opinion: str | None
    remedy: str | None
    correction: dict[str, str | None] | None
    result_record_id: int | None = Field(description="the corrected version of the record, when corrected")
    filed_by: str
    filed_at: str
    steps: list[StepOut]
    evidence: list[CaseEvidenceOut]
