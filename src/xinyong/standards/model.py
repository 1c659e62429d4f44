"""The regulation as data: evaluation standards (评价标准) and framework parameters, as plain frozen objects.

Pure: no database, no web framework. Loaded from YAML by :mod:`xinyong.standards.loader`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from .citation import Citation, zh, zh_citations_in

Polarity = Literal["good", "bad"]
Family = Literal["general", "industry"]

# 122号 Art.16(1)…(7): the seven fuse triggers that force grade D (评价等级熔断机制), as citation keys.
FUSE_KEYS: tuple[Citation, ...] = tuple(Citation("122号", 16, n) for n in range(1, 8))
# 122号 Art.16(6) is counted (两次及以上较重行政处罚), not triggered by a single item.
HEAVIER_FUSE_KEY = Citation("122号", 16, 6)
# The same, rendered for Chinese display without the document ("第十六条(六)"): the form Item.fuse, the
# catalogue and the HTTP responses carry (they prefix "122号 "), kept byte-identical to the texts before the key.
FUSE_ARTICLES: tuple[str, ...] = tuple(zh(k, with_doc=False) for k in FUSE_KEYS)
HEAVIER_FUSE_ARTICLE = zh(HEAVIER_FUSE_KEY, with_doc=False)


@dataclass(frozen=True)
class Item:
    """One indicator of a standard, which is also one entry of the collection catalogue (归集目录, 122号 Art.7)."""

    code: str
    name: str
    polarity: Polarity
    family: Family
    industry: str | None
    points: int
    # The most points the item gives in one period (122号 Art.11(2), spec D1-27(i)); every item states it, the
    # caps of one bucket add up to at most its budget. None only in content stored before the rule (the kernel
    # then bounds it by the family budget); the loader refuses a standard with an item without a cap.
    cap: int | None
    article: str
    admin_category: str = "other"
    source_category: str = "planning"
    fuse: str | None = None
    heavier: bool = False
    work_safety: bool = False
    default: bool = False
    # The provision of the field's own regulation the item rests on, besides its 122号 key
    # (e.g. "《建设工程勘察设计管理条例》第八条"); free text, another law's article is not a 122号 key.
    source: str = ""
    # For a production-safety accident item: the State Council grades (国务院令第493号 第三条) a record of it
    # may carry; empty for every other item (spec G1-06(c), X-08).
    accident_grades: tuple[str, ...] = ()

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The articles `article` cites (it holds the Chinese display, rendered from the keys in the data)."""
        return tuple(zh_citations_in(self.article))

    @property
    def fuse_key(self) -> Citation | None:
        """The 122号 Art.16 item this indicator triggers, as a key (`fuse` holds its display "第十六条(四)")."""
        return FUSE_KEYS[FUSE_ARTICLES.index(self.fuse)] if self.fuse in FUSE_ARTICLES else None


@dataclass(frozen=True)
class Standard:
    """A versioned evaluation standard: the general one (通用指标) or one industry's (行业指标), 122号 Art.11."""

    version: str
    family: Family
    industry: str | None
    name: str
    effective_date: date
    reference: str
    items: tuple[Item, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class LevelBand:
    level: str
    grade: str
    min: int


@dataclass(frozen=True)
class Parameters:
    """Framework parameters in force on one date (parameters.yaml)."""

    score_min: int
    score_max: int
    base_scores: dict[str, int]
    budgets: dict[tuple[str, str], int]  # (family, "bonus"|"deduction") -> points, 122号 Art.11(2)
    grade_mins: dict[str, int]
    levels: tuple[LevelBand, ...]
    heavier_fuse_count: int
    period_months: int
    period_anchor: date
    entry_deadline_workdays: int
    # 国务院令第493号 第三条, ascending (一般, 较大, 重大, 特别重大), and those from which 122号 Art.16(1) fires.
    accident_grades: tuple[str, ...] = ()
    major_accident_grades: tuple[str, ...] = ()
    # 122号 Art.12: years every standard (general and industry) is in force before a replacement takes effect.
    standard_min_years_in_force: int = 1

    def budget(self, family: str, polarity: str) -> int:
        return self.budgets[(family, "bonus" if polarity == "good" else "deduction")]
