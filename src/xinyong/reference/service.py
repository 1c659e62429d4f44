"""Reference data service: seed defaults idempotently, and give the standards in force on a date."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from ..standards import citation
from ..standards.loader import (
    load_reference,
)
from ..standards.model import Standard
from . import repository
from .models import CatalogueItem, Department, Industry

# Versions that count for the rulebook: approved ones (in force from their effective date, 122号 Art.12) and the
# seeded defaults. Drafts and versions under public consultation never count.
COLLECTION_FILE = Path(__file__).with_name("collection.yaml")


def seed_defaults(session: Session) -> dict[str, int]:
    """Load departments, industries and the information collected without points (the standards and their
    catalogue items are seeded by governance.service.seed_standards). Running it twice changes nothing:
    existing rows are left as the administrators maintain them."""
    added = {"departments": 0, "industries": 0, "catalogue_items": 0}
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


def department_names(session: Session) -> dict[str, str]:
    """code → name of every department (122号 Art.4, 122号 Art.27)."""
    return {d.code: d.name for d in repository.departments(session)}


def catalogue_item(session: Session, code: str) -> CatalogueItem | None:
    """The catalogue item `code` (read once per transaction with the whole catalogue, reference/repository.py)."""
    return repository.catalogue_item(session, code)


def items_firing(session: Session, fuse_key: str) -> list[str]:
    """Codes of the catalogue items whose record fires the 122号 Art.16 item `fuse_key` (e.g. "122号 Art.16(2)"):
    from the transaction's catalogue when it was read already (a record write), else kept per process under the
    catalogue's version (a GET of an evaluation: no catalogue read, issue 10 item 5)."""
    wanted = citation.parse(fuse_key)

    def firing() -> tuple[str, ...]:
        return tuple(c.code for c in repository.catalogue_items(session)
                     if c.fuse_article and citation.coerce(c.fuse_article) == wanted)

    if repository.catalogue_read(session):
        return list(firing())
    return list(repository.per_reference_version(session, f"items_firing:{fuse_key}", firing))
