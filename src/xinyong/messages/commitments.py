"""Events of the commitments domain (信用承诺, 122号 Art.8 last paragraph; 122号 Art.7(2), 122号 Art.16(3)).

Every step of a commitment is a fact of the subject's electronic credit archive (122号 Art.19): made, the notice
after its due day (事前信用预警 → 事后结果运用), fulfilled, breached. A breach is also shared downstream
(44号 Task 14 及时共享): it turns the grade to D (第十六条(三)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.events import Change, Shared, SubjectFact

COMMITMENT_MADE = "commitment_made"
COMMITMENT_OVERDUE = "commitment_overdue"
COMMITMENT_FULFILLED = "commitment_fulfilled"
COMMITMENT_BREACHED = "commitment_breached"


@dataclass(frozen=True)
class CommitmentMade(SubjectFact):
    commitment_id: int
    content: str
    made_on: str
    due_on: str
    licence_ref: str
    department: str
    by: str

    archive_kind = COMMITMENT_MADE

    @property
    def summary(self) -> str:
        return f"作出信用承诺 #{self.commitment_id}（{self.licence_ref}，{self.due_on}前履行）：{self.content[:60]}"

    def payload(self) -> dict[str, Any]:
        return {"commitment_id": self.commitment_id, "content": self.content, "made_on": self.made_on,
                "due_on": self.due_on, "licence_ref": self.licence_ref, "department": self.department,
                "by": self.by}


@dataclass(frozen=True)
class CommitmentOverdue(SubjectFact):
    """The notice sent the day after the due day: the grace runs from it (commitments.yaml)."""

    commitment_id: int
    due_on: str
    notice_on: str
    grace_ends_on: str

    archive_kind = COMMITMENT_OVERDUE

    @property
    def summary(self) -> str:
        return f"信用承诺 #{self.commitment_id} 到期（{self.due_on}）未履行，已提醒，宽限至 {self.grace_ends_on}"

    def payload(self) -> dict[str, Any]:
        return {"commitment_id": self.commitment_id, "due_on": self.due_on, "notice_on": self.notice_on,
                "grace_ends_on": self.grace_ends_on}


@dataclass(frozen=True)
class CommitmentFulfilled(SubjectFact):
    commitment_id: int
    fulfilled_on: str
    evidence: str
    by: str

    archive_kind = COMMITMENT_FULFILLED

    @property
    def summary(self) -> str:
        return f"信用承诺 #{self.commitment_id} 已履行（{self.fulfilled_on}）"

    def payload(self) -> dict[str, Any]:
        return {"commitment_id": self.commitment_id, "fulfilled_on": self.fulfilled_on, "evidence": self.evidence,
                "by": self.by}


@dataclass(frozen=True)
class CommitmentBreached(SubjectFact, Shared):
    """未履行承诺或做出虚假承诺 (122号 Art.7(2)): the credit record entered for it fires 第十六条(三).
    `automatic`: entered by the daily job when the grace ended (no one applied or decided it)."""

    commitment_id: int
    breached_on: str
    reason: str
    record_id: int
    automatic: bool
    by: str

    archive_kind = COMMITMENT_BREACHED

    @property
    def summary(self) -> str:
        how = "（系统自动认定）" if self.automatic else ""
        return f"信用承诺 #{self.commitment_id} 违诺{how}，记录 #{self.record_id}：{self.reason}"

    def payload(self) -> dict[str, Any]:
        return {"commitment_id": self.commitment_id, "breached_on": self.breached_on, "reason": self.reason,
                "record_id": self.record_id, "automatic": self.automatic, "by": self.by}

    def changes(self) -> list[Change]:
        return [Change(COMMITMENT_BREACHED, self.subject_code, {
            "commitment_id": self.commitment_id, "breached_on": self.breached_on, "reason": self.reason,
            "record_id": self.record_id, "automatic": self.automatic})]
