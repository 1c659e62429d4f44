"""Events of the inspections domain (监督检查: 122号 Art.22, 122号 Art.25; 44号 Task 12 "无事不扰" 白名单).

A whitelist entry and its removal, and every recorded inspection, belong in the subject's electronic credit
archive (122号 Art.19 全流程可追溯); a drawn plan is one fact about many subjects and is kept whole in its own row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.events import Event, SubjectFact

WHITELIST_ENTERED = "whitelist_entered"
WHITELIST_REMOVED = "whitelist_removed"
INSPECTION_RECORDED = "inspection_recorded"


@dataclass(frozen=True)
class WhitelistEntered(SubjectFact):
    """纳入"无事不扰"白名单: by rule (the quarterly review, spec G3-02) or by hand with a reason."""

    entry_id: int
    industry: str
    basis: str  # rule | manual
    reason: str
    added_on: str
    by: str

    archive_kind = WHITELIST_ENTERED

    @property
    def summary(self) -> str:
        return f"纳入无事不扰白名单（{self.industry}，{self.added_on}起）：{self.reason}"

    def payload(self) -> dict[str, Any]:
        return {"entry_id": self.entry_id, "industry": self.industry, "basis": self.basis, "reason": self.reason,
                "added_on": self.added_on, "by": self.by}


@dataclass(frozen=True)
class WhitelistRemoved(SubjectFact):
    """移出白名单: automatically on a bad record or a listing, at the review, or by hand with a reason."""

    entry_id: int
    industry: str
    cause: str  # bad_record | listing | review | manual
    reason: str
    removed_on: str
    by: str

    archive_kind = WHITELIST_REMOVED

    @property
    def summary(self) -> str:
        return f"移出无事不扰白名单（{self.industry}，{self.removed_on}起）：{self.reason}"

    def payload(self) -> dict[str, Any]:
        return {"entry_id": self.entry_id, "industry": self.industry, "cause": self.cause, "reason": self.reason,
                "removed_on": self.removed_on, "by": self.by}


@dataclass(frozen=True)
class InspectionPlanDrawn(Event):
    """A plan was drawn (122号 Art.25 监督检查计划); its population, seed and draw are stored whole and never change."""

    plan_id: int
    department: str
    industry: str
    seed: str
    digest: str
    drawn: int


@dataclass(frozen=True)
class InspectionRecorded(SubjectFact):
    """An inspection was carried out (检查结果): on site or off site, with its exception code when the subject was
    on the whitelist (44号 Task 12), and the credit record it flowed back as (122号 Art.7 行政检查)."""

    inspection_id: int
    plan_id: int | None
    department: str
    kind: str  # on_site | off_site
    date: str
    result: str  # pass | fail
    whitelisted: bool
    exception_code: str | None
    record_id: int | None

    archive_kind = INSPECTION_RECORDED

    @property
    def summary(self) -> str:
        kind = "现场检查" if self.kind == "on_site" else "非现场检查"
        result = "合格" if self.result == "pass" else "不合格"
        return f"{self.department} {self.date} {kind}：{result}"

    def payload(self) -> dict[str, Any]:
        return {"inspection_id": self.inspection_id, "plan_id": self.plan_id, "department": self.department,
                "kind": self.kind, "date": self.date, "result": self.result, "whitelisted": self.whitelisted,
                "exception_code": self.exception_code, "record_id": self.record_id}
