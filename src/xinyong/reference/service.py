"""Reference data service: seed defaults idempotently, and give the standards in force on a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from ..rules.table import ScoringTable, build_table
from ..standards import citation
from ..standards.loader import (
    default_standard_files,
    load_parameters,
    load_reference,
    load_standard_file,
    standard_from_dict,
    standard_to_dict,
)
from ..standards.model import Item, Parameters, Standard
from . import repository
from .framework import first_day_in_force
from .models import CatalogueItem, Department, Industry, StandardVersion

# Versions that count for the rulebook: approved ones (in force from their effective date, 122号 Art.12) and the
# seeded defaults. Drafts and versions under public consultation never count.
COLLECTION_FILE = Path(__file__).with_name("collection.yaml")
IN_FORCE_STATES = ("approved", "in_force", "superseded")


def seed_defaults(session: Session) -> dict[str, int]:
    """Load departments, industries, the default standards and their catalogue. Running it twice changes
    nothing: existing rows are left as the administrators maintain them."""
    added = {"departments": 0, "industries": 0, "standards": 0, "catalogue_items": 0}
    ref = load_reference()
    for row in ref["departments"]:
        if session.get(Department, row["code"]) is None:
            session.add(Department(code=row["code"], name=row["name"], role=row["role"], reference=row["reference"]))
            added["departments"] += 1
    session.flush()
    for row in ref["industries"]:
        if session.get(Industry, row["code"]) is None:
            session.add(Industry(code=row["code"], name=row["name"], regulator=row["regulator"],
                                 reference=row["reference"]))
            added["industries"] += 1
    session.flush()
    params = load_parameters().at(first_day_in_force())  # the measures' first day (measures_validity.from)
    for path in default_standard_files():
        std = load_standard_file(path, params)
        if session.get(StandardVersion, std.version) is None:
            session.add(StandardVersion(version=std.version, family=std.family, industry=std.industry,
                                        status="in_force", effective_date=std.effective_date,
                                        content=standard_to_dict(std)))
            added["standards"] += 1
        added["catalogue_items"] += extend_catalogue(session, std)
    for it in collection()["collection_items"]:  # 122号 Art.7: collected and shown, no points
        if session.get(CatalogueItem, it["code"]) is None:
            session.add(CatalogueItem(code=it["code"], name=it["name"], polarity=it["polarity"], family="collection",
                                      industry=None, source_category=it["source_category"],
                                      admin_category=it["admin_category"], fuse_article=None, heavier=False,
                                      work_safety=False, article=it["article"]))
            added["catalogue_items"] += 1
    session.flush()
    return added


@lru_cache(maxsize=1)
def collection() -> dict[str, Any]:
    """The collection list's vocabularies and point-less items (reference/collection.yaml; 122号 Art.6, 122号 Art.7)."""
    return dict(yaml.safe_load(COLLECTION_FILE.read_text(encoding="utf-8")))


def info_classes() -> dict[str, str]:
    return dict(collection()["info_classes"]["values"])


def admin_categories(polarity: str) -> dict[str, str]:
    """The 122号 Art.7 categories of good or bad information."""
    return dict(collection()["admin_categories"][polarity])


def extend_catalogue(session: Session, std: Standard) -> int:
    """归集目录 (122号 Art.7) follows the standards: items of `std` that the catalogue does not hold yet are
    added (an existing code keeps its row). Returns how many were added."""
    added = 0
    for it in std.items:
        if session.get(CatalogueItem, it.code) is None:
            session.add(CatalogueItem(code=it.code, name=it.name, polarity=it.polarity, family=it.family,
                                      industry=it.industry, source_category=it.source_category,
                                      admin_category=it.admin_category, fuse_article=it.fuse,
                                      heavier=it.heavier, work_safety=it.work_safety, article=it.article))
            added += 1
    return added


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


def _standards_signature(session: Session) -> tuple[tuple[str, str, str, str], ...]:
    """What the cached rulebooks depend on: every counting version with its status and effective date (an
    approval changes the status of an existing row, so a row count alone would miss it)."""
    rows = repository.in_force_signature(session, IN_FORCE_STATES)
    return tuple((str(v), str(s), str(e), str(t)) for v, s, e, t in rows)


def rulebook(session: Session, as_of: date) -> Rulebook:
    """The rulebook for `as_of`: for the general family and each industry, the in-force standard with the
    latest effective date not after `as_of` (122号 Art.12: a standard applies from its implementation)."""
    signature = _standards_signature(session)
    rows = _standard_rows(session, signature)
    return _rulebook(rows, repository.industry_codes(session), as_of)


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


def department_names(session: Session) -> dict[str, str]:
    """code → name of every department (122号 Art.4, 122号 Art.27)."""
    return {d.code: d.name for d in repository.departments(session)}


def items_firing(session: Session, fuse_key: str) -> list[str]:
    """Codes of the catalogue items whose record fires the 122号 Art.16 item `fuse_key` (e.g. "122号 Art.16(2)")."""
    wanted = citation.parse(fuse_key)
    return [c.code for c in repository.catalogue_items(session)
            if c.fuse_article and citation.coerce(c.fuse_article) == wanted]


def item_in_force(session: Session, code: str, on: date) -> Item | None:
    """The indicator `code` as the standards in force on `on` define it (None for an item outside them)."""
    for std in rulebook(session, on).standards:
        for it in std.items:
            if it.code == code:
                return it
    return None
