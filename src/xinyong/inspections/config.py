"""The domain's defaults (defaults.yaml): the grades drawn whole (spec G1-09), the whitelist rule (spec G3-02)
and the four exception codes (44号 Task 12). Each value applies from its date until a later one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DEFAULTS_FILE = Path(__file__).with_name("defaults.yaml")


@dataclass(frozen=True)
class Factors:
    """grade → factor of the routine ratio, the grades drawn whole, and where the figures come from."""

    factors: dict[str, Fraction]
    every_drawn: frozenset[str]
    source: str


@dataclass(frozen=True)
class WhitelistRule:
    grade: str
    clean_months: int
    review_months: int
    reference: str


@lru_cache(maxsize=1)
def _raw() -> dict[str, Any]:
    return yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _at(name: str, day: date) -> dict[str, Any]:
    """The value of `name` in force on `day` (the latest dated on or before it; the earliest before any)."""
    values = {date.fromisoformat(str(k)): v for k, v in _raw()[name]["values"].items()}
    dates = sorted(values)
    current = [d for d in dates if d <= day]
    return values[current[-1] if current else dates[0]]  # type: ignore[no-any-return]


def every_drawn(day: date) -> tuple[frozenset[str], str]:
    """The grades drawn whole whatever the ratio, and the reference that says so."""
    entry = _at("inspection_factors", day)
    return frozenset(entry["every_drawn"]), str(entry["reference"])


def whitelist_rule(day: date) -> WhitelistRule:
    entry = _at("whitelist", day)
    return WhitelistRule(entry["grade"], int(entry["clean_months"]), int(entry["review_months"]), entry["reference"])


def exception_codes() -> dict[str, dict[str, str]]:
    """code → {name, reference}: the four cases that allow an on-site inspection of a whitelisted subject."""
    return dict(_raw()["exception_codes"])
