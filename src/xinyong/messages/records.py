"""Events of the records domain (信用信息归集, 122号 Art.8, 122号 Art.10, 122号 Art.18)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.events import Change, Shared, SubjectFact

RECORD_ENTERED = "record_entered"
RECORD_WITHDRAWN = "record_withdrawn"
RECORD_CORRECTED = "record_corrected"
RECORD_DUPLICATE_LINKED = "record_duplicate_linked"
RECORD_REPAIRED = "record_repaired"  # shared downstream: a repair or an upheld objection (44号 Task 14)


@dataclass(frozen=True)
class RecordEntered(SubjectFact):
    record_id: int
    item: str
    item_name: str
    industry: str | None  # the item's industry: the subject is enrolled in it (G1-04)
    facts: dict[str, Any]  # records.service.record_facts: what `archive verify` compares with the live row

    archive_kind = RECORD_ENTERED

    @property
    def summary(self) -> str:
        return f"录入记录 #{self.record_id} {self.item} {self.item_name}"

    def payload(self) -> dict[str, Any]:
        return {"record_id": self.record_id, **self.facts}


@dataclass(frozen=True)
class RecordWithdrawn(SubjectFact, Shared):
    record_id: int
    reason: str
    kind: str  # error | objection | repair
    by: str
    at: str
    rule: str | None = None  # an automatic repair (no application): the rule that removed it, e.g. 44号 Task 14

    archive_kind = RECORD_WITHDRAWN

    @property
    def summary(self) -> str:
        return f"撤销记录 #{self.record_id}：{self.reason}"

    def payload(self) -> dict[str, Any]:
        out = {"record_id": self.record_id, "reason": self.reason, "kind": self.kind, "by": self.by, "at": self.at}
        if self.rule is not None:  # only when set: entries archived before the field verify unchanged
            out |= {"automatic": True, "rule": self.rule}
        return out

    def changes(self) -> list[Change]:
        """A repair or an upheld objection is shared (44号 Task 14 信用修复信息及时共享); a withdrawn input error
        was never a credit fact to share."""
        if self.kind == "error":
            return []
        return [Change(RECORD_REPAIRED, self.subject_code, {"record_id": self.record_id, "kind": self.kind,
                                                            "reason": self.reason, "at": self.at,
                                                            "automatic": self.rule is not None, "rule": self.rule})]


@dataclass(frozen=True)
class RecordCorrected(SubjectFact):
    record_id: int  # the new version
    supersedes: int
    item: str
    item_name: str
    industry: str | None
    facts: dict[str, Any]
    reason: str
    authority_ref: str | None
    by: str
    at: str

    archive_kind = RECORD_CORRECTED

    @property
    def summary(self) -> str:
        return f"更正记录 #{self.supersedes} → #{self.record_id} {self.item} {self.item_name}：{self.reason}"

    def payload(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "supersedes": self.supersedes, **self.facts, "reason": self.reason,
                "authority_ref": self.authority_ref, "by": self.by, "at": self.at}


@dataclass(frozen=True)
class RecordDuplicateLinked(SubjectFact):
    """Spec G1-16: the record is the same decision as another; it stays, linked, and counts no more."""

    record_id: int
    duplicate_of: int
    decision_no: str
    reason: str

    archive_kind = RECORD_DUPLICATE_LINKED

    @property
    def summary(self) -> str:
        return f"记录 #{self.record_id} 与 #{self.duplicate_of} 为同一决定（{self.decision_no}），不重复计分"

    def payload(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "duplicate_of": self.duplicate_of, "decision_no": self.decision_no,
                "reason": self.reason}


@dataclass(frozen=True)
class RecordsEntered(Shared):
    """A chunk of a bulk intake (records/bulk.py): the facts the single path publishes one record at a time —
    RecordEntered, then RecordDuplicateLinked and SubjectEnrolled when they follow — in the order it would publish
    them, each subject's rows in row order. Archived in one go (122号 Art.19), enrolled in bulk (G1-04), reacted to
    once per chunk (whitelist, 44号 Task 12). Not kept once handled (a chunk's facts do not stay in `uow.handled`
    for the rest of a unit of work that takes many chunks)."""

    kept = False
    facts: list[SubjectFact]

    def entered(self) -> Sequence[RecordEntered]:
        return [f for f in self.facts if isinstance(f, RecordEntered)]

    def changes(self) -> list[Change]:
        return [c for f in self.facts if isinstance(f, Shared) for c in f.changes()]
