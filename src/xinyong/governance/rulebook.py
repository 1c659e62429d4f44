"""The rulebook: the standards in force on a day and their scoring table (122号 Art.11, Art.12: a standard
applies from its implementation). Cached by the set of counting versions, so an approval is seen at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from ..db.memo import per_transaction, watch
from ..reference import repository as reference_repo
from ..rules.table import ScoringTable, build_table
from ..standards.loader import load_parameters, standard_from_dict
from ..standards.model import Item, Parameters, Standard
from . import repository
from .models import StandardVersion

watch(StandardVersion.__tablename__)  # an approval in this transaction is seen by its next rulebook

# Versions that count for the rulebook: approved ones (in force from their effective date, 122号 Art.12) and the
# seeded defaults. Drafts and versions under public consultation never count.
IN_FORCE_STATES = ("approved", "in_force", "superseded")


@dataclass(frozen=True)
class Rulebook:
    """Everything an evaluation as of one date needs: parameters, the standards in force, the kernel table."""

    as_of: date
    params: Parameters
    standards: tuple[Standard, ...]
    table: ScoringTable
    item_index: dict[str, int]

    def version_for(self, industry: str | None) -> str:
        general = [s.version for s in self.standards if s.family == "general"]
        if industry is None:
            return "+".join(general)
        return "+".join(general + [s.version for s in self.standards if s.industry == industry])


def in_force_rows(session: Session) -> Sequence[Any]:
    """(version, status, effective_date, loaded_at) of every counting version, read once per transaction
    (db/memo.py): the rulebook and a bulk chunk's item look-ups key their caches on it."""
    return per_transaction(session, "standards_signature",
                           lambda: repository.in_force_signature(session, IN_FORCE_STATES))


def _standards_signature(session: Session) -> tuple[tuple[str, str, str, str], ...]:
    """What the cached rulebooks depend on: every counting version with its status and effective date (an
    approval changes the status of an existing row, so a row count alone would miss it)."""
    return tuple((str(v), str(s), str(e), str(t)) for v, s, e, t in in_force_rows(session))


def rulebook(session: Session, as_of: date) -> Rulebook:
    """The rulebook for `as_of`: for the general family and each industry, the in-force standard with the
    latest effective date not after `as_of` (122号 Art.12: a standard applies from its implementation)."""
    signature = _standards_signature(session)
    rows = _standard_rows(session, signature)
    return _rulebook(rows, reference_repo.industry_codes(session), as_of)


_ROWS_CACHE: dict[tuple[tuple[str, str, str, str], ...], tuple[tuple[str, str | None, date | None, str], ...]] = {}
_CONTENT: dict[str, Standard] = {}


def _standard_rows(session: Session, signature: tuple[tuple[str, str, str, str], ...]) -> tuple[tuple[str, str | None, date | None, str], ...]:
    cached = _ROWS_CACHE.get(signature)
    if cached is not None:
        return cached
    rows = repository.in_force_versions(session, IN_FORCE_STATES)
    out = []
    for version, industry, effective, family, content in rows:
        _CONTENT[version] = standard_from_dict(content)
        out.append((version, industry, effective, family))
    result = tuple(out)
    _ROWS_CACHE.clear()
    _ROWS_CACHE[signature] = result
    _rulebook.cache_clear()
    return result


@lru_cache(maxsize=64)
def _rulebook(rows: tuple[tuple[str, str | None, date | None, str], ...], industries: tuple[str, ...],
              as_of: date) -> Rulebook:
    params = load_parameters().at(as_of)
    by_key: dict[str | None, list[tuple[date, str]]] = {}
    for version, industry, effective, _family in rows:
        if effective is not None:
            by_key.setdefault(industry, []).append((effective, version))
    chosen: dict[str | None, tuple[date, str]] = {}
    for key, versions in by_key.items():
        versions.sort()
        applicable = [pair for pair in versions if pair[0] <= as_of]
        # Before a family's first standard took effect (the measures start 2024-05-11) the earliest one is
        # used, so an early act date is still scored by the rules rather than silently by none.
        chosen[key] = applicable[-1] if applicable else versions[0]
    standards = [_CONTENT[v] for key, (_e, v) in sorted(chosen.items(), key=lambda kv: (kv[0] is not None, kv[0] or ""))]
    table = build_table(standards, params, industries)
    return Rulebook(as_of=as_of, params=params, standards=tuple(standards), table=table, item_index=table.index_of())


def item_in_force(session: Session, code: str, on: date) -> Item | None:
    """The indicator `code` as the standards in force on `on` define it (None for an item outside them)."""
    for std in rulebook(session, on).standards:
        for it in std.items:
            if it.code == code:
                return it
    return None
