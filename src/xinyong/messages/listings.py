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
    ends_on: str | None = None  # the last day of a fixed listing period (spec G3-01(a)); None: until removed

    archive_kind = SUBJECT_LISTED

    @property
    def summary(self) -> str:
        until = f"至{self.ends_on}" if self.ends_on else ""
        return f"列入{self.list_name}（{self.listed_on}起{until}）"

    def payload(self) -> dict[str, Any]:
        out = {"membership_id": self.membership_id, "list": self.list_code, "listed_on": self.listed_on,
               "source": self.source, "department": self.department, "source_ref": self.source_ref,
               "by": self.by}
        if self.ends_on is not None:  # only when set: entries archived before the key existed hash the same
            out["ends_on"] = self.ends_on
        return out

    def changes(self) -> list[Change]:
        data = {"membership_id": self.membership_id, "list": self.list_code, "list_name": self.list_name,
                "listed_on": self.listed_on, "department": self.department, "source_ref": self.source_ref}
        if self.ends_on is not None:
            data["ends_on"] = self.ends_on
        return [Change(SUBJECT_LISTED, self.subject_code, data)]


@dataclass(frozen=True)
class ListingRemoved(SubjectFact, Shared):
    membership_id: int
    list_code: str
    list_name: str
    removed_on: str
    reason: str
    by: str
    # removed by the system without any application (44号 Task 14 无需申请即可自动移出) under `rule`, e.g.
    # listing_period_ended; a removal by a person or a docking system leaves both unset
    automatic: bool = False
    rule: str | None = None

    archive_kind = LISTING_REMOVED

    @property
    def summary(self) -> str:
        how = "（自动移出）" if self.automatic else ""
        return f"移出{self.list_name}{how}（{self.removed_on}起）：{self.reason}"

    def _why(self) -> dict[str, Any]:
        # only when set: entries archived before these keys existed keep their payload, and their hash
        return {"automatic": True, "rule": self.rule} if self.automatic else {}

    def payload(self) -> dict[str, Any]:
        return {"membership_id": self.membership_id, "list": self.list_code, "removed_on": self.removed_on,
                "reason": self.reason, "by": self.by, **self._why()}

    def changes(self) -> list[Change]:
        return [Change(LISTING_REMOVED, self.subject_code, {
            "membership_id": self.membership_id, "list": self.list_code, "list_name": self.list_name,
            "removed_on": self.removed_on, "reason": self.reason, **self._why()})]
