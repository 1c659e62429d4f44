"""Response bodies of the archive API (电子信用档案, 122号 Art.19)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ArchiveEntryOut(BaseModel):
    seq: int
    at: str
    kind: str
    summary: str
    hash: str
    prev_hash: str
    payload: dict[str, Any]


class ArchiveOut(BaseModel):
    """One subject's archive, oldest entry first, with its hash chain."""

    subject: str
    entries: list[ArchiveEntryOut]


class CheckpointOut(BaseModel):
    """The latest signed checkpoint and the public key to check it (no personal data)."""

    id: int
    at: str
    entry_count: int
    root: str
    signature: str
    public_key_id: str
    audit_seq: int | None
    audit_hash: str | None
    public_key_pem: str | None


class TrendMonth(BaseModel):
    month: str  # YYYY-MM
    grades: dict[str, int]  # at the end of the month (today for the current one)
    upgrades: int  # evaluation changes in the month that raised the score
    downgrades: int
    new: int  # first evaluations in the scope


class TrendOut(BaseModel):
    """Grade distribution of one scope at each month's end, rebuilt from the archived evaluation changes."""

    scope: str
    months: list[TrendMonth]
