"""Request and response shapes of the subjects API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(description="统一社会信用代码 (organization) or 身份证号 (individual), 122号 第九条")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["organization", "individual"]
    national_grade: Literal["A", "B", "C", "D"] | None = Field(
        default=None, description="国家信用评价等级 (122号 第六条 基础信用信息); null = none → base 500")
    industries: list[str] = Field(default_factory=list)


class SubjectOut(BaseModel):
    code: str
    name: str
    kind: str
    national_grade: str | None
    industries: list[str]
