"""双随机 — the draw of an inspection plan, exactly (122号 Art.22, 122号 Art.25; spec G1-09, X-09). Pure: no I/O.

Anyone re-computes a draw from the published population, seed, factors, base ratio and inspector list with
nothing but SHA-256 (RECIPE says how). Arithmetic is exact (fractions of the decimal strings): 0.3 × 0.1 × 10 is
0.3, never 0.30000000000000004, so a ceil at a boundary is the one a person computes by hand.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

SEED_PATTERN = re.compile(r"[0-9a-f]{32}\Z")
INSPECTORS_PER_SUBJECT = 2

RECIPE = (
    "抽取方法（任何人可据公布的对象名单和随机种子复算）：\n"
    "1. 对象名单 population 为计划生成时该行业评价对象及其行业信用评价等级，已剔除“无事不扰”白名单对象（另列 whitelisted）。\n"
    "2. 各等级抽查比例 = min(1, 系数 × 基础比例 base_ratio)，系数见 factors；every_drawn 所列等级（D 级重点监管对象）全部抽取。\n"
    "3. 各等级抽取数 = ceil(比例 × 该等级对象数)，按精确小数计算（无浮点误差）。\n"
    "4. 每个等级内，按 SHA-256(\"{seed}:{对象代码}\") 的小写十六进制串升序排列，取前 抽取数 个。\n"
    "5. 每个被抽中的对象，从本部门执法检查人员名录中按 SHA-256(\"{seed}:{对象代码}:{检查人员代码}\") 的小写十六进制串"
    "升序排列，取前 2 名检查人员。\n"
    "字符串均为 UTF-8 编码，冒号为半角，不含空格；seed 为 32 位小写十六进制。\n"
    "\n"
    "How to re-compute this draw from the published population and seed:\n"
    "1. population is the industry's subjects with their industry credit grade when the plan was drawn, without the "
    "subjects on the no-disturbance whitelist (listed separately as whitelisted).\n"
    "2. ratio of a grade = min(1, factor × base_ratio), factors as published; every subject of a grade listed in "
    "every_drawn (grade D, key supervision objects) is drawn.\n"
    "3. count of a grade = ceil(ratio × number of that grade's subjects in population), in exact decimal arithmetic.\n"
    "4. Within each grade, order the subjects by the lowercase hex SHA-256 of the UTF-8 string \"{seed}:{code}\" "
    "ascending and take the first count.\n"
    "5. For each drawn subject, order the department's inspectors by the lowercase hex SHA-256 of "
    "\"{seed}:{subject_code}:{inspector_code}\" ascending and take the first 2.\n"
    "ASCII colons, no spaces; seed is 32 lowercase hex characters."
)


def subject_key(seed: str, code: str) -> str:
    return hashlib.sha256(f"{seed}:{code}".encode()).hexdigest()


def inspector_key(seed: str, subject_code: str, inspector_code: str) -> str:
    return hashlib.sha256(f"{seed}:{subject_code}:{inspector_code}".encode()).hexdigest()


def exact(value: str | Decimal | float | int) -> Fraction:
    """The exact value of a decimal written as text (a float is read by its shortest repr: 0.3 → 3/10)."""
    if isinstance(value, float):
        value = repr(value)
    return Fraction(Decimal(value))


def ratio(factor: Fraction, base_ratio: Fraction) -> Fraction:
    """min(1, factor × base_ratio): a ratio never exceeds every subject (spec G1-09)."""
    return min(Fraction(1), factor * base_ratio)


def count(factor: Fraction, base_ratio: Fraction, population: int, every_drawn: bool = False) -> int:
    """How many of a grade's `population` subjects are drawn: all of them for an every-drawn grade (D: at least one
    on-site inspection per period, 122号 Art.22(4)1), else ceil(ratio × population), exactly."""
    if every_drawn:
        return population
    return math.ceil(ratio(factor, base_ratio) * population)


def decimal_text(value: Fraction) -> str:
    """A ratio as a plain decimal string when it has one (factors × decimal ratios always do)."""
    d = Decimal(value.numerator) / Decimal(value.denominator)
    if Fraction(d) != value:
        return f"{value.numerator}/{value.denominator}"
    text = format(d.normalize(), "f")
    return text


@dataclass(frozen=True)
class Quota:
    grade: str
    factor: Fraction
    ratio: Fraction
    population: int
    count: int
    every_drawn: bool


@dataclass(frozen=True)
class Drawn:
    code: str
    grade: str
    rank: int  # 1-based place in its grade's hash order
    inspectors: tuple[str, ...]


@dataclass(frozen=True)
class Draw:
    quotas: tuple[Quota, ...]
    drawn: tuple[Drawn, ...]


def draw(population: Sequence[tuple[str, str]], seed: str, factors: Mapping[str, Fraction], base_ratio: Fraction,
         every_drawn: frozenset[str], inspectors: Sequence[str],
         per_subject: int = INSPECTORS_PER_SUBJECT) -> Draw:
    """The plan's draw. `population`: (code, grade) pairs; `factors`: grade → factor (every grade in the
    population needs one: KeyError otherwise); `inspectors`: the department's inspector codes. Grades are
    drawn in the order of `factors`, then subjects in hash order."""
    by_grade: dict[str, list[str]] = {}
    for code, grade in population:
        by_grade.setdefault(grade, []).append(code)
    missing = set(by_grade) - set(factors)
    if missing:
        raise KeyError(f"no inspection factor for grade(s) {', '.join(sorted(missing))}")
    quotas: list[Quota] = []
    drawn: list[Drawn] = []
    for grade, factor in factors.items():
        codes = sorted(by_grade.get(grade, []), key=lambda c: (subject_key(seed, c), c))
        always = grade in every_drawn
        n = count(factor, base_ratio, len(codes), always)
        quotas.append(Quota(grade, factor, ratio(factor, base_ratio), len(codes), n, always))
        for rank, code in enumerate(codes[:n], start=1):
            team = sorted(inspectors, key=lambda i, c=code: (inspector_key(seed, c, i), i))[:per_subject]
            drawn.append(Drawn(code, grade, rank, tuple(team)))
    return Draw(tuple(quotas), tuple(drawn))
