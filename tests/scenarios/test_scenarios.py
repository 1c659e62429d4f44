"""OpenFisca-style scenarios (tests/scenarios/*.yaml) run through the pure kernel and the default rulebook.

Each scenario reads as a sentence: a subject with a national grade, records (catalogue item codes with their act
dates), a day of evaluation (`as_of`), and the expected score, grade, level and fuse. The runner does what the
evaluation service does, without a database: the standards in force on `as_of` (src/xinyong/standards/default),
the framework parameters of that day, the records of the period containing `as_of` up to it (122号 Art.13,
spec G1-02/G1-08), then xinyong.rules.kernel. Each scenario carries its citation key(s) as the pytest marker
`article`, so `grep "122号 Art.16(6)"` finds it and tests/rules/test_citation.py counts it.

Schema of one scenario (a list item of a file):

    name: sentence              # also the test id
    article: 122号 Art.11(2)     # one key or a list of keys
    spec: §1.6 …                 # optional: where the example comes from
    national_grade: B           # A | B | C | D | none
    industry: survey_design     # optional: the industry composite evaluated; omitted → the general score
    as_of: 2026-06-30
    records:                    # optional
      - {item: GEN-B01, act: 2026-03-01}          # `count: n` repeats the record
      - {item: GEN-D12, act: 2026-03-01, accident_grade: 重大}   # 国务院令第493号 grade, checked against the item
    expect: {score: 720, grade: B, level: B, fused: false, fuse: [122号 Art.16(6)]}   # any subset

A file may define `test_items:` (top level, next to `scenarios:`): one-point indicators for boundaries that the
default catalogue (multiples of 5) cannot reach, e.g. {code: T-G-, polarity: bad, family: general, points: 1};
industry test items join the scenario's industry standard.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from xinyong.rules import citation, kernel
from xinyong.rules.period import period_bounds
from xinyong.rules.table import build_table
from xinyong.standards.loader import (
    accident_grade_problem,
    default_standard_files,
    load_parameters,
    load_standard_file,
)
from xinyong.standards.model import Item, Standard

HERE = Path(__file__).parent


def _load() -> list[Any]:
    params = []
    for path in sorted(HERE.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        test_items = doc.get("test_items", [])
        for sc in doc["scenarios"]:
            keys = [sc["article"]] if isinstance(sc["article"], str) else list(sc["article"])
            params.append(pytest.param(sc, test_items, marks=pytest.mark.article(*keys),
                                       id=f"{path.stem}: {sc['name']}"))
    return params


def _standards(as_of: date, industry: str | None, test_items: list[dict[str, Any]]) -> list[Standard]:
    """The default standards in force on `as_of` (the latest effective date not after it, 122号 Art.12), with the
    file's test items added to the general standard and to the evaluated industry's."""
    params = load_parameters().at(as_of)
    stds = [load_standard_file(p, params) for p in default_standard_files()]
    out = []
    for std in stds:
        if std.effective_date > as_of:
            continue
        extra = tuple(
            Item(code=t["code"], name=t["code"], polarity=t["polarity"], family=std.family, industry=std.industry,
                 points=int(t["points"]), cap=t.get("cap"), article="test item")
            for t in test_items
            if t["family"] == std.family and (std.family == "general" or std.industry == industry)
        )
        out.append(replace(std, items=std.items + extra))
    return out


def evaluate(sc: dict[str, Any], test_items: list[dict[str, Any]]) -> dict[str, Any]:
    as_of = sc["as_of"] if isinstance(sc["as_of"], date) else date.fromisoformat(str(sc["as_of"]))
    params = load_parameters().at(as_of)
    industry = sc.get("industry")
    stds = _standards(as_of, industry, test_items)
    industries = sorted({s.industry for s in stds if s.industry})
    table = build_table(stds, params, industries)
    index = table.index_of()
    by_code = {it.code: it for std in stds for it in std.items}
    start, end = period_bounds(as_of, params.period_months, params.period_anchor)
    items = []
    for rec in sc.get("records") or []:
        act = rec["act"] if isinstance(rec["act"], date) else date.fromisoformat(str(rec["act"]))
        # what the records service refuses (422 naming accident_grade) never reaches the kernel
        problem = accident_grade_problem(by_code[rec["item"]], rec.get("accident_grade"))
        assert problem is None, f"{rec}: {problem[1]}"
        if start <= act <= min(end, as_of):  # 122号 Art.13: each period starts afresh; as_of sees what was done by then
            items += [index[rec["item"]]] * int(rec.get("count", 1))
    grade = sc["national_grade"]
    base = np.asarray([params.base_scores["none" if grade in (None, "none") else grade]], dtype=np.int64)
    ri = np.asarray(items, dtype=np.int64)
    s = kernel.score(base, np.zeros(len(ri), dtype=np.int64), ri, table)
    scores = s.industry[:, industries.index(industry)] if industry else s.general
    return {
        "score": int(scores[0]),
        "grade": table.grade_names[kernel.fused_grade_index(scores, s.fused, table)[0]],
        "level": table.level_names[kernel.level_index(scores, s.fused, table)[0]],
        "fused": bool(s.fused[0]),
        "fuse": [str(table.fuse_keys[k]) for k in np.flatnonzero(s.fuse_hits[0])],
    }


@pytest.mark.parametrize("scenario,test_items", _load())
def test_scenario(scenario: dict[str, Any], test_items: list[dict[str, Any]]) -> None:
    for key in [scenario["article"]] if isinstance(scenario["article"], str) else scenario["article"]:
        citation.parse(key)
    got = evaluate(scenario, test_items)
    expected = scenario["expect"]
    assert {k: got[k] for k in expected} == expected, scenario["name"]
