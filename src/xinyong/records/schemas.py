"""Request shapes of the records API (122号 第八条 信息归集)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field(description="subject code (统一社会信用代码 or 身份证号)")
    item: str = Field(description="catalogue item code (归集目录, 第七条)")
    act_date: date = Field(description="date the administrative act was made (行政行为作出日期)")
    department: str = Field(description="department code of the reporting department (谁生成、谁录入、谁负责)")
    source_ref: str = Field(min_length=1, max_length=200, description="reference in the source system, e.g. 决定书文号")
    note: str | None = Field(default=None, max_length=2000)


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[dict] = Field(max_length=10_000)  # type: ignore[type-arg]  # validated one by one


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)
