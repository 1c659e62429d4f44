"""Events of the list-status service (名单, spec X-02; 122号 Art.16(1), 122号 Art.19)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.events import Change, Shared, SubjectFact

SUBJECT_LISTED = "subject_listed"
LISTING_REMOVED = "listing_removed"


@dataclass(frozen=True)
class SubjectListed(SubjectFact, Shared):
    membership_id: int
    list_code: str
    list_name: str
    listed_on: str
    source: str
    department: str | None
    source_ref: str
    by: str

    archive_kind = SUBJECT_LISTED

    @property
    def summary(self) -> str:
        return f"列入{self.list_name}（{self.listed_on}起）"

    def payload(self) -> dict[str, Any]:
        return {"membership_id": self.membership_id, "list": self.list_code, "listed_on": self.listed_on,
                "source": self.source, "department": self.department, "source_ref": self.source_ref,
                "by": self.by}

    def changes(self) -> list[Change]:
        return [Change(SUBJECT_LISTED, self.subject_code, {
            "membership_id": self.membership_id, "list": self.list_code, "list_name": self.list_name,
            "listed_on": self.listed_on, "department": self.department, "source_ref": self.source_ref})]


@dataclass(frozen=True)
class ListingRemoved(SubjectFact, Shared):
    membership_id: int
    list_code: str
    list_name: str
    removed_on: str
    reason: str
    by: str

    archive_kind = LISTING_REMOVED

    @property
    def summary(self) -> str:
        return f"移出{self.list_name}（{self.removed_on}起）：{self.reason}"

    def payload(self) -> dict[str, Any]:
        return {"membership_id": self.membership_id, "list": self.list_code, "removed_on": self.removed_on,
                "reason": self.reason, "by": self.by}

    def changes(self) -> list[Change]:
        return [Change(LISTING_REMOVED, self.subject_code, {
            "membership_id": self.membership_id, "list": self.list_code, "list_name": self.list_name,
            "removed_on": self.removed_on, "reason": self.reason})]
