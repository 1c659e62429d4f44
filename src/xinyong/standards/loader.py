"""Load and validate the regulation-as-data YAML files.

A standard that breaks the measures is refused with every problem named (:class:`StandardError`):
an item without its citation, an item without a per-period maximum (cap) or caps of one bucket adding up past its
budget (122号 Art.11(2), spec D1-27(i)), an industry standard without a work-safety indicator (122号 Art.11(1)),
an unknown fuse article (122号 Art.16), accident grades that do not fit the item (国务院令第493号 第三条,
122号 Art.16(1), spec G1-06(c)).

Citations: the data files write the citation key (``article: 122号 Art.16(6)``, ``fuse: 122号 Art.16(4)``,
:mod:`xinyong.rules.citation`); the loader renders them for Chinese display (``122号 第十六条(六)``, fuse
``第十六条(四)``), so the objects, the database and the HTTP responses carry the same text as before the key.
A standard submitted through the API may write either form.
"""

from __future__ import annotations

from collections.abc import Mapping
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


# Former names of parameters, still answered while callers move to the new name.
_ALIASES = {"min_years_in_force_before_update": "standard_min_years_in_force"}


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
        series = self._raw[_ALIASES.get(name, name)]
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
    accidents = history.value("accident_grades", on)
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
        accident_grades=tuple(str(g) for g in accidents["grades"]),
        major_accident_grades=tuple(str(g) for g in accidents["grades"][accidents["grades"].index(
            accidents["fuse_from"]):]),
        standard_min_years_in_force=int(history.value("standard_min_years_in_force", on)),
    )


@lru_cache(maxsize=4)
def load_parameters(path: Path = DEFAULT_DIR / "parameters.yaml") -> ParameterHistory:
    with open(path, encoding="utf-8") as fh:
        return ParameterHistory(yaml.safe_load(fh))


def add_years(day: date, years: int) -> date:
    """The same calendar date `years` later; 29 February becomes 28 February (a year per spec G0-1,
    民法典 第二百零二条: the period ends on the corresponding day, or the month's last day if there is none)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def standard_min_years_in_force(on: date, history: ParameterHistory | None = None) -> int:
    """122号 Art.12 "评价标准确需更新的,实施满一年后可以更新": years a standard — the general one and every
    industry's — is in force before a replacement may take effect (parameter `standard_min_years_in_force`)."""
    return int((history or load_parameters()).value("standard_min_years_in_force", on))


def earliest_replacement_date(in_force_since: date, on: date | None = None,
                              history: ParameterHistory | None = None) -> date:
    """The first day a replacement of a standard in force since `in_force_since` may take effect (122号 Art.12),
    for the general standard and the industry standards alike. `on`: the day whose parameter applies (the
    replacement's proposed effective date; default `in_force_since`). A replacement effective on or after the
    returned day is allowed; before it, refused."""
    return add_years(in_force_since, standard_min_years_in_force(on or in_force_since, history))


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
            grades = entry.get("accident_grades") or ()
            if isinstance(grades, str):
                raise TypeError("accident_grades is a list of grade names")
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
                    source=str(entry.get("source") or ""),
                    accident_grades=tuple(str(g) for g in grades),
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
                # only when given, so content of items without them keeps its former shape
                **({"source": it.source} if it.source else {}),
                **({"accident_grades": list(it.accident_grades)} if it.accident_grades else {}),
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
        # A fuse-only item (122号 Art.16 sets the level to D whatever the score) may carry 0 points and cap 0.
        fuse_only = it.fuse is not None and it.points == 0
        if it.points < 0 or (it.points == 0 and not fuse_only):
            problems.append(f"{it.code}: points must be a positive integer")
        if it.cap is None:
            problems.append(f"{it.code}: no cap — every item states the most points it gives in one period "
                            f"(122号 第十一条(二), spec D1-27(i))")
        elif it.cap < it.points:
            problems.append(f"{it.code}: cap {it.cap} is below the points of one occurrence {it.points}")
        elif it.points == 0 and it.cap != 0:
            problems.append(f"{it.code}: cap {it.cap} of an item that gives 0 points must be 0")
        budget = params.budget(std.family, it.polarity)
        if it.points > budget:
            problems.append(f"{it.code}: {it.points} points exceed the family budget {budget} (122号 第十一条(二))")
        if it.fuse is not None and (it.fuse not in FUSE_ARTICLES or it.fuse == HEAVIER_FUSE_ARTICLE):
            problems.append(f"{it.code}: fuse must be one of 第十六条(一)…(五),(七); (六) is counted via heavier")
        if it.fuse is not None and it.polarity != "bad":
            problems.append(f"{it.code}: only bad information can trigger the fuse (第十六条)")
        if it.heavier and it.polarity != "bad":
            problems.append(f"{it.code}: only a penalty can be a heavier penalty (第十六条(六))")
        problems += _accident_problems(it, params)
    # 122号 Art.11(2), spec D1-27(i): the caps of the items of one bucket (family × bonus/deduction) add up to at
    # most its budget, so no combination of records can pass it; the kernel still applies the budget (D1-27(ii)).
    for polarity, kind, en in (("good", "加分", "bonus"), ("bad", "减分", "deduction")):
        caps = [(it.code, it.cap or 0) for it in std.items if it.polarity == polarity]
        total = sum(cap for _, cap in caps)
        budget = params.budget(std.family, polarity)
        if total > budget:
            parts = " + ".join(f"{code} {cap}" for code, cap in caps if cap)
            problems.append(
                f"{std.family} {kind} ({en}): item caps add up to {total} > budget {budget} (122号 第十一条(二)): "
                f"{parts}"
            )
    # 122号 Art.11(1): 在行业指标制定中，均需考虑…安全生产责任落实情况的指标设计.
    if std.family == "industry" and not any(it.work_safety for it in std.items):
        problems.append("industry standard has no work-safety indicator (安全生产责任落实情况, 122号 第十一条(一))")
    if not std.reference.strip():
        problems.append("standard: no legal reference")
    return problems


