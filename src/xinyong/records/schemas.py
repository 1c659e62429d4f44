"""Request and response shapes of the records API (122号 第八条 信息归集)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from ..errors_http import Day, ProblemOut


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field(description="subject code (统一社会信用代码 or 身份证号)")
    item: str = Field(description="catalogue item code (归集目录, 第七条)")
    act_date: Day = Field(description="date the administrative act was made (行政行为作出日期)")
    department: str = Field(description="department code of the reporting department (谁生成、谁录入、谁负责)")
    source_ref: str = Field(min_length=1, max_length=200, description="reference in the source system, e.g. 决定书文号")
    note: str | None = Field(default=None, max_length=2000)
    decision_no: str | None = Field(default=None, min_length=1, max_length=100,
                                    description="文书编号: with the department and item, identifies one decision (G1-16)")
    info_class: str | None = Field(default=None, max_length=12,
                                   description="信息类别 (122号 Art.6): basic | planning | related; default from the item")
    admin_category: str | None = Field(default=None, max_length=40,
                                       description="行政类别 (122号 Art.7), e.g. administrative_penalty; default from the item")
    accident_grade: str | None = Field(default=None, max_length=8,
                                       description="生产安全事故等级 (国务院令第493号): 一般 | 较大 | 重大 | 特别重大")
    closes: int | None = Field(default=None, ge=1, le=2**31 - 1,
                               description="id of an earlier refusal to perform (122号 Art.16(2)) this record closes")
    effect_ends_on: Day | None = Field(
        default=None, description="last day the record has effect (e.g. the end of its 公示期); after it the record is "
                                  "withdrawn automatically as a repair (44号 Task 14 自动修复)")


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[dict] = Field(max_length=10_000)  # type: ignore[type-arg]  # validated one by one


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)
    # error: 工作中发现的错误 (第十条); objection: 异议核实后撤销, repair: 信用修复 (第十八条) — the last two are
    # hidden from public views but stay in the archive (spec G1-17)
    kind: Literal["error", "objection", "repair"] = "error"


class CorrectIn(BaseModel):
    """信息纠错 (122号 第十条): the fields to change; unnamed fields keep the old version's value."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, description="why the record is corrected (纠错原因)")
    authority_ref: str | None = Field(default=None, max_length=200,
                                      description="authorising reference, e.g. 审核意见文号 (spec D1-19)")
    item: str | None = Field(default=None, description="corrected catalogue item code")
    act_date: Day | None = Field(default=None, description="corrected date of the administrative act")
    department: str | None = Field(default=None, description="corrected department code")
    note: str | None = Field(default=None, max_length=2000)
    source_ref: str | None = Field(default=None, min_length=1, max_length=200,
                                   description="reference of the new version; default: the old one + #v<n>")


# --- response bodies -----------------------------------------------------------------------------------------------

# The subject's evaluation in the record's scope, as re-evaluated in the same unit of work (122号 Art.13 实时更新).
# Its shape is the evaluation domain's `EvaluationOut` (GET /subjects/{code}/evaluation); that domain sits above
# records, so the schema is named here rather than imported, and the body passes through unchanged.
EvaluationBody = Annotated[
    dict[str, Any] | None,
    WithJsonSchema({"anyOf": [{"$ref": "#/components/schemas/EvaluationOut"}, {"type": "null"}],
                    "description": "the evaluation in the record's scope after this change (EvaluationOut)"}),
]


class RecordOut(BaseModel):
    """One version of a record as stored (122号 第八条, 第十条)."""

    id: int
    subject: str = Field(description="subject code, masked for an individual unless the reader may see it")
    item: str
    act_date: date
    department: str
    source_ref: str
    note: str | None
    due_date: date = Field(description="last day to enter it: act date + 5 working days (122号 Art.8(1))")
    due_provisional: bool = Field(description="the holiday calendar of that year is not loaded yet")
    late: bool
    status: str = Field(description="active | withdrawn | superseded | duplicate")
    entered_at: str
    entered_by: str
    channel: str = Field(description="interface (系统对接) | manual (人工录入) | import")
    supersedes: int | None = Field(description="the earlier version this one corrects (122号 第十条)")
    decision_no: str | None
    info_class: str | None = Field(description="信息类别 (122号 Art.6)")
    admin_category: str | None = Field(description="行政类别 (122号 Art.7)")
    accident_grade: str | None
    closes: int | None = Field(description="the refusal to perform (122号 Art.16(2)) this record closes")
    effect_ends_on: date | None = Field(description="last day of the record's effect (44号 Task 14 自动修复)")


class RecordEvaluatedOut(RecordOut):
    """A record just entered, withdrawn or corrected, with the evaluation it leads to."""

    evaluation: EvaluationBody


class CorrectionOut(BaseModel):
    reason: str
    authority_ref: str | None
    by: str
    at: str


class WithdrawalOut(BaseModel):
    kind: str = Field(description="error | objection | repair")
    reason: str
    by: str
    at: str


class CorrectedOut(RecordEvaluatedOut):
    """The new version made by a correction (信息纠错, 122号 第十条)."""

    correction: CorrectionOut


class RecordRowOut(RecordOut):
    """A record in a subject's history; `withdrawal` and `correction` only for staff roles, and only when the
    record was withdrawn or corrected; `under_objection` only while an objection to it is open."""

    superseded_by: int | None
    duplicate_of: int | None = Field(description="the record that counts for the same decision (G1-16)")
    under_objection: bool = Field(default=False, description="present (true) only while an objection case to it is "
                                                             "open (122号 Art.18); it still counts (spec G1-07)")
    withdrawal: WithdrawalOut | None = None
    correction: CorrectionOut | None = None


class BulkSummaryOut(BaseModel):
    created: int
    existing: int
    rejected: int


class BulkResultOut(BaseModel):
    """One record of a bulk request: `record` when taken (201 / 200), `errors` when refused."""

    index: int
    status: int
    errors: list[ProblemOut] | None = None
    record: RecordEvaluatedOut | None = None


class BulkOut(BaseModel):
    summary: BulkSummaryOut
    results: list[BulkResultOut]


class ChannelCountOut(BaseModel):
    records: int
    late: int


class LatenessRowOut(BaseModel):
    department: str
    name: str
    records: int
    late: int
    assessed: int = Field(description="manual and imported records (interface records are never late)")
    provisional: int
    by_channel: dict[str, ChannelCountOut]
    late_rate: float


class LatenessOut(BaseModel):
    """逾期填报统计 (122号 Art.8(1)) of one year, by department."""

    year: int
    departments: list[LatenessRowOut]
    records: int
    assessed: int
    late: int
