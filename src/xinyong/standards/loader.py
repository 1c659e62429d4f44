"""Load and validate the regulation-as-data YAML files.

A standard that breaks the measures is refused with every problem named (:class:`StandardError`):
an item without its citation, item caps that can exceed a family budget of 122号 Art.11(2), an industry
standard without a work-safety indicator (122号 Art.11(1)), an unknown fuse article (122号 Art.16).

Citations: the data files write the citation key (``article: 122号 Art.16(6)``, ``fuse: 122号 Art.16(4)``,
:mod:`xinyong.rules.citation`); the loader renders them for Chinese display (``122号 第十六条(六)``, fuse
``第十六条(四)``), so the objects, the database and the HTTP responses carry the same text as before the key.
A standard submitted through the API may write either form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from . import citation
from .model import FUSE_ARTICLES, HEAVIER_FUSE_ARTICLE, Item, LevelBand, Parameters, Standard

DEFAULT_DIR = Path(__file__).parent / "default"


class StandardError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


class ParameterHistory:
    """Every framework parameter with its values keyed by effective date (OpenFisca style)."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw: dict[str, list[tuple[date, Any]]] = {}
        for name, spec in raw.items():
            values = spec["values"]
            series = []
            for since, entry in values.items():
                if not entry.get("reference"):
                    raise StandardError([f"parameter {name} at {since}: missing reference (legal citation)"])
                series.append((_as_date(since), entry["value"]))
            self._raw[name] = sorted(series, key=lambda pair: pair[0])

    def value(self, name: str, on: date) -> Any:
        series = self._raw[name]
        chosen = series[0][1]  # before the first date, the first value applies (measures in force from issue)
        for since, value in series:
            if since <= on:
                chosen = value
        return chosen

    def at(self, on: date) -> Parameters:
        return _parameters_at(self, on)


def _parameters_at(history: ParameterHistory, on: date) -> Parameters:
    rng = history.value("score_range", on)
    budgets = history.value("family_budgets", on)
    period = history.value("evaluation_period", on)
    return Parameters(
        score_min=int(rng["min"]),
        score_max=int(rng["max"]),
        base_scores={str(k): int(v) for k, v in history.value("base_scores", on).items()},
        budgets={
            (family, kind): int(points)
            for family, parts in budgets.items()
            for kind, points in parts.items()
        },
        grade_mins={str(k): int(v) for k, v in history.value("grades", on).items()},
        levels=tuple(LevelBand(str(b["level"]), str(b["grade"]), int(b["min"])) for b in history.value("levels", on)),
        heavier_fuse_count=int(history.value("heavier_penalty_fuse_count", on)),
        period_months=int(period["months"]),
        period_anchor=_as_date(period["anchor"]),
        entry_deadline_workdays=int(history.value("entry_deadline_workdays", on)),
    )


@lru_cache(maxsize=4)
def load_parameters(path: Path = DEFAULT_DIR / "parameters.yaml") -> ParameterHistory:
    with open(path, encoding="utf-8") as fh:
        return ParameterHistory(yaml.safe_load(fh))


def _fuse_display(value: Any) -> str | None:
    """`fuse` as written in the data (the key ``122号 Art.16(4)``) as the display form the objects carry
    (``第十六条(四)``). Any other value (the display form sent through the API, or a mistake) is kept as given,
    for validation to accept or name."""
    if value is None:
        return None
    text = str(value)
    if citation.is_key(text):
        key = citation.parse(text)
        if key.doc == citation.DEFAULT_DOC:
            return citation.zh(key, with_doc=False)
    return text


def _display(value: Any) -> str:
    """A citation text with its keys rendered for display (texts without keys are returned unchanged)."""
    return citation.render_zh(str(value))


def _render_all(value: Any) -> Any:
    if isinstance(value, str):
        return citation.render_zh(value)
    if isinstance(value, list):
        return [_render_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _render_all(v) for k, v in value.items()}
    return value


