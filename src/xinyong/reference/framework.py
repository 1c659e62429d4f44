"""The evaluation framework in force on a day, read from the data (parameters.yaml), for the UI, CLI and API.

One source (issue 6 item 5): score range, the four grades (122号 Art.14), the nine levels (G1-01), base scores
(122号 Art.13, 122号 Art.15), the fuse articles (122号 Art.16), the evaluation period (G1-02), the entry deadline (122号 Art.8(1))
and the validity of the measures (122号 Art.28, G1-14) come from :func:`xinyong.standards.loader.load_parameters`;
nothing here repeats their values. Self-contained (schemas and computation) so it can move as one piece.

Validity warning (spec G1-14 "alert 6 months ahead"), counted per 民法典 第二百零一条至第二百零三条 (spec G0-1):
the six months that end on the last day in force L are the period whose uncounted start day (122号 Art.201) is the
corresponding day six months before L — or that month's last day when it has none (122号 Art.202) — so the
warning shows from the day after it: for L = 2027-05-10 the period is 2026-11-11 … 2027-05-10, and the first
warning day is 2026-11-11 (2026-11-10 shows none). From L + 1 (2027-05-11) the measures are reported lapsed.
122号 Art.203 (a last day on a holiday moves to the next working day) governs time limits for acting, not the
term of the measures, so L is not moved.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..core.clock import beijing_today
from ..errors import InputError
from ..rules.citation import key as citation_key
from ..rules.period import period_bounds
from ..standards.loader import ParameterHistory, load_parameters
from ..standards.model import FUSE_ARTICLES, FUSE_KEYS, HEAVIER_FUSE_ARTICLE

MEASURES = "京规自发〔2024〕122号"
WARNING_MONTHS = 6  # spec G1-14: alert 6 months before the last day in force

# 122号 Art.14: the four grade classes "对应国家公共信用综合评价等级 优、良、中、差" (122号 Art.13 "即优(800)、良(650)、
# 中(500)、差(350)"). parameters.yaml has no names yet; a `grade_names` parameter there ({A: 优, …}) replaces these.
_GRADE_NAMES_122 = {"A": "优", "B": "良", "C": "中", "D": "差"}


# ---------------------------------------------------------------- response schema


class Band(BaseModel):
    min: int = Field(description="lowest score of the band, inclusive (以上)")
    below: int | None = Field(description="score from which the next band starts, exclusive (以下); null for the top band")


class GradeOut(Band):
    grade: str = Field(description="四等 grade class, e.g. A")
    name: str | None = Field(description="Chinese name (优/良/中/差), 122号 第十三条, 第十四条")


class LevelOut(Band):
    level: str = Field(description="九级 level, e.g. A-")
    grade: str = Field(description="the grade class the level belongs to")


class ScoreRange(BaseModel):
    min: int
    max: int


class FuseArticle(BaseModel):
    article: str = Field(description="display form, e.g. 第十六条(一) (as in fuse_reasons and the catalogue)")
    key: str = Field(description="citation key, e.g. 122号 Art.16(1) (xinyong.rules.citation)")
    text: str | None = Field(description="Chinese text of the item when the data holds it, else null")
    counted: bool = Field(description="true for 第十六条(六): triggered by a count of heavier penalties, not one record")


class Fuse(BaseModel):
    articles: list[FuseArticle]
    heavier_penalty_count: int = Field(description="较重行政处罚 in one period that trigger 第十六条(六)")


class Period(BaseModel):
    months: int
    anchor: date
    first_day: date = Field(description="first day of the period containing as_of")
    last_day: date = Field(description="last day of the period containing as_of")


class Notice(BaseModel):
    kind: Literal["expiring", "lapsed"]
    message_zh: str
    message_en: str


class Validity(BaseModel):
    first_day: date = Field(description="first day the measures are in force (122号 第二十八条)")
    last_day: date = Field(description="last day in force (spec G1-14)")
    warning_from: date = Field(description="first day of the six months before last_day (民法典 第二百零一条至第二百零三条)")
    status: Literal["in_force", "expiring", "lapsed"]
    days_left: int = Field(description="calendar days from as_of to last_day (negative once lapsed)")
    warning: Notice | None = Field(description="null while more than six months remain")


class SystemStatus(BaseModel):
    version: str
    today: date
    validity: Validity


class Framework(BaseModel):
    as_of: date
    measures: str
    score_range: ScoreRange
    grades: list[GradeOut] = Field(description="four grade classes, best first (122号 第十四条)")
    levels: list[LevelOut] = Field(description="nine levels, best first (122号 第十四条, spec G1-01)")
    base_scores: dict[str, int] = Field(description="initial score by national grade; `none` = no national grade")
    fuse: Fuse
    evaluation_period: Period
    entry_deadline_workdays: int = Field(description="working days after the act to enter manual data (第八条(一))")
    validity: Validity


# ---------------------------------------------------------------- computation


def _optional(history: ParameterHistory, name: str, on: date) -> Any:
    try:
        return history.value(name, on)
    except KeyError:
        return None


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def months_before(day: date, months: int) -> date:
    """The corresponding day `months` months before `day`, or the last day of that month when it has none
    (民法典 第二百零二条)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def validity_on(raw: Mapping[str, Any], on: date) -> Validity:
    first, last = _as_date(raw["from"]), _as_date(raw["last_day"])
    warn_from = months_before(last, WARNING_MONTHS) + timedelta(days=1)
    days_left = (last - on).days
    notice: Notice | None = None
    status: Literal["in_force", "expiring", "lapsed"] = "in_force"
    if on > last:
        status = "lapsed"
        notice = Notice(
            kind="lapsed",
            message_zh=f"本办法（{MEASURES}）有效期已于 {last.isoformat()} 届满（第二十八条），请核实是否已修订或延续。",
            message_en=f"The measures ({MEASURES}) lapsed after their last day in force, {last.isoformat()} "
                       "(122号 Art.28): check whether they have been revised or extended.",
        )
    elif on >= warn_from:
        status = "expiring"
        notice = Notice(
            kind="expiring",
            message_zh=f"本办法（{MEASURES}）有效期至 {last.isoformat()}，剩余 {days_left + 1} 天（含当日），"
                       "不足六个月，请及时评估修订（第二十八条）。",
            message_en=f"The measures ({MEASURES}) are in force until {last.isoformat()}, {days_left + 1} days "
                       "including today, less than six months: review and revise them in time (122号 Art.28).",
        )
    return Validity(first_day=first, last_day=last, warning_from=warn_from, status=status, days_left=days_left,
                    warning=notice)