_MAJOR_ACCIDENT_FUSE = "第十六条(一)"


def _accident_problems(it: Item, params: Parameters) -> list[str]:
    """A production-safety accident item lists the 国务院令第493号 grades its records carry; only 重大 and
    above fire 122号 Art.16(1) "发生重大安全事故" (spec G1-06(c)), so an item accepting a major grade fuses
    Art.16(1) and an item accepting a lesser grade does not."""
    if not it.accident_grades:
        return []
    problems: list[str] = []
    unknown = [g for g in it.accident_grades if g not in params.accident_grades]
    if unknown:
        problems.append(f"{it.code}: accident_grades {', '.join(unknown)} not among "
                        f"{'/'.join(params.accident_grades)} (国务院令第493号 第三条)")
    if it.polarity != "bad":
        problems.append(f"{it.code}: only bad information records an accident")
    major = [g for g in it.accident_grades if g in params.major_accident_grades]
    lesser = [g for g in it.accident_grades if g in params.accident_grades and g not in major]
    if major and lesser:
        problems.append(f"{it.code}: accident_grades mix grades that fire 122号 第十六条(一) "
                        f"({', '.join(major)}) with grades that do not ({', '.join(lesser)})")
    elif major and it.fuse != _MAJOR_ACCIDENT_FUSE:
        problems.append(f"{it.code}: an accident of grade {', '.join(major)} fires 122号 第十六条(一); "
                        f"the item must carry that fuse")
    elif lesser and it.fuse is not None:
        problems.append(f"{it.code}: an accident of grade {', '.join(lesser)} does not fire the fuse "
                        f"(122号 第十六条(一) only from {params.major_accident_grades[0]})")
    return problems


def accident_grade_problem(item: Item, grade: str | None) -> tuple[str, str] | None:
    """Why a record of `item` with accident grade `grade` (国务院令第493号 第三条: 一般/较大/重大/特别重大) is
    refused, as (Chinese, English) for a 422 naming `accident_grade`; None when it fits. A record of an accident
    item carries a grade its item accepts (spec G1-06(c), X-08); a record of any other item carries none."""
    if not item.accident_grades:
        if grade is None or not str(grade).strip():
            return None
        return (f"指标 {item.code}（{item.name}）不是生产安全事故指标，不填写事故等级",
                f"item {item.code} is not a production-safety accident item: accident_grade must be empty")
    accepted = "、".join(item.accident_grades)
    if grade is None or not str(grade).strip():
        return (f"生产安全事故记录须填写事故等级：指标 {item.code} 可填 {accepted}（国务院令第493号 第三条）",
                f"a production-safety accident record carries its grade: item {item.code} accepts "
                f"{', '.join(item.accident_grades)} (State Council Decree 493, Art.3)")
    if grade not in item.accident_grades:
        return (f"事故等级“{grade}”不适用于指标 {item.code}（{item.name}），该指标可填 {accepted}"
                f"（国务院令第493号 第三条；重大及以上适用 122号 第十六条(一)）",
                f"accident grade {grade!r} does not fit item {item.code}, which accepts "
                f"{', '.join(item.accident_grades)} (State Council Decree 493, Art.3; 重大 and above: 122号 Art.16(1))")
    return None


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

