"""Commands and events of the evaluation domain (122号 Art.13 实时更新, 122号 Art.19)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..core.events import Change, Command, Event, Shared, SubjectFact

GENERAL_SCOPE = "general"  # the general evaluation (通用评价); industry evaluations are keyed by industry code
EVALUATION_CHANGED = "evaluation_changed"
GRADE_CHANGED = "grade_changed"  # shared downstream (44号 Task 14)


@dataclass(frozen=True)
class ReevaluateSubject(Command):
    """Recompute the subject's stored evaluations now (122号 Art.13). Queued once per subject and unit of work."""

    subject_id: int
    cause: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReevaluateSubjects(Command):
    """Recompute the stored evaluations of these subjects now with the batch kernel, once (a chunk of a bulk
    intake; 122号 Art.13). `causes`: subject id → the cause archived with its changes (122号 Art.19), else `cause`.
    `explain`: also publish SubjectReevaluated with the lines of each (the bulk API's answers)."""

    subject_ids: Sequence[int]
    cause: dict[str, Any] = field(default_factory=dict)
    causes: dict[int, dict[str, Any]] = field(default_factory=dict)
    explain: bool = False


@dataclass(frozen=True)
class ReevaluateEveryone(Command):
    """Recompute and store every subject's evaluations as of `as_of` (a standard took effect, a new day)."""

    as_of: date


@dataclass(frozen=True)
class SubjectReevaluated(Event):
    """The subject's evaluations after a real-time recomputation, as the API shows them (scope → body)."""

    subject_id: int
    subject_code: str
    evaluations: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class EvaluationChanged(SubjectFact, Shared):
    """A stored evaluation changed in score, grade, level, fuse or standard: old → new and why."""

    scope: str
    as_of: str
    old: dict[str, Any] | None
    new: dict[str, Any]
    fuse_articles: list[str]
    components: dict[str, int]
    cause: dict[str, Any]

    archive_kind = EVALUATION_CHANGED

    @property
    def summary(self) -> str:
        new = self.new
        if self.old is None:
            return f"{self.scope}: {new['score']} {new['level']}"
        return f"{self.scope}: {self.old['score']} {self.old['level']} → {new['score']} {new['level']}"

    def payload(self) -> dict[str, Any]:
        return {"scope": self.scope, "as_of": self.as_of, "old": self.old, "new": self.new,
                "fuse_articles": self.fuse_articles, "components": self.components, "cause": self.cause}

    def changes(self) -> list[Change]:
        """Only a new grade, level or fuse goes downstream (a score within the same level changes no measure)."""
        keys = ("grade", "level", "fused")
        if self.old is not None and all(self.old.get(k) == self.new.get(k) for k in keys):
            return []
        def view(e: dict[str, Any] | None) -> dict[str, Any] | None:  # noqa: E306
            return None if e is None else {k: e.get(k) for k in ("score", *keys)}
        return [Change(GRADE_CHANGED, self.subject_code, {
            "scope": self.scope, "as_of": self.as_of, "old": view(self.old), "new": view(self.new),
            "fuse_articles": self.fuse_articles, "cause": self.cause.get("kind")})]


@dataclass(frozen=True)
class EvaluationsChanged(Shared):
    """Many EvaluationChanged at once (a batch re-evaluation); the archive appends them in bulk. Not kept once
    handled (a 1 January re-seed publishes 10^6 of them in one unit of work)."""

    kept = False
    evaluations: Sequence[EvaluationChanged]

    def changes(self) -> list[Change]:
        return [c for e in self.evaluations for c in e.changes()]
