"""Messages: commands (imperative: what someone asks for) and domain events (past tense: what happened).

A domain defines its own messages in its `events.py`; `xinyong.handlers` maps each to its handlers, which run
inside the unit of work that published it (same transaction: all or nothing). A domain reacts to another
through these, never through the other's tables.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Message:
    """Base of commands and events."""


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