def standard_from_dict(raw: Mapping[str, Any]) -> Standard:
    """Build a Standard from its JSON/YAML shape, refusing malformed entries with all problems named."""
    problems: list[str] = []
    family = raw.get("family")
    industry = raw.get("industry")
    if family not in ("general", "industry"):
        problems.append(f"family: must be general or industry, got {family!r}")
    if family == "industry" and not industry:
        problems.append("industry: an industry standard names its industry")
    if family == "general" and industry:
        problems.append("industry: the general standard has no industry")
    items: list[Item] = []
    for n, entry in enumerate(raw.get("items") or []):
        where = f"items[{n}] {entry.get('code', '?')}"
        try:
            points = int(entry["points"])
            cap = None if entry.get("cap") is None else int(entry["cap"])
            items.append(
                Item(
                    code=str(entry["code"]),
                    name=str(entry["name"]),
                    polarity=entry["polarity"],
                    family=family,  # type: ignore[arg-type]
                    industry=industry,
                    points=points,
                    cap=cap,
                    article=_display(entry.get("article") or ""),
                    admin_category=str(entry.get("admin_category", "other")),
                    source_category=str(entry.get("source_category", "planning")),
                    fuse=_fuse_display(entry.get("fuse")),
                    heavier=bool(entry.get("heavier", False)),
                    work_safety=bool(entry.get("work_safety", False)),
                    default=bool(entry.get("default", False)),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{where}: malformed ({exc})")
    if problems:
        raise StandardError(problems)
    try:
        effective = _as_date(raw["effective_date"])
    except (KeyError, ValueError) as exc:
        raise StandardError([f"effective_date: {exc}"]) from exc
    return Standard(
        version=str(raw.get("version", "")),
        family=family,  # type: ignore[arg-type]
        industry=industry,
        name=str(raw.get("name", "")),
        effective_date=effective,
        reference=_display(raw.get("reference", "")),
        items=tuple(items),
    )


def standard_to_dict(std: Standard) -> dict[str, Any]:
    return {
        "version": std.version,
        "family": std.family,
        "industry": std.industry,
        "name": std.name,
        "effective_date": std.effective_date.isoformat(),
        "reference": std.reference,
        "items": [
            {
                "code": it.code,
                "name": it.name,
                "polarity": it.polarity,
                "points": it.points,
                "cap": it.cap,
                "article": it.article,
                "admin_category": it.admin_category,
                "source_category": it.source_category,
                "fuse": it.fuse,
                "heavier": it.heavier,
                "work_safety": it.work_safety,
                "default": it.default,
            }
            for it in std.items
        ],
    }


def validation_problems(std: Standard, params: Parameters) -> list[str]:
    """Every way `std` breaks the measures; empty when it may be loaded."""
    problems: list[str] = []
    seen: set[str] = set()
    for it in std.items:
        if it.code in seen:
            problems.append(f"{it.code}: duplicate item code")
        seen.add(it.code)
        if not it.article.strip():
            problems.append(f"{it.code}: no legal citation (article) — every indicator cites its basis")
        if it.polarity not in ("good", "bad"):
            problems.append(f"{it.code}: polarity must be good or bad")
            continue
        if it.points <= 0:
            problems.append(f"{it.code}: points must be a positive integer")
        if it.cap is not None and it.cap < it.points:
            problems.append(f"{it.code}: cap {it.cap} is below the points of one occurrence {it.points}")
        budget = params.budget(std.family, it.polarity)
        if it.points > budget:
            problems.append(f"{it.code}: {it.points} points exceed the family budget {budget} (122号 第十一条(二))")
        if it.fuse is not None and (it.fuse not in FUSE_ARTICLES or it.fuse == HEAVIER_FUSE_ARTICLE):
            problems.append(f"{it.code}: fuse must be one of 第十六条(一)…(五),(七); (六) is counted via heavier")
        if it.fuse is not None and it.polarity != "bad":
            problems.append(f"{it.code}: only bad information can trigger the fuse (第十六条)")
        if it.heavier and it.polarity != "bad":
            problems.append(f"{it.code}: only a penalty can be a heavier penalty (第十六条(六))")
    # 122号 Art.11(2), spec D1-27(i): the caps of the items in one bucket may not add up past its budget.
    # An item without a cap is bounded only by the family budget at computation time (D1-27(ii)).
    for polarity, kind in (("good", "加分"), ("bad", "减分")):
        capped = [it.cap for it in std.items if it.polarity == polarity and it.cap is not None]
        budget = params.budget(std.family, polarity)
        if sum(capped) > budget:
            problems.append(
                f"{std.family} {kind}: item caps add up to {sum(capped)} > budget {budget} (122号 第十一条(二))"
            )
    # 122号 Art.11(1): 在行业指标制定中，均需考虑…安全生产责任落实情况的指标设计.
    if std.family == "industry" and not any(it.work_safety for it in std.items):
        problems.append("industry standard has no work-safety indicator (安全生产责任落实情况, 122号 第十一条(一))")
    if not std.reference.strip():
        problems.append("standard: no legal reference")
    return problems


def validate_standard(std: Standard, params: Parameters) -> Standard:
    problems = validation_problems(std, params)
    if problems:
        raise StandardError(problems)
    return std


def load_standard_file(path: Path, params: Parameters) -> Standard:
    with open(path, encoding="utf-8") as fh:
        return validate_standard(standard_from_dict(yaml.safe_load(fh)), params)


def default_standard_files(directory: Path = DEFAULT_DIR) -> list[Path]:
    return [directory / "general.yaml", *sorted(directory.glob("industry_*.yaml"))]


def load_reference(path: Path = DEFAULT_DIR / "reference.yaml") -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        data: dict[str, Any] = _render_all(yaml.safe_load(fh))
    return data


def all_items(standards: Iterable[Standard]) -> list[Item]:
    return [it for std in standards for it in std.items]
