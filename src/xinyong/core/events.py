"""Messages: commands (imperative: what someone asks for) and domain events (past tense: what happened).

A domain defines its own messages in its `events.py`; `xinyong.handlers` maps each to its handlers, which run
inside the unit of work that published it (same transaction: all or nothing). A domain reacts to another
through these, never through the other's tables.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple


@dataclass(frozen=True)
class Message:
    """Base of commands and events. `kept`: whether the unit of work keeps it in `handled` once handled (for
    `outcome`); bulk messages (a chunk's facts, a batch's changes) are not kept, so memory stays bounded by one
    chunk however many a unit of work handles."""

    kept: ClassVar[bool] = True


@dataclass(frozen=True)
class Command(Message):
    """An instruction for exactly one handler (e.g. ReevaluateSubject)."""


@dataclass(frozen=True)
class Event(Message):
    """Something that happened; any number of handlers (none included) react to it."""


@dataclass(frozen=True)
class SubjectFact(Event, ABC):
    """An event that belongs in the subject's electronic credit archive (122号 Art.19 全流程可追溯): the archive
    handler appends `archive_kind`, `summary` and `payload` to the subject's hash chain."""

    subject_id: int
    subject_code: str

    archive_kind = ""  # the entry kind in the chain; set by every subclass

    @property
    @abstractmethod
    def summary(self) -> str:
        """One line for people (shown in the archive view)."""

    @abstractmethod
    def payload(self) -> dict[str, Any]:
        """The facts archived and hashed (canonical JSON values)."""


class Change(NamedTuple):
    """One change shared downstream: its type (e.g. "grade_changed"), the subject's code and the data sent."""

    type: str
    subject_code: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Shared(Event, ABC):
    """An event shared with the other credit platforms (44号 Task 14 及时共享、及时更新): the outbox stores what
    `changes()` returns in the publishing transaction, and `xinyong serve` delivers it to every registered receiver
    in order (or a receiver pulls it from /api/v1/changes). An event that shares nothing this time returns []."""

    @abstractmethod
    def changes(self) -> list[Change]:
        """The downstream changes this event makes (often one; none when nothing a receiver needs changed)."""

    def change_texts(self) -> list[tuple[str, str, str]] | None:
        """changes() as (type, subject code, data as JSON text) when the event renders them cheaper than as
        objects (a batch chunk shares 10^5 of them); None: the outbox serialises changes() itself."""
        return None
