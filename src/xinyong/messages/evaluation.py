"""Commands and events of the evaluation domain (122号 Art.13 实时更新, 122号 Art.19)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, overload

from ..core.events import Change, Command, Event, Shared, SubjectFact
from ..core.hashing import canonical

GENERAL_SCOPE = "general"  # the general evaluation (通用评价); industry evaluations are keyed by industry code
EVALUATION_CHANGED = "evaluation_changed"
GRADE_CHANGED = "grade_changed"  # shared downstream (44号 Task 14)
# What makes an evaluation change worth an archive entry (old → new, 122号 Art.19), in the order of `Outcome`.
ARCHIVED_FIELDS = ("standard_version", "score", "grade", "level", "fused")
Outcome = tuple[str, int, str, str, bool]  # an evaluation's ARCHIVED_FIELDS, in that order


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


@dataclass(frozen=True, eq=False)
class ChangedColumns(Sequence[EvaluationChanged]):
    """Many EvaluationChanged of one batch chunk, column by column: row i is ``self[i]`` (built on demand). A first
    run or a 1 January re-seed changes 10^6 evaluations; one object, dict and JSON serialisation per row and per
    consumer cost most of that run (issue 10, bench/profiles.md), so the archive and the outbox take the rows'
    texts from here, rendered from pieces serialised once per distinct value. `payload_texts()` are exactly
    ``canonical(self[i].payload())`` and `grade_change_texts()` the JSON of ``self[i].changes()`` (tests prove it).
    The lists are shared, never mutated: `fuse_articles[i]` may be one list for many rows."""

    subject_id: list[int]
    subject_code: list[str]
    scope: list[str]
    as_of: str
    new: list[Outcome]
    old: list[Outcome | None]  # None: there was no evaluation before
    fuse_articles: list[list[str]]
    component_names: tuple[str, ...]
    components: list[tuple[int, ...]]  # in component_names order
    cause: list[dict[str, Any]]
    _texts: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # what prepare() rendered

    def __len__(self) -> int:
        return len(self.subject_id)

    def prepare(self) -> None:
        """Render the texts the archive and the outbox will ask for, and keep them. The batch runs this in a thread
        while its evaluations' COPY waits on the server (a wait that releases the GIL), so the rendering costs the
        first run no wall time (issue 10 item 3)."""
        self._texts["summaries"] = self._summaries()
        self._texts["payload_texts"] = self._payload_texts()
        self._texts["grade_change_texts"] = self._grade_change_texts()

    @overload
    def __getitem__(self, i: int) -> EvaluationChanged: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[EvaluationChanged]: ...
    def __getitem__(self, i: int | slice) -> EvaluationChanged | Sequence[EvaluationChanged]:  # noqa: E301
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        old = self.old[i]
        return EvaluationChanged(
            self.subject_id[i], self.subject_code[i], scope=self.scope[i], as_of=self.as_of,
            old=None if old is None else dict(zip(ARCHIVED_FIELDS, old, strict=True)),
            new=dict(zip(ARCHIVED_FIELDS, self.new[i], strict=True)), fuse_articles=list(self.fuse_articles[i]),
            components=dict(zip(self.component_names, self.components[i], strict=True)), cause=self.cause[i])

    def __iter__(self) -> Iterator[EvaluationChanged]:
        return (self[i] for i in range(len(self)))

    def summaries(self) -> list[str]:
        got = self._texts.get("summaries")
        return got if got is not None else self._summaries()

    def _summaries(self) -> list[str]:
        """EvaluationChanged.summary of every row."""
        return [f"{scope}: {new[1]} {new[3]}" if old is None else f"{scope}: {old[1]} {old[3]} → {new[1]} {new[3]}"
                for scope, new, old in zip(self.scope, self.new, self.old, strict=True)]

    def payload_texts(self) -> list[str]:
        got = self._texts.get("payload_texts")
        return got if got is not None else self._payload_texts()

    def _payload_texts(self) -> list[str]:
        """canonical(payload()) of every row as text (keys sorted at every level, as canonical writes them)."""
        js = _Json()
        comps = _int_object(self.component_names)
        as_of = js(self.as_of)
        return [f'{{"as_of":{as_of},"cause":{js.cause(cause)},"components":{comps(c)},'
                f'"fuse_articles":{js.strings(fa)},"new":{js.outcome(new)},'
                f'"old":{"null" if old is None else js.outcome(old)},"scope":{js(scope)}}}'
                for scope, new, old, fa, c, cause in zip(self.scope, self.new, self.old, self.fuse_articles,
                                                          self.components, self.cause, strict=True)]

    def grade_change_texts(self) -> list[tuple[str, str, str]]:
        got = self._texts.get("grade_change_texts")
        return got if got is not None else self._grade_change_texts()

    def _grade_change_texts(self) -> list[tuple[str, str, str]]:
        """changes() of every row as (type, subject code, data as JSON text): only a new grade, level or fuse."""
        js = _Json()
        as_of = js(self.as_of)
        out = []
        for code, scope, new, old, fa, cause in zip(self.subject_code, self.scope, self.new, self.old,
                                                     self.fuse_articles, self.cause, strict=True):
            if old is not None and old[2:] == new[2:]:
                continue
            out.append((GRADE_CHANGED, code,
                        f'{{"as_of":{as_of},"cause":{js(cause.get("kind"))},"fuse_articles":{js.strings(fa)},'
                        f'"new":{js.view(new)},"old":{"null" if old is None else js.view(old)},"scope":{js(scope)}}}'))
        return out


class _Json:
    """canonical() of a row's pieces, each distinct value serialised once (a chunk's rows share a few grades,
    levels, standard versions, scopes, fuse lists and causes)."""

    def __init__(self) -> None:
        self._memo: dict[Any, str] = {}
        self._outcomes: dict[Outcome, str] = {}
        self._lists: dict[int, tuple[list[str], str]] = {}
        self._causes: dict[int, tuple[dict[str, Any], str]] = {}

    def __call__(self, value: Any) -> str:
        if not isinstance(value, str | int | tuple | None):  # unhashable or rare: serialised each time
            return canonical(value).decode()
        key = (type(value), value)
        got = self._memo.get(key)
        if got is None:
            got = self._memo[key] = canonical(value).decode()
        return got

    def strings(self, values: list[str]) -> str:  # by identity first: a chunk shares one list per fuse mask
        held = self._lists.get(id(values))
        if held is None or held[0] is not values:
            held = self._lists[id(values)] = (values, self(tuple(values)))  # a tuple serialises as a list
        return held[1]

    def cause(self, cause: dict[str, Any]) -> str:
        held = self._causes.get(id(cause))
        if held is None or held[0] is not cause:  # by identity: a chunk's rows share one cause object
            # as stored and hashed: the JSON-parsed form's canonical text (an int key becomes a string and sorts
            # as one; archive.chain.canonical_text)
            held = self._causes[id(cause)] = (cause, canonical(json.loads(canonical(cause))).decode())
        return held[1]

    def outcome(self, o: Outcome) -> str:  # the keys of ARCHIVED_FIELDS, sorted; a chunk repeats its outcomes
        got = self._outcomes.get(o)
        if got is None:
            got = self._outcomes[o] = (f'{{"fused":{"true" if o[4] else "false"},"grade":{self(o[2])},'
                                       f'"level":{self(o[3])},"score":{int(o[1])},"standard_version":{self(o[0])}}}')
        return got

    def view(self, o: Outcome) -> str:  # EvaluationChanged.changes' view: score, grade, level, fused
        return (f'{{"fused":{"true" if o[4] else "false"},"grade":{self(o[2])},"level":{self(o[3])},'
                f'"score":{int(o[1])}}}')


def _int_object(names: tuple[str, ...]) -> Any:
    """A renderer of {name: int} with these keys, sorted, from a tuple of ints in `names` order."""
    order = sorted(range(len(names)), key=lambda k: names[k])
    head = [f'"{names[k]}":' for k in order]  # component names are plain identifiers

    seen: dict[tuple[int, ...], str] = {}  # a chunk repeats its components

    def render(values: tuple[int, ...]) -> str:
        got = seen.get(values)
        if got is None:
            got = seen[values] = "{" + ",".join(h + str(int(values[k])) for h, k in zip(head, order, strict=True)) + "}"
        return got
    return render


@dataclass(frozen=True)
class EvaluationsChanged(Shared):
    """Many EvaluationChanged at once (a batch re-evaluation); the archive appends them in bulk. Not kept once
    handled (a 1 January re-seed publishes 10^6 of them in one unit of work). The batch publishes them as
    ChangedColumns, whose rows the archive and the outbox read as texts."""

    kept = False
    evaluations: Sequence[EvaluationChanged]

    def changes(self) -> list[Change]:
        return [c for e in self.evaluations for c in e.changes()]

    def change_texts(self) -> list[tuple[str, str, str]] | None:
        if isinstance(self.evaluations, ChangedColumns):
            return self.evaluations.grade_change_texts()
        return None
