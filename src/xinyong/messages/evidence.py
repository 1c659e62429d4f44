"""Events of the evidence domain (证明材料, 122号 Art.19)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.events import SubjectFact

EVIDENCE_ATTACHED = "evidence_attached"


@dataclass(frozen=True)
class EvidenceAttached(SubjectFact):
    record_id: int
    name: str
    size: int
    facts: dict[str, Any]

    archive_kind = EVIDENCE_ATTACHED

    @property
    def summary(self) -> str:
        return f"记录 #{self.record_id} 附证明材料 {self.name}（{self.size} 字节）"

    def payload(self) -> dict[str, Any]:
        return self.facts
