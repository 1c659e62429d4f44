"""公示期限: how long the public portal shows a bad record (spec G1-17; records/disclosure.yaml).

The periods follow the national credit-information disclosure rules per record type (国家发展改革委令2023年第58号,
before it 发改办财金〔2019〕527号), the rules in force on the record's act date. A period starts the day after the act
date and ends on the corresponding day (民法典 第二百零一条、第二百零二条; spec G0-1) — that day is still shown, the
next is not. 第二百零三条 (a last day on a holiday moves to the next working day) governs time limits for acting,
not how long a publication lasts (as listings/service.py reads it for listing periods), so the day is not moved.
Only what the public sees changes: staff views, the archive (122号 Art.19) and the evaluation are untouched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..reference.models import CatalogueItem
from ..reference.service import admin_categories, info_classes
from ..rules.period import add_months_civil
from ..standards.loader import ParameterHistory
from .models import Record

DISCLOSURE_FILE = Path(__file__).with_name("disclosure.yaml")
MATCH_KEYS = frozenset({"admin_category", "info_class", "severity"})
SEVERITIES = ("severe", "general")


@dataclass(frozen=True)
class DisplayRule:
    match: tuple[tuple[str, str], ...]
    months: int
    reference: str

    def fits(self, facts: dict[str, str | None]) -> bool:
        return all(facts.get(key) == value for key, value in self.match)


def _rules(raw: Any, where: str) -> tuple[DisplayRule, ...]:
    """A malformed rule is a deployment error: refuse to start (checked for every date when loaded)."""
    out = []
    for n, body in enumerate(raw or []):
        match = dict(body.get("match") or {})
        months, reference = body.get("months"), body.get("reference")
        unknown = set(match) - MATCH_KEYS
        if unknown or not isinstance(months, int) or months <= 0 or not reference:
            raise ValueError(f"disclosure.yaml {where} rule {n}: match keys {sorted(MATCH_KEYS)}, months > 0 and a "
                             f"reference are needed")
        if match.get("severity", "general") not in SEVERITIES \
                or match.get("admin_category", "other_bad") not in admin_categories("bad") \
                or match.get("info_class", "planning") not in info_classes():
            raise ValueError(f"disclosure.yaml {where} rule {n}: {match} names no bad category, class or severity")
        out.append(DisplayRule(tuple(sorted(match.items())), months, str(reference)))
    return tuple(out)


@lru_cache(maxsize=1)
def display_periods() -> ParameterHistory:
    raw = yaml.safe_load(DISCLOSURE_FILE.read_text(encoding="utf-8"))
    for since, entry in raw["display_periods"]["values"].items():
        _rules(entry["value"], str(since))
    return ParameterHistory(raw)


@lru_cache(maxsize=4096)
def _rules_on(day: date) -> tuple[DisplayRule, ...]:
    return _rules(display_periods().value("display_periods", day), day.isoformat())


def severity_of(item: CatalogueItem) -> str:
    """severe: the item fires a 122号 Art.16 fuse (严重失信) or is a 较重行政处罚 (spec G1-06(a)); else general."""
    return "severe" if item.fuse_article or item.heavier else "general"


def display_rule(record: Record, item: CatalogueItem | None) -> DisplayRule | None:
    """The rule that sets the record's display period; None for a good record or one no rule fits."""
    if item is None or item.polarity != "bad":
        return None
    facts = {"admin_category": record.admin_category or item.admin_category, "info_class": record.info_class,
             "severity": severity_of(item)}
    return next((rule for rule in _rules_on(record.act_date) if rule.fits(facts)), None)


def shown_until(record: Record, item: CatalogueItem | None) -> date | None:
    """The last day the public portal shows the record (None: without end)."""
    rule = display_rule(record, item)
    return None if rule is None else add_months_civil(record.act_date, rule.months)


def publicly_shown(record: Record, item: CatalogueItem | None, today: date) -> bool:
    last = shown_until(record, item)
    return last is None or today <= last
