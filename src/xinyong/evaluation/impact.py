"""What-if impact of a standard version: every subject evaluated under the standards in force on `as_of` and
under the same standards with this version in place of the one of its family/industry, on the same day.

One population load (:func:`xinyong.evaluation.service.load_population`), two calls of the batch kernel — the
same code that scores the stored evaluations — so 100,000 subjects take seconds.

Rows are evaluations: a general standard affects the general evaluation and every industry evaluation of every
subject (industry scores build on the general one, 122号 Art.11(2)); an industry standard affects the
evaluations in that industry only. An evaluation is *changed* when its score or level differs.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from ..governance.rulebook import rulebook
from ..governance.service import get_row, to_standard
from ..rules import kernel
from ..rules.identifiers import mask_resident_id
from ..rules.table import ScoringTable, build_table
from ..standards.model import Standard
from .service import Population, load_population


@dataclass
class Scored:
    score: np.ndarray  # (n, 1 + n_industries): general, then each industry
    level: np.ndarray  # same shape, index into level_names


def score_all(pop: Population, table: ScoringTable) -> Scored:
    rec_subject, rec_item = pop.records_for(table)
    s = kernel.score(pop.base, rec_subject, rec_item, table)
    scores = np.column_stack([s.general, s.industry]) if len(pop.ids) else np.zeros((0, 1 + len(table.industries)),
                                                                                      dtype=np.int64)
    fused = np.repeat(s.fused[:, None], scores.shape[1], axis=1)
    return Scored(score=scores, level=kernel.level_index(scores, fused, table))


@dataclass
class ImpactReport:
    version: str
    as_of: date
    replaces: str | None
    total: int
    changed: int
    transitions: dict[str, int]
    before: dict[str, int]
    after: dict[str, int]
    subjects: list[dict[str, Any]] = field(default_factory=list)

    def to_api(self, limit: int | None = None) -> dict[str, Any]:
        return {
            "version": self.version, "as_of": self.as_of.isoformat(), "replaces": self.replaces,
            "total": self.total, "changed": self.changed, "transitions": self.transitions,
            "distribution": {"before": self.before, "after": self.after},
            "subjects": self.subjects if limit is None else self.subjects[:limit],
        }

    def to_csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(["subject", "industry", "before_score", "before_level", "after_score", "after_level", "delta"])
        for s in self.subjects:
            w.writerow([s["subject"], s["industry"] or "", s["before"]["score"], s["before"]["level"],
                        s["after"]["score"], s["after"]["level"], s["after"]["score"] - s["before"]["score"]])
        return out.getvalue()


def _with_replacement(standards: tuple[Standard, ...], std: Standard) -> tuple[list[Standard], str | None]:
    out, replaced = [], None
    for s in standards:
        if (s.family, s.industry) == (std.family, std.industry):
            out.append(std)
            replaced = s.version
        else:
            out.append(s)
    if replaced is None:
        out.append(std)
    return out, replaced


def impact(session: Session, version: str, as_of: date, may_see_personal: bool) -> ImpactReport:
    row = get_row(session, version)
    std = to_standard(row, as_of)
    rb = rulebook(session, as_of)
    industries = rb.table.industries
    standards, replaced = _with_replacement(rb.standards, std)
    after_table = build_table(standards, rb.params, industries)
    pop = load_population(session, as_of, rb.params, industries)
    before = score_all(pop, rb.table)
    after = score_all(pop, after_table)

    # Which evaluations the version governs: (subject position, column) with column 0 = general.
    n = len(pop.ids)
    member = np.column_stack([np.ones(n, dtype=np.bool_), pop.memberships]) if n else np.zeros((0, 1 + len(industries)), dtype=np.bool_)
    if std.family == "industry":
        k = industries.index(std.industry) if std.industry in industries else -1
        mask = np.zeros_like(member)
        if k >= 0:
            mask[:, 1 + k] = member[:, 1 + k]
    else:
        mask = member
    rows, cols = np.nonzero(mask)
    b_score, a_score = before.score[rows, cols], after.score[rows, cols]
    b_level, a_level = before.level[rows, cols], after.level[rows, cols]
    changed = (b_score != a_score) | (b_level != a_level)
    names = rb.table.level_names

    n_levels = len(names)
    pair_counts = np.bincount(b_level * n_levels + a_level, minlength=n_levels * n_levels)
    # transitions keyed by level, highest level first; unchanged levels ("B->B") included so the counts add
    # up to `total` and give the distribution before and after.
    order = list(range(n_levels - 1, -1, -1))
    transitions = {f"{names[i]}->{names[j]}": int(pair_counts[i * n_levels + j])
                   for i in order for j in order if pair_counts[i * n_levels + j]}
    before_dist = {names[i]: int(np.count_nonzero(b_level == i)) for i in order}
    after_dist = {names[i]: int(np.count_nonzero(a_level == i)) for i in order}

    idx = np.flatnonzero(changed)
    ch_rows, ch_cols = rows[idx].tolist(), cols[idx].tolist()
    bs, as_ = b_score[idx].tolist(), a_score[idx].tolist()
    bl, al = b_level[idx].tolist(), a_level[idx].tolist()
    scope_names: list[str | None] = [None, *industries]
    subjects = []
    for j, p in enumerate(ch_rows):
        code = pop.codes[p]
        if pop.kinds[p] == "individual" and not may_see_personal:
            code = mask_resident_id(code)  # spec G1-17
        subjects.append({"subject": code, "industry": scope_names[ch_cols[j]],
                         "before": {"score": bs[j], "level": names[bl[j]]},
                         "after": {"score": as_[j], "level": names[al[j]]}})
    subjects.sort(key=lambda s: (s["after"]["score"] - s["before"]["score"], s["subject"],
                                 s["industry"] or ""))
    return ImpactReport(version=version, as_of=as_of, replaces=replaced, total=int(len(rows)),
                        changed=int(changed.sum()), transitions=transitions, before=before_dist, after=after_dist,
                        subjects=subjects)