def validity_notice(on: date, history: ParameterHistory | None = None) -> Notice | None:
    """The expiring / lapsed notice of the measures on `on` (122号 Art.28, spec G1-14), None while in force."""
    history = history or load_parameters()
    return validity_on(history.value("measures_validity", on), on).warning


def first_day_in_force(history: ParameterHistory | None = None) -> date:
    """The first day of the measures: `from` of the earliest measures_validity entry (before its first date a
    parameter history answers with its first value)."""
    history = history or load_parameters()
    return _as_date(history.value("measures_validity", date.min)["from"])


def parse_as_of(text: str | None, history: ParameterHistory | None = None, today: date | None = None) -> date:
    """`as_of` of a framework query: an ISO date YYYY-MM-DD not before the measures took effect; default today."""
    if text is None or text == "":
        return today or beijing_today()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise InputError("as_of", f"日期格式错误，应为 YYYY-MM-DD：{text[:40]}",
                         f"as_of must be a date YYYY-MM-DD, got {text[:40]!r}")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError("as_of", f"日期不存在：{text}", f"as_of {text} is not a calendar date") from None
    first = first_day_in_force(history)
    if day < first:
        raise InputError("as_of", f"{day.isoformat()} 早于本办法施行日 {first.isoformat()}（第二十八条）",
                         f"as_of {day.isoformat()} is before the measures took effect on {first.isoformat()} (122号 Art.28)")
    return day


def _bands(mins: list[int]) -> list[int | None]:
    """For bands sorted best first, the exclusive upper bound of each: the min of the band above."""
    return [None, *mins[:-1]]


def grade_order(on: date, history: ParameterHistory | None = None) -> list[str]:
    """The grade classes in force on `on`, best first (for listings such as the CLI's counts per grade)."""
    params = (history or load_parameters()).at(on)
    return [g for g, _ in sorted(params.grade_mins.items(), key=lambda kv: -kv[1])]


def level_order(on: date, history: ParameterHistory | None = None) -> list[str]:
    """The nine levels in force on `on`, best first (122号 Art.14; G1-01)."""
    params = (history or load_parameters()).at(on)
    return [band.level for band in sorted(params.levels, key=lambda b: -b.min)]


def framework_on(on: date, history: ParameterHistory | None = None) -> Framework:
    history = history or load_parameters()
    params = history.at(on)
    names_raw = _optional(history, "grade_names", on)
    names: Mapping[str, str] = names_raw if isinstance(names_raw, Mapping) else _GRADE_NAMES_122
    grades_sorted = sorted(params.grade_mins.items(), key=lambda kv: -kv[1])
    grade_below = _bands([m for _, m in grades_sorted])
    levels_sorted = sorted(params.levels, key=lambda b: -b.min)
    level_below = _bands([b.min for b in levels_sorted])
    texts_raw = _optional(history, "fuse_articles", on)
    texts: dict[str, str] = {}
    if isinstance(texts_raw, list):
        texts = {str(e["article"]): str(e["text"]) for e in texts_raw if isinstance(e, Mapping) and e.get("text")}
    elif isinstance(texts_raw, Mapping):
        texts = {str(k): str(v) for k, v in texts_raw.items()}
    first, last = period_bounds(on, params.period_months, params.period_anchor)
    return Framework(
        as_of=on,
        measures=MEASURES,
        score_range=ScoreRange(min=params.score_min, max=params.score_max),
        grades=[GradeOut(grade=g, name=names.get(g), min=m, below=b)
                for (g, m), b in zip(grades_sorted, grade_below, strict=True)],
        levels=[LevelOut(level=band.level, grade=band.grade, min=band.min, below=b)
                for band, b in zip(levels_sorted, level_below, strict=True)],
        base_scores=dict(params.base_scores),
        fuse=Fuse(
            articles=[FuseArticle(article=a, key=citation_key(k), text=texts.get(a) or texts.get(citation_key(k)),
                                  counted=a == HEAVIER_FUSE_ARTICLE)
                      for a, k in zip(FUSE_ARTICLES, FUSE_KEYS, strict=True)],
            heavier_penalty_count=params.heavier_fuse_count,
        ),
        evaluation_period=Period(months=params.period_months, anchor=params.period_anchor,
                                 first_day=first, last_day=last),
        entry_deadline_workdays=params.entry_deadline_workdays,
        validity=validity_on(history.value("measures_validity", on), on),
    )
