"""Domain errors that reach users as 4xx responses naming the field and the reason, in Chinese and English.

Every refusal of bad input goes through :class:`InputError` (422) or its siblings, so the API can render it
uniformly: ``{"detail": [{"field": ..., "reason_zh": ..., "reason_en": ...}]}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass
class Problem:
    field: str
    reason_zh: str
    reason_en: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason_zh": self.reason_zh, "reason_en": self.reason_en}


class DomainError(Exception):
    status_code = 422

    def __init__(self, field: str, reason_zh: str, reason_en: str, *more: Problem) -> None:
        self.problems = [Problem(field, reason_zh, reason_en), *more]
        super().__init__(f"{field}: {reason_en}")

    def as_detail(self) -> list[dict[str, str]]:
        return [p.as_dict() for p in self.problems]


class InputError(DomainError):
    """Bad input: 422."""


class ConflictError(DomainError):
    """The input contradicts what is stored (e.g. the same source_ref with other content): 409."""

    status_code = 409


class NotFoundError(DomainError):
    status_code = 404


class ForbiddenError(DomainError):
    status_code = 403


class UnauthorizedError(DomainError):
    """Needs a valid bearer token: 401 (with WWW-Authenticate: Bearer)."""

    status_code = 401


def future_problem(field: str, what_zh: str, day: date, today: date) -> Problem | None:
    """A fact dated after today is refused (an act, a listing, a level cannot have happened yet)."""
    if day <= today:
        return None
    return Problem(field, f"{what_zh} {day} 晚于今天 {today}", f"{field} {day} is in the future (today is {today})")


def refuse(problem: Problem | None) -> None:
    if problem is not None:
        raise InputError(problem.field, problem.reason_zh, problem.reason_en)
