"""Events of the cases domain: objection and credit-repair cases (异议处理及信用修复, 122号 Art.18; spec D1-36).

Every step is a SubjectFact, appended to the subject's archive (122号 Art.19 全流程可追溯); the outcome
(`CaseResolved`) is also shared downstream (44号 Task 14 信用修复信息及时共享).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.events import Change, Shared, SubjectFact

CASE_RESOLVED = "case_resolved"

KIND_ZH = {"objection": "异议", "repair": "信用修复"}


@dataclass(frozen=True)
class CaseFact(SubjectFact):
    """A step of a case: who moved it, when, and the deadline of the next step (None when there is none)."""

    case_id: int
    by: str
    at: str
    due_on: str | None

    def payload(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "by": self.by, "at": self.at, "due_on": self.due_on, **self.details()}

    def details(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class CaseFiled(CaseFact):
    kind: str  # objection | repair
    record_id: int | None
    listing_id: int | None
    industry: str | None
    channel: str
    statement: str

    archive_kind = "case_filed"

    @property
    def summary(self) -> str:
        target = (f"记录 #{self.record_id}" if self.record_id else f"名单记录 #{self.listing_id}" if self.listing_id
                  else f"{self.industry} 评价结果")
        return f"受理{KIND_ZH.get(self.kind, self.kind)}申请 #{self.case_id}（{target}）"

    def details(self) -> dict[str, Any]:
        return {"kind": self.kind, "record_id": self.record_id, "listing_id": self.listing_id,
                "industry": self.industry, "channel": self.channel, "statement": self.statement}


@dataclass(frozen=True)
class CaseRouted(CaseFact):
    department: str

    archive_kind = "case_routed"

    @property
    def summary(self) -> str:
        return f"案件 #{self.case_id} 转办 {self.department}"

    def details(self) -> dict[str, Any]:
        return {"department": self.department}


@dataclass(frozen=True)
class CaseAccepted(CaseFact):
    department: str

    archive_kind = "case_accepted"

    @property
    def summary(self) -> str:
        return f"案件 #{self.case_id} 由 {self.department} 接收核实"

    def details(self) -> dict[str, Any]:
        return {"department": self.department}


@dataclass(frozen=True)
class CaseExtended(CaseFact):
    reason: str

    archive_kind = "case_extended"

    @property
    def summary(self) -> str:
        return f"案件 #{self.case_id} 核实期限延长至 {self.due_on}：{self.reason}"

    def details(self) -> dict[str, Any]:
        return {"reason": self.reason}


@dataclass(frozen=True)
class CaseOpinionIssued(CaseFact):
    department: str
    outcome: str  # upheld | rejected
    opinion: str
    remedy: str | None  # withdraw | correct (an upheld objection to a record)

    archive_kind = "case_opinion_issued"

    @property
    def summary(self) -> str:
        zh = "成立" if self.outcome == "upheld" else "不成立"
        return f"案件 #{self.case_id} 出具审核意见（{zh}）：{self.opinion}"

    def details(self) -> dict[str, Any]:
        return {"department": self.department, "outcome": self.outcome, "opinion": self.opinion,
                "remedy": self.remedy}


@dataclass(frozen=True)
class CaseReported(CaseFact):
    archive_kind = "case_reported"

    @property
    def summary(self) -> str:
        return f"案件 #{self.case_id} 审核意见已反馈市信用主管部门"


@dataclass(frozen=True)
class CaseResolved(CaseFact, Shared):
    """The outcome: repaired (the opinion upheld the application, its effects applied) or rejected."""

    kind: str
    state: str  # repaired | rejected
    outcome: str
    remedy: str | None
    record_id: int | None
    new_record_id: int | None  # the corrected version, when the remedy corrected the record
    listing_id: int | None
    industry: str | None

    archive_kind = "case_resolved"

    @property
    def summary(self) -> str:
        zh = "已修复" if self.state == "repaired" else "不予支持"
        return f"案件 #{self.case_id}（{KIND_ZH.get(self.kind, self.kind)}）办结：{zh}"

    def details(self) -> dict[str, Any]:
        return {"kind": self.kind, "state": self.state, "outcome": self.outcome, "remedy": self.remedy,
                "record_id": self.record_id, "new_record_id": self.new_record_id, "listing_id": self.listing_id,
                "industry": self.industry}

    def changes(self) -> list[Change]:
        return [Change(CASE_RESOLVED, self.subject_code, {"case_id": self.case_id, "at": self.at, **self.details()})]


@dataclass(frozen=True)
class CaseClosed(CaseFact):
    archive_kind = "case_closed"

    @property
    def summary(self) -> str:
        return f"案件 #{self.case_id} 结案"


@dataclass(frozen=True)
class CaseEvidenceAttached(CaseFact):
    sha256: str
    name: str
    size: int
    media_type: str

    archive_kind = "case_evidence_attached"

    @property
    def summary(self) -> str:
        return f"案件 #{self.case_id} 附证明材料 {self.name}（{self.size} 字节）"

    def details(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "name": self.name, "size": self.size, "media_type": self.media_type}
