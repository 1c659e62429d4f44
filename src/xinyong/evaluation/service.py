"""Evaluate subjects: real time (one subject, inside the writing transaction) and batch (everyone).

Both paths call the same kernel (:mod:`xinyong.rules.kernel`); a property test proves they agree.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from ..core.uow import UnitOfWork
from ..errors import InputError
from ..governance.rulebook import Rulebook, rulebook
from ..listings.service import fusing_listings
from ..messages.evaluation import ARCHIVED_FIELDS as ARCHIVED_FIELDS  # re-exported (archive.verify)
from ..messages.evaluation import (
    ChangedColumns,
    EvaluationChanged,
    EvaluationsChanged,
    Outcome,
    SubjectReevaluated,
)
from ..records import repository as records_repo
from ..records.models import Record
from ..records.service import REFUSAL_FUSE_KEY
from ..reference import service as reference_service
from ..reference.framework import first_day_in_force, validity_notice
from ..rules import kernel
from ..rules.period import period_bounds
from ..rules.table import GENERAL_BONUS, GENERAL_DEDUCTION, ScoringTable
from ..standards import citation
from ..standards.model import Parameters
from ..subjects import repository as subjects_repo
from ..subjects.models import Subject
from . import repository
from .models import GENERAL_SCOPE, Evaluation

# What an evaluation concludes, as stored and as shown; the stored row adds its fuse articles and components.
OUTCOME_FIELDS = ("standard_version", "base_score", "score", "grade", "level", "fused")
# The columns compared between the batch and the real-time path.
STORED_FIELDS = (*OUTCOME_FIELDS, "fuse_articles", "components")


@dataclass
class EvaluationResult:
    subject: str
    industry: str | None
    as_of: date
    standard_version: str
    base_score: int
    score: int
    grade: str
    level: str
    fused: bool
    fuse_reasons: list[dict[str, Any]]
    components: dict[str, int]
    lines: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)  # e.g. the measures lapsed (122号 Art.28)

    @property
    def scope(self) -> str:
        return self.industry or GENERAL_SCOPE

    def _outcome(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in OUTCOME_FIELDS}

    def stored(self) -> dict[str, Any]:
        """The columns of the stored evaluation (STORED_FIELDS)."""
        return {**self._outcome(), "fuse_articles": [r["article"] for r in self.fuse_reasons],
                "components": self.components}

    def to_api(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "industry": self.industry,
            "as_of": self.as_of.isoformat(),
            **self._outcome(),
            "fuse_reasons": self.fuse_reasons,
            "components": self.components,
            "lines": self.lines,
            "warnings": self.warnings,
        }


def base_grade(grades: Iterable[tuple[date, str | None]], period_start: date) -> str | None:
    """The national level that seeds a period: the one current at the period's start; a subject first known
    during the period starts from its first known level. 122号 Art.13, 122号 Art.15; spec G1-15."""
    ordered = sorted(grades, key=lambda g: g[0])
    if not ordered:
        return None
    current = ordered[0][1]
    for valid_from, grade in ordered:
        if valid_from <= period_start:
            current = grade
    return current


def base_score(grade: str | None, params: Parameters) -> int:
    """122号 Art.13: 优800 良650 中500 差350; no national level → 500 (122号 Art.15 初始等级为中(C), G1-03)."""
    return params.base_scores[grade or "none"]


def check_as_of(as_of: date) -> None:
    """122号 Art.28: the measures are in force from 2024-05-11 (data): there is no evaluation before that day."""
    first = first_day_in_force()
    if as_of < first:
        raise InputError("as_of", f"评价日期 {as_of} 早于本办法施行之日 {first}（122号 第二十八条）",
                         f"as_of {as_of} is before the measures took effect on {first} (122号 Art.28)")


def evaluate_subject(session: Session, subject: Subject, as_of: date) -> dict[str, EvaluationResult]:
    """The general evaluation and one per industry of the subject, with explanation lines (122号 Art.19 可追溯)."""
    check_as_of(as_of)
    rb = rulebook(session, as_of)
    start, _end = period_bounds(as_of, rb.params.period_months, rb.params.period_anchor)
    grade = base_grade(((g.valid_from, g.grade) for g in subject.grades), start)
    base = base_score(grade, rb.params)
    records = records_repo.counting_for_subject(session, subject.id, start, as_of)
    persisting = persisting_fuses(session, start, as_of, subject.id).get(subject.id, {})
    return _explain(subject.code, subject.industry_codes, base, records, rb, persisting)


# 122号 Art.16(2) 拒不履行: a refusal from an earlier period stays in force until a record closes it (performed).
REFUSAL_FUSE = REFUSAL_FUSE_KEY


def persisting_fuses(session: Session, period_start: date, as_of: date, subject_id: int | None = None,
                     subject_ids: Collection[int] | None = None) -> dict[int, dict[str, dict[str, list[int]]]]:
    """subject id → fuse key → {"record_ids", "listing_ids"}: the fuse conditions that still hold on `as_of`
    whatever the period's records say (spec G1-05): a listing on the national serious-dishonesty list
    (122号 Art.16(1), G1-15) and a refusal to perform from an earlier period not yet closed (122号 Art.16(2))."""
    out: dict[int, dict[str, dict[str, list[int]]]] = {}
    for sid, hits in fusing_listings(session, as_of, subject_id, subject_ids).items():
        for membership_id, key in hits:
            out.setdefault(sid, {}).setdefault(key, {"record_ids": [], "listing_ids": []})["listing_ids"].append(
                membership_id)
    refusal_items = reference_service.items_firing(session, REFUSAL_FUSE)
    since = first_day_in_force()  # 122号 Art.28: acts before the measures fire nothing
    for sid, record_id in records_repo.open_refusals(session, refusal_items, since, period_start, as_of, subject_id,
                                                     subject_ids):
        out.setdefault(sid, {}).setdefault(REFUSAL_FUSE, {"record_ids": [], "listing_ids": []})["record_ids"].append(
            record_id)
    return out


# 122号 Art.28: acts dated before the measures took effect are history: stored and shown, never scored.
_BEFORE_IN_FORCE = ("本办法施行前的行为，不计分、不触发熔断（122号 第二十八条）",
                    "an act before the measures took effect scores nothing and fires no fuse (122号 Art.28)")
_NOT_IN_STANDARD = ("该指标不在评价日适用的评价标准中，不计分（122号 第十二条）",
                    "the item is not in the standards in force on the evaluation day: it scores nothing (122号 Art.12)")


def _unscored_line(r: Record, why: tuple[str, str]) -> dict[str, Any]:
    return {"record_id": r.id, "item": r.item, "points": 0, "applied": 0, "article": None,
            "note_zh": why[0], "note_en": why[1]}


def _fuse_column(t: ScoringTable, key: str) -> int:
    return t.fuse_keys.index(citation.parse(key))


def _explain(code: str, industries: list[str], base: int, records: list[Record], rb: Rulebook,
             persisting: dict[str, dict[str, list[int]]] | None = None) -> dict[str, EvaluationResult]:
    t = rb.table
    first = first_day_in_force()
    known = [r for r in records if r.item in rb.item_index and r.act_date >= first]
    unscored = [_unscored_line(r, _BEFORE_IN_FORCE if r.act_date < first else _NOT_IN_STANDARD)
                for r in records if r.item not in rb.item_index or r.act_date < first]
    rec_item = np.asarray([rb.item_index[r.item] for r in known], dtype=np.int64)
    rec_subject = np.zeros(len(known), dtype=np.int64)
    scores = kernel.score(np.asarray([base], dtype=np.int64), rec_subject, rec_item, t)
    applied = kernel.allocate(rec_subject, rec_item, t)
    # spec G1-05: conditions that still hold on the evaluation day (a listing, an unperformed refusal) fire their
    # fuse in any period (122号 Art.16(1)(2))
    held = {_fuse_column(t, key): ids for key, ids in (persisting or {}).items()}
    fused = bool(scores.fused[0]) or bool(held)
    fuse_reasons = []
    for k in range(len(t.fuse_keys)):
        if not scores.fuse_hits[0, k] and k not in held:
            continue
        if not scores.fuse_hits[0, k]:
            ids: list[int] = []
        elif k == t.heavier_reason:
            ids = [r.id for r, i in zip(known, rec_item, strict=True) if t.heavier[i]]
        else:
            ids = [r.id for r, i in zip(known, rec_item, strict=True) if t.fuse_reason[i] == k]
        also = held.get(k, {"record_ids": [], "listing_ids": []})
        fuse_reasons.append({"article": t.fuse_label(k), "record_ids": sorted(ids + also["record_ids"]),
                             "listing_ids": also["listing_ids"]})
    lines_by_bucket: dict[int, list[dict[str, Any]]] = {}
    for r, i, a in zip(known, rec_item, applied, strict=True):
        lines_by_bucket.setdefault(int(t.bucket[i]), []).append(
            {"record_id": r.id, "item": r.item, "points": int(t.points[i]) * (1 if t.bucket[i] % 2 == 0 else -1),
             "applied": int(a), "article": t.item_articles[i]}
        )
    grade_names, level_names = t.grade_names, t.level_names
    general_lines = lines_by_bucket.get(GENERAL_BONUS, []) + lines_by_bucket.get(GENERAL_DEDUCTION, []) + unscored
    general_lines.sort(key=lambda ln: ln["record_id"])
    components = {
        "general_bonus": int(scores.applied[0, GENERAL_BONUS]),
        "general_deduction": int(scores.applied[0, GENERAL_DEDUCTION]),
        "industry_bonus": 0,
        "industry_deduction": 0,
    }

    notice = validity_notice(rb.as_of)
    warnings = [notice.model_dump(mode="json")] if notice is not None else []

    def result(industry: str | None, score_value: int, lines: list[dict[str, Any]], comps: dict[str, int]
               ) -> EvaluationResult:
        s = np.asarray([score_value], dtype=np.int64)
        f = np.asarray([fused])
        return EvaluationResult(
            subject=code, industry=industry, as_of=rb.as_of, standard_version=rb.version_for(industry),
            base_score=base, score=score_value,
            grade=grade_names[int(kernel.fused_grade_index(s, f, t)[0])],
            level=level_names[int(kernel.level_index(s, f, t)[0])],
            fused=fused, fuse_reasons=fuse_reasons, components=comps, lines=lines, warnings=warnings,
        )

    out = {GENERAL_SCOPE: result(None, int(scores.general[0]), general_lines, components)}
    for industry in industries:
        k = t.industries.index(industry)
        lines = general_lines + lines_by_bucket.get(2 + 2 * k, []) + lines_by_bucket.get(3 + 2 * k, [])
        lines.sort(key=lambda ln: ln["record_id"])
        comps = dict(components, industry_bonus=int(scores.applied[0, 2 + 2 * k]),
                     industry_deduction=int(scores.applied[0, 3 + 2 * k]))
        out[industry] = result(industry, int(scores.industry[0, k]), lines, comps)
    return out




def refresh_subject(uow: UnitOfWork, subject_id: int, cause: dict[str, Any] | None = None
                    ) -> dict[str, EvaluationResult]:
    """122号 Art.13 系统实时更新: recompute the subject's current evaluations in the caller's transaction,
    and publish every change of score, grade or level with its cause (archived, 122号 Art.19)."""
    session = uow.session
    today = uow.clock.today()
    session.flush()
    uow.lock_subject(subject_id)  # read the records only once every earlier writer of this subject has committed
    subject = session.get(Subject, subject_id)
    assert subject is not None
    results = evaluate_subject(session, subject, today)
    stored = {e.scope: e for e in repository.stored_for_subject(session, subject_id)}
    for scope, res in results.items():
        row = stored.pop(scope, None)
        new = res.stored()
        old = None if row is None else {f: getattr(row, f) for f in ARCHIVED_FIELDS}
        if row is None:
            session.add(Evaluation(subject_id=subject.id, scope=scope, as_of=today, **new))
        else:
            row.as_of = today
            for name, value in new.items():
                setattr(row, name, value)
        if old is None or any(old[f] != new[f] for f in ARCHIVED_FIELDS):
            uow.publish(EvaluationChanged(
                subject.id, subject.code, scope=scope, as_of=today.isoformat(), old=old,
                new={f: new[f] for f in ARCHIVED_FIELDS}, fuse_articles=new["fuse_articles"],
                components=new["components"], cause=cause or {}))
    for row in stored.values():
        session.delete(row)
    session.flush()
    uow.publish(SubjectReevaluated(subject.id, subject.code, {k: r.to_api() for k, r in results.items()}))
    return results


@dataclass
class BatchSummary:
    as_of: date
    subjects: int
    evaluations: int
    records: int
    changed: int
    stored: bool
    grades: dict[str, dict[str, int]]
    mismatches: list[str]
    skipped: int = 0  # Spark engine: subjects left to the real-time path (new or written since the export)


@dataclass
class Population:
    """Every subject as arrays, loaded once and scored under any number of scoring tables (batch evaluation,
    what-if impact of a draft standard). Records are kept by item code so each table maps them itself."""

    as_of: date
    period_start: date
    ids: np.ndarray  # subject ids, ascending
    codes: list[str]
    kinds: list[str]
    base: np.ndarray  # initial score per subject (122号 Art.13)
    industries: tuple[str, ...]
    memberships: np.ndarray  # (n, len(industries)) bool: the subject is evaluated in the industry
    rec_subject: np.ndarray  # position in `ids` of each counting record
    rec_code: np.ndarray  # index into `item_codes` of each counting record
    item_codes: tuple[str, ...]

    def records_for(self, table: ScoringTable) -> tuple[np.ndarray, np.ndarray]:
        """(rec_subject, rec_item) for `table`: records of items the table does not know are left out."""
        index = table.index_of()
        lookup = np.asarray([index.get(c, -1) for c in self.item_codes], dtype=np.int64)
        rec_item = lookup[self.rec_code] if len(self.rec_code) else np.zeros(0, dtype=np.int64)
        keep = rec_item >= 0
        return self.rec_subject[keep], rec_item[keep]


def load_population(session: Session, as_of: date, params: Parameters, industries: tuple[str, ...]
                    ) -> Population:
    """Subjects, their base scores for the period of `as_of`, industry memberships and counting records."""
    start, _ = period_bounds(as_of, params.period_months, params.period_anchor)
    session.flush()
    subject_rows = subjects_repo.population_rows(session)
    ids = np.asarray([r[0] for r in subject_rows], dtype=np.int64)
    n = len(ids)
    grades: dict[int, list[tuple[date, str | None]]] = {}
    for sid, valid_from, grade in subjects_repo.all_national_grades(session):
        grades.setdefault(sid, []).append((valid_from, grade))
    base = np.asarray([base_score(base_grade(grades.get(int(sid), []), start), params) for sid in ids],
                      dtype=np.int64)
    memberships = np.zeros((n, len(industries)), dtype=np.bool_)
    ind_pos = {code: k for k, code in enumerate(industries)}
    m_rows = subjects_repo.all_memberships(session)
    if m_rows and n:
        m_sid = np.searchsorted(ids, np.asarray([r[0] for r in m_rows], dtype=np.int64))
        m_ind = np.asarray([ind_pos.get(r[1], -1) for r in m_rows], dtype=np.int64)
        ok = m_ind >= 0
        memberships[m_sid[ok], m_ind[ok]] = True
    # The kernel needs occurrences per (subject, item), not the records' order.
    # 122号 Art.28: acts before the measures took effect count for nothing
    rows = records_repo.counting_rows_in_period(session, max(start, first_day_in_force()), as_of)
    vocab: dict[str, int] = {}
    rec_subject = np.searchsorted(ids, np.asarray([r[0] for r in rows], dtype=np.int64)).astype(np.int64)
    rec_code = np.asarray([vocab.setdefault(r[1], len(vocab)) for r in rows], dtype=np.int64)
    return Population(as_of=as_of, period_start=start, ids=ids, codes=[r[1] for r in subject_rows],
                      kinds=[r[2] for r in subject_rows], base=base, industries=tuple(industries),
                      memberships=memberships, rec_subject=rec_subject, rec_code=rec_code,
                      item_codes=tuple(vocab))


# ---------------------------------------------------------------------------------------------------------------
# The batch path on the store (issue 10 items 3 and 4). One pure function, `score_chunk`, scores a chunk of
# subjects from plain rows; the in-process engine feeds it chunks read from the store with streaming cursors, the
# Spark engine (spark_engine.py) feeds it the rows of a Parquet export grouped by subject. Both hand their results
# to `store_chunk`, which compares them with the stored evaluations and writes back only what changed.
# ---------------------------------------------------------------------------------------------------------------

GENERAL_INDEX = 0  # scope index of the general evaluation; industry k of the table is scope index 1 + k
COMPONENTS = ("general_bonus", "general_deduction", "industry_bonus", "industry_deduction")
RESULT_COLUMNS = ("subject_id", "scope", "base_score", "score", "grade", "level", "fused", "fuse_mask", *COMPONENTS)
FUSE_GUARD = 60  # bits of a fuse mask (int64): far more than the seven items of 122号 Art.16


@dataclass(frozen=True)
class BatchContext:
    """What scoring a chunk needs, as plain picklable data (shipped to Spark executors): the day, its period, the
    compiled standards in force and the initial scores of the national levels."""

    as_of: date
    period_start: date
    counts_from: date  # the first act date that counts: the period's start, never before 122号 Art.28's first day
    table: ScoringTable
    base_scores: dict[str, int]  # national level (or "none") → initial score (122号 Art.13, Art.15)
    scopes: tuple[str, ...]  # per scope index: "general", then the table's industries
    versions: tuple[str, ...]  # per scope index: the standard versions applied (EvaluationResult.standard_version)

    @classmethod
    def for_day(cls, session: Session, as_of: date) -> BatchContext:
        rb = rulebook(session, as_of)
        start, _ = period_bounds(as_of, rb.params.period_months, rb.params.period_anchor)
        t = rb.table
        return cls(as_of=as_of, period_start=start, counts_from=max(start, first_day_in_force()), table=t,
                   base_scores=dict(rb.params.base_scores), scopes=(GENERAL_SCOPE, *t.industries),
                   versions=(rb.version_for(None), *(rb.version_for(code) for code in t.industries)))

    def fuse_articles(self, mask: int) -> list[str]:
        return [self.table.fuse_label(k) for k in range(len(self.table.fuse_keys)) if mask >> k & 1]


def _codes(values: Iterable[Any], index: dict[Any, int], n: int) -> np.ndarray:
    """Positions of `values` in `index` (-1 when unknown), as int64."""
    return np.fromiter((index.get(v, -1) for v in values), dtype=np.int64, count=n)


def _day(value: Any) -> int:
    """A date as its ordinal (SQLite's driver and Parquet readers may hand back text or datetime64)."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10]).toordinal()
    if isinstance(value, np.datetime64):
        return int(value.astype("datetime64[D]").astype(np.int64)) + date(1970, 1, 1).toordinal()
    return value.toordinal()  # type: ignore[no-any-return]


@dataclass
class ChunkRows:
    """The rows of a chunk of subjects as read from the store or from a Parquet export, codes as text. Every row's
    subject is in `ids`; records are the counting records of the period (act date in [counts_from, as_of])."""

    ids: np.ndarray  # subject ids, ascending, unique
    grade_subject: np.ndarray  # national levels (122号 Art.13): subject, valid_from (ordinal), id, level or None
    grade_day: np.ndarray
    grade_seq: np.ndarray
    grade: Sequence[str | None]
    member_subject: np.ndarray  # industry evaluations the subject is in (G1-04)
    member_industry: Sequence[str]
    rec_subject: np.ndarray  # counting records: subject, item code (or, read from the store, the item's position
    rec_item: Sequence[str] | np.ndarray  # in the table of the day: an int array)
    held_subject: np.ndarray  # fuse conditions holding on as_of whatever the period (G1-05): subject, fuse key
    held_key: Sequence[str]


def empty_ids() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


@dataclass
class ChunkResult:
    """One row per (subject, scope), ordered by subject then scope index; all columns int64 arrays (`fused` bool).
    `grade`/`level` index the table's names, `fuse_mask` bit k is fuse column k (ScoringTable.fuse_label)."""

    subject_id: np.ndarray
    scope: np.ndarray
    base_score: np.ndarray
    score: np.ndarray
    grade: np.ndarray
    level: np.ndarray
    fused: np.ndarray
    fuse_mask: np.ndarray
    general_bonus: np.ndarray
    general_deduction: np.ndarray
    industry_bonus: np.ndarray
    industry_deduction: np.ndarray
    records: int = 0  # counting records scored

    def columns(self) -> dict[str, np.ndarray]:
        return {c: getattr(self, c) for c in RESULT_COLUMNS}

    @classmethod
    def from_columns(cls, cols: Any, records: int = 0) -> ChunkResult:
        """From a mapping of column → array (a pandas or Arrow table's columns)."""
        out = {c: np.asarray(cols[c], dtype=np.bool_ if c == "fused" else np.int64) for c in RESULT_COLUMNS}
        return cls(**out, records=records)

    def __len__(self) -> int:
        return len(self.subject_id)


def _positions(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The position in `ids` (ascending, unique) of each of `values`, every one of which is in `ids`: through a dense
    table over ids[0]..ids[-1] when the ids fill at least a quarter of that span (a chunk's ids almost always do),
    else by binary search. 5·10^6 records of a 5·10^5-subject chunk: a gather instead of 19 cache-missing probes
    each (issue 10, first-run profile)."""
    n = len(ids)
    if n == 0 or len(values) == 0:
        return np.searchsorted(ids, values)
    lo = int(ids[0])
    span = int(ids[-1]) - lo + 1
    if span > 4 * n + 1024:
        return np.searchsorted(ids, values)
    table = np.full(span, -1, dtype=np.int64)
    table[np.asarray(ids, dtype=np.int64) - lo] = np.arange(n, dtype=np.int64)
    return table[np.asarray(values, dtype=np.int64) - lo]


def _chunk_base(ctx: BatchContext, rows: ChunkRows) -> np.ndarray:
    """Initial score per subject: the national level current at the period's start, else the first level known
    (ordered by valid_from, then id: as base_grade over Subject.grades), else none (122号 Art.13, Art.15; G1-15)."""
    n = len(rows.ids)
    base = np.full(n, ctx.base_scores["none"], dtype=np.int64)
    if len(rows.grade_subject) == 0:
        return base
    pos = _positions(rows.ids, rows.grade_subject)
    value = np.fromiter((ctx.base_scores[g or "none"] for g in rows.grade), dtype=np.int64, count=len(pos))
    order = np.lexsort((rows.grade_seq, rows.grade_day, pos))
    pos, day, value = pos[order], rows.grade_day[order], value[order]
    first = np.r_[True, pos[1:] != pos[:-1]]
    base[pos[first]] = value[first]
    current = day <= ctx.period_start.toordinal()
    p, v = pos[current], value[current]
    if len(p):
        last = np.r_[p[1:] != p[:-1], True]
        base[p[last]] = v[last]
    return base


def score_chunk(ctx: BatchContext, rows: ChunkRows) -> ChunkResult:
    """Score a chunk of subjects with the kernel (122号 Art.11(2), Art.13, Art.14, Art.16): pure, no database."""
    t = ctx.table
    ids = np.asarray(rows.ids, dtype=np.int64)
    n = len(ids)
    base = _chunk_base(ctx, rows)
    item = rows.rec_item.astype(np.int64) if isinstance(rows.rec_item, np.ndarray) else \
        _codes(rows.rec_item, t.index_of(), len(rows.rec_item))
    known = item >= 0  # an item not in the standards in force scores nothing (122号 Art.12)
    rec_pos = _positions(ids, np.asarray(rows.rec_subject, dtype=np.int64)[known])
    scores = kernel.score(base, rec_pos, item[known], t)
    hits = scores.fuse_hits.copy()
    if len(rows.held_subject):  # 122号 Art.16(1)(2), G1-05: a listing or an open refusal fires in any period
        columns = {key: _fuse_column(t, key) for key in set(rows.held_key)}
        hits[np.searchsorted(ids, np.asarray(rows.held_subject, dtype=np.int64)),
             np.asarray([columns[k] for k in rows.held_key], dtype=np.int64)] = True
    fused = hits.any(axis=1) if hits.size else np.zeros(n, dtype=np.bool_)
    mask = (hits.astype(np.int64) << np.arange(hits.shape[1], dtype=np.int64)).sum(axis=1)
    member = _codes(rows.member_industry, {code: k for k, code in enumerate(t.industries)},
                    len(rows.member_industry))
    m_ok = member >= 0
    in_industry = np.zeros((n, len(t.industries)), dtype=np.bool_)
    in_industry[_positions(ids, np.asarray(rows.member_subject, dtype=np.int64)[m_ok]), member[m_ok]] = True
    ind_pos, ind_k = np.nonzero(in_industry)
    pos = np.r_[np.arange(n), ind_pos].astype(np.int64)
    scope = np.r_[np.zeros(n, dtype=np.int64), ind_k + 1].astype(np.int64)
    order = np.lexsort((scope, pos))
    pos, scope = pos[order], scope[order]
    general = scope == GENERAL_INDEX
    k = np.maximum(scope - 1, 0)
    value = np.where(general, scores.general[pos], scores.industry[pos, k]) if n else np.zeros(0, dtype=np.int64)
    f = fused[pos]
    applied = scores.applied
    return ChunkResult(
        subject_id=ids[pos], scope=scope, base_score=base[pos], score=value,
        grade=kernel.fused_grade_index(value, f, t), level=kernel.level_index(value, f, t), fused=f,
        fuse_mask=mask[pos], general_bonus=applied[pos, GENERAL_BONUS], general_deduction=applied[pos, GENERAL_DEDUCTION],
        industry_bonus=np.where(general, 0, applied[pos, 2 + 2 * k]),
        industry_deduction=np.where(general, 0, applied[pos, 3 + 2 * k]),
        records=int(known.sum()),
    )


def read_chunk(session: Session, ctx: BatchContext, ids: np.ndarray, held: tuple[np.ndarray, list[str]]
               ) -> ChunkRows:
    """The rows of the subjects `ids` (a contiguous id range of the store), read with streaming cursors."""
    lo, hi = int(ids[0]), int(ids[-1])
    g = repository.grades_in_range(session, lo, hi)
    m = repository.memberships_in_range(session, lo, hi)
    rec_subject, rec_item = repository.records_in_range(session, ctx.counts_from, ctx.as_of, lo, hi,
                                                        ctx.table.item_codes)
    a, b = np.searchsorted(held[0], [lo, hi + 1])
    return ChunkRows(
        ids=ids,
        grade_subject=np.asarray([r[0] for r in g], dtype=np.int64),
        grade_day=np.asarray([_day(r[1]) for r in g], dtype=np.int64),
        grade_seq=np.asarray([r[2] for r in g], dtype=np.int64), grade=[r[3] for r in g],
        member_subject=np.asarray([r[0] for r in m], dtype=np.int64), member_industry=[r[1] for r in m],
        rec_subject=rec_subject, rec_item=rec_item,
        held_subject=held[0][a:b], held_key=held[1][a:b],
    )


def held_fuses(session: Session, ctx: BatchContext) -> tuple[np.ndarray, list[str]]:
    """(subject ids ascending, fuse keys) of the conditions that fire a fuse on as_of in any period: listings and
    open refusals (persisting_fuses; few, so read once for the whole population)."""
    pairs = sorted((sid, key) for sid, held in persisting_fuses(session, ctx.period_start, ctx.as_of).items()
                   for key in held)
    return np.asarray([p[0] for p in pairs], dtype=np.int64), [p[1] for p in pairs]


@dataclass
class _Tally:
    subjects: int = 0
    evaluations: int = 0
    records: int = 0
    changed: int = 0
    grades: dict[str, dict[str, int]] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)
    skipped: int = 0  # Spark: subjects written by the real-time path since the export (left as they are)


# The Spark engine's guard: given a chunk's subject ids and their stored rows (STORED_COLUMNS), the subjects to leave
# as they are (new since its export, or written by the real-time path since: fresher than the batch's snapshot).
SkipRule = Callable[[np.ndarray, list[tuple[Any, ...]]], set[int]]


def store_chunk(uow: UnitOfWork, ctx: BatchContext, res: ChunkResult, ids: np.ndarray, codes: dict[int, str],
                tally: _Tally, store: bool, compare: bool, skip_rule: SkipRule | None = None,
                cause: Callable[[int], dict[str, Any]] | None = None, listed: bool = False) -> None:
    """Compare the chunk's results with the stored evaluations of subjects lo..hi (`listed`: of exactly `ids`) and,
    when storing, write back only what changed (update, insert, delete the stale scopes; as_of moves on with one
    statement) and publish the changes of score, grade, level, fuse or standard (archived in bulk, 122号 Art.19;
    shared, 44号 Task 14), each with `cause(subject id)` (default: the batch re-evaluation of the day)."""
    session = uow.session
    t = ctx.table
    lo, hi = int(ids[0]), int(ids[-1])
    n_scopes = len(ctx.scopes)
    key = res.subject_id * n_scopes + res.scope
    scope_index = {code: i for i, code in enumerate(ctx.scopes)}
    grade_index = {g: i for i, g in enumerate(t.grade_names)}
    level_index = {lv: i for i, lv in enumerate(t.level_names)}
    for s_i in range(n_scopes):  # the distribution of grades, per scope (shown by the CLI)
        sel = res.scope == s_i
        if sel.any():
            counts = np.bincount(res.grade[sel], minlength=len(t.grade_names))
            bucket = tally.grades.setdefault(ctx.scopes[s_i], {})
            for g_i, c in enumerate(counts.tolist()):
                if c:
                    bucket[t.grade_names[g_i]] = bucket.get(t.grade_names[g_i], 0) + c
    if not (store or compare):
        return
    stored = repository.stored_of(session, ids) if listed else repository.stored_in_range(session, lo, hi)
    skip = skip_rule(ids, stored) if skip_rule else set()
    tally.skipped += len(skip)
    seen = np.zeros(len(res), dtype=np.bool_)
    parsed: dict[Any, Any] = {}

    def parse(raw: Any) -> Any:  # a stored JSON text, parsed once per distinct text (never mutated)
        if not isinstance(raw, str):
            return raw
        value = parsed.get(raw)
        if value is None:
            value = parsed[raw] = json.loads(raw)
        return value

    updates: list[dict[str, Any]] = []
    stale: list[tuple[int, str]] = []
    as_of_text = ctx.as_of.isoformat()
    batch_cause = {"event": "batch_reevaluation", "as_of": as_of_text}
    cause_of = cause or (lambda _sid: batch_cause)

    # The changed rows are few on most days and become dicts; a first run's or a 1 January re-seed's 10^6 new or
    # changed evaluations go on as columns (NewEvaluations, ChangedColumns): one object, dict and JSON text per row
    # and per consumer cost most of that run (issue 10, first-run profile).
    fuse_lists: dict[int, list[str]] = {}

    def fuse_articles(mask: int) -> list[str]:  # one list per mask, shared by its rows (never mutated)
        got = fuse_lists.get(mask)
        if got is None:
            got = fuse_lists[mask] = ctx.fuse_articles(mask)
        return got

    def outcomes(pos: np.ndarray) -> tuple[list[int], list[str], list[Outcome], list[list[str]],
                                           list[tuple[int, ...]]]:
        """subject ids, scopes, outcomes, fuse articles and components of the result rows `pos`."""
        scope_i = res.scope[pos].tolist()
        versions = [ctx.versions[k] for k in scope_i]
        grades = [t.grade_names[k] for k in res.grade[pos].tolist()]
        levels = [t.level_names[k] for k in res.level[pos].tolist()]
        new = list(zip(versions, res.score[pos].tolist(), grades, levels, res.fused[pos].tolist(), strict=True))
        comps = list(zip(*(getattr(res, c)[pos].tolist() for c in COMPONENTS), strict=True))
        return (res.subject_id[pos].tolist(), [ctx.scopes[k] for k in scope_i], new,
                [fuse_articles(m) for m in res.fuse_mask[pos].tolist()], comps)

    changed_pos: list[int] = []  # result rows whose change is archived and shared, with their old outcome
    changed_old: list[Outcome | None] = []
    if stored:
        s_sid = np.asarray([r[0] for r in stored], dtype=np.int64)
        s_scope = _codes((r[1] for r in stored), scope_index, len(stored))
        s_key = np.where(s_scope >= 0, s_sid * n_scopes + s_scope, -1)
        at = np.minimum(np.searchsorted(key, s_key), max(len(key) - 1, 0))
        found = (s_key >= 0) & (key[at] == s_key) if len(key) else np.zeros(len(stored), dtype=np.bool_)
        # every column compared at once; the JSON texts parsed once per distinct text
        idx = at[found]
        seen[idx] = True
        sub = [stored[j] for j in np.flatnonzero(found).tolist()]
        differs = np.zeros(len(stored), dtype=np.bool_)
        if sub:
            m = len(sub)
            labels = {ctx.table.fuse_label(k): k for k in range(len(ctx.table.fuse_keys))}
            fa_masks: dict[str, int] = {}
            comp_rows: dict[str, tuple[int, ...]] = {}

            def fa_mask(raw: Any) -> int:  # fuse articles as the bits of ChunkResult.fuse_mask (-1: unknown)
                got = fa_masks.get(raw)
                if got is None:
                    bits = [labels.get(a, FUSE_GUARD) for a in parse(raw)]
                    got = fa_masks[raw] = -1 if FUSE_GUARD in bits else sum(1 << b for b in set(bits))
                return got

            def comp_row(raw: Any) -> tuple[int, ...]:
                got = comp_rows.get(raw)
                if got is None:
                    value = parse(raw)
                    got = comp_rows[raw] = tuple(int(value.get(c, -1)) for c in COMPONENTS)
                return got

            version_id = {v: i for i, v in enumerate(dict.fromkeys(ctx.versions))}
            expected_version = np.asarray([version_id[v] for v in ctx.versions], dtype=np.int64)
            comps = np.asarray([comp_row(r[9]) for r in sub], dtype=np.int64).reshape(m, len(COMPONENTS))
            new_comps = np.stack([getattr(res, c)[idx] for c in COMPONENTS], axis=1)
            differs[found] = ((np.asarray([r[3] for r in sub], dtype=np.int64) != res.base_score[idx])
                              | (np.asarray([r[4] for r in sub], dtype=np.int64) != res.score[idx])
                              | (_codes((r[5] for r in sub), grade_index, m) != res.grade[idx])
                              | (_codes((r[6] for r in sub), level_index, m) != res.level[idx])
                              | (np.asarray([bool(r[7]) for r in sub], dtype=np.bool_) != res.fused[idx])
                              | (_codes((r[2] for r in sub), version_id, m) != expected_version[res.scope[idx]])
                              | (np.fromiter((fa_mask(r[8]) for r in sub), dtype=np.int64, count=m)
                                 != res.fuse_mask[idx])
                              | (comps != new_comps).any(axis=1))
        for j in np.flatnonzero(~found).tolist():
            sid = int(stored[j][0])
            if sid in skip:
                continue
            stale.append((sid, stored[j][1]))
        position = np.zeros(len(stored), dtype=np.int64)
        position[found] = idx
        rows_changed = [(j, int(position[j])) for j in np.flatnonzero(differs).tolist()
                        if int(stored[j][0]) not in skip]
        if rows_changed:
            pos = np.asarray([i for _j, i in rows_changed], dtype=np.int64)
            sids, scopes, news, fas, comps_of = outcomes(pos)
            for (j, i), sid, scope, new, fa, comp in zip(rows_changed, sids, scopes, news, fas, comps_of,
                                                         strict=True):
                r = stored[j]
                old: Outcome = (r[2], r[4], r[5], r[6], bool(r[7]))
                row = {"standard_version": new[0], "base_score": int(res.base_score[i]), "score": new[1],
                       "grade": new[2], "level": new[3], "fused": new[4], "fuse_articles": list(fa),
                       "components": dict(zip(COMPONENTS, comp, strict=True))}
                tally.changed += 1
                if len(tally.mismatches) < 50:
                    old_full = {"standard_version": r[2], "base_score": r[3], "score": r[4], "grade": r[5],
                                "level": r[6], "fused": bool(r[7]), "fuse_articles": list(parse(r[8])),
                                "components": dict(parse(r[9]))}
                    diff = {f: (old_full[f], row[f]) for f in STORED_FIELDS if old_full[f] != row[f]}
                    tally.mismatches.append(f"{codes.get(sid, sid)}/{scope}: {diff}")
                updates.append({"subject_id": sid, "scope": scope, "as_of": ctx.as_of, **row})
                if old != new:  # ARCHIVED_FIELDS moved
                    changed_pos.append(i)
                    changed_old.append(old)
    ins = np.flatnonzero(~seen)
    if skip and len(ins):
        ins = ins[~np.isin(res.subject_id[ins], np.fromiter(skip, dtype=np.int64, count=len(skip)))]
    tally.changed += len(ins) + len(stale)
    if not store:
        return
    sids, scopes, news, fas, comps_of = outcomes(ins)
    inserts = repository.NewEvaluations(
        ctx.as_of, sids, scopes, [n[0] for n in news], res.base_score[ins].tolist(), [n[1] for n in news],
        [n[2] for n in news], [n[3] for n in news], [n[4] for n in news], fas, COMPONENTS, comps_of)
    changes = None
    if changed_pos or len(ins):
        pub = np.concatenate([np.asarray(changed_pos, dtype=np.int64), ins])
        p_sids, p_scopes, p_news, p_fas, p_comps = outcomes(pub)
        changes = ChangedColumns(
            p_sids, [codes[sid] for sid in p_sids], p_scopes, as_of_text, p_news, [*changed_old, *[None] * len(ins)],
            p_fas, COMPONENTS, p_comps, [cause_of(sid) for sid in p_sids])
    # the archive's and the outbox's texts are rendered while the evaluations' COPY waits on the server (the wait
    # releases the GIL): a first run's 10^6 texts then cost it no wall time
    rendering = None
    if changes is not None and len(changes) >= RENDER_ASIDE_FROM:
        rendering = threading.Thread(target=changes.prepare, name="render-changes")
        rendering.start()
    try:
        repository.write_changes(session, updates, inserts, stale, uow.clock.now())
        if listed:
            repository.confirm_as_of_of(session, ids, ctx.as_of)
        else:
            repository.confirm_as_of(session, lo, hi, ctx.as_of)
    finally:
        if rendering is not None:
            rendering.join()
    if changes is not None:
        uow.publish(EvaluationsChanged(changes))
        uow.handle()  # archived and shared (outbox rows) per chunk; not kept in `uow.handled` (bounded memory)


# From this many changes in a chunk their texts are rendered in a thread beside the evaluations' write (a chunk of
# a first run or a 1 January re-seed: 10^5–10^6); fewer (a day's changes, an import chunk) are not worth a thread.
RENDER_ASIDE_FROM = 10_000


def read_listed(session: Session, ctx: BatchContext, ids: np.ndarray) -> ChunkRows:
    """read_chunk for exactly the subjects `ids` (ascending, unique): the touched subjects of a bulk chunk."""
    g = repository.grades_of(session, ids)
    m = repository.memberships_of(session, ids)
    rec_subject, rec_item = repository.records_of(session, ctx.counts_from, ctx.as_of, ids)
    pairs = sorted((sid, key) for sid, held in persisting_fuses(session, ctx.period_start, ctx.as_of,
                                                                  subject_ids=ids.tolist()).items() for key in held)
    return ChunkRows(
        ids=ids,
        grade_subject=np.asarray([r[0] for r in g], dtype=np.int64),
        grade_day=np.asarray([_day(r[1]) for r in g], dtype=np.int64),
        grade_seq=np.asarray([r[2] for r in g], dtype=np.int64), grade=[r[3] for r in g],
        member_subject=np.asarray([r[0] for r in m], dtype=np.int64), member_industry=[r[1] for r in m],
        rec_subject=rec_subject, rec_item=rec_item,
        held_subject=np.asarray([p[0] for p in pairs], dtype=np.int64), held_key=[p[1] for p in pairs],
    )


def reevaluate_subjects(uow: UnitOfWork, subject_ids: Iterable[int], cause: Callable[[int], dict[str, Any]],
                        explain: bool = False) -> int:
    """122号 Art.13 系统实时更新 for many subjects at once (a chunk of a bulk intake): the touched subjects are read
    together, scored by the batch kernel (score_chunk) and only what changed is stored and published, each change
    with `cause(subject id)` (archived in bulk, 122号 Art.19) — the same stored evaluations as refresh_subject once
    per subject. `explain`: also publish each subject's evaluations with their lines (SubjectReevaluated), as the
    bulk API answers them. Returns the number of evaluations changed."""
    session = uow.session
    today = uow.clock.today()
    check_as_of(today)
    ids = np.unique(np.fromiter(subject_ids, dtype=np.int64))
    if not len(ids):
        return 0
    session.flush()
    # as refresh_subject: read the records only once every earlier writer of these subjects has committed
    records_repo.lock_subjects(session, ids.tolist())
    ctx = BatchContext.for_day(session, today)
    res = score_chunk(ctx, read_listed(session, ctx, ids))
    tally = _Tally()
    store_chunk(uow, ctx, res, ids, repository.codes_of(session, ids), tally, True, False, cause=cause,
                listed=True)
    if explain:
        for sid in ids.tolist():
            subject = session.get(Subject, sid)
            assert subject is not None
            results = evaluate_subject(session, subject, today)
            uow.publish(SubjectReevaluated(subject.id, subject.code, {k: r.to_api() for k, r in results.items()}))
    return tally.changed


# Subjects per chunk of the batch. A chunk's records are spread over the whole records table, so each chunk's read
# costs about one scan of it: 250,000 (four scans at 1M subjects) measured 71 s against 88 s for 100,000 at
# 1M/10M on PostgreSQL; 500,000 (two scans) cut a first run's server CPU from 58 s to 45 s,
# peak memory 1.9 GiB against 1.1 GiB, under the 3 GiB bound (issue 10 item 3;
# bench/profiles.md).
BATCH_CHUNK = 500_000

ResultSource = Callable[[int, int], ChunkResult]  # subjects lo..hi → their results (the Spark engine's output)


def batch_evaluate(uow: UnitOfWork, as_of: date | None = None, store: bool | None = None,
                   progress: Callable[[str, int], None] | None = None, chunk: int = BATCH_CHUNK,
                   results: ResultSource | None = None, skip_rule: SkipRule | None = None,
                   commit_chunks: bool = False) -> BatchSummary:
    """Re-evaluate every subject, a chunk of `chunk` subjects at a time (keyset over subject ids): each chunk is
    read with streaming cursors and scored by one kernel call — or taken from `results` (the Spark engine) — then
    compared with the stored evaluations; when `as_of` is today `mismatches` names the differences. When storing,
    only what changed is written and published (archived in bulk, 122号 Art.19), chunk by chunk, in this unit of
    work: memory is bounded by the chunk, whatever the population.

    `commit_chunks` (the CLI, the daily refresh, the Spark write-back): each chunk commits on its own, so its
    subjects' locks and the archive lock are held for one chunk, not the whole run, and no transaction grows with
    the population (a first run at 10^6 subjects inserts, archives and shares ~2·10^6 rows). Each subject's
    evaluations, archive entries and shared changes commit together; a crash loses at most the chunk in flight,
    and the next run finds those subjects still to do. Left False when the caller's transaction must stay whole
    (ReevaluateEveryone handled inside another write)."""
    session = uow.session
    today = uow.clock.today()
    as_of = as_of or today
    store = (as_of == today) if store is None else store
    session.flush()
    ctx = BatchContext.for_day(session, as_of)
    note = progress or (lambda _label, _n: None)
    held = held_fuses(session, ctx) if results is None else (empty_ids(), [])
    tally = _Tally()
    note("total", repository.subject_count(session))
    for ids, codes in repository.subject_chunks(session, chunk):
        if store:  # real-time writers of these subjects wait for the batch; it reads what they committed (Art.13)
            repository.lock_subjects(session, int(ids[0]), int(ids[-1]))
        res = score_chunk(ctx, read_chunk(session, ctx, ids, held)) if results is None else \
            results(int(ids[0]), int(ids[-1]))
        tally.subjects += len(ids)
        tally.evaluations += len(res)
        tally.records += res.records
        store_chunk(uow, ctx, res, ids, dict(zip(ids.tolist(), codes, strict=True)), tally, store, as_of == today,
                    skip_rule)
        if store and commit_chunks:
            uow.commit()
        note("subjects", tally.subjects)
    if store:
        session.flush()
    return BatchSummary(as_of=as_of, subjects=tally.subjects, evaluations=tally.evaluations, records=tally.records,
                        changed=tally.changed, stored=store, grades=tally.grades, mismatches=tally.mismatches,
                        skipped=tally.skipped)


__all__ = ["EvaluationResult", "evaluate_subject", "refresh_subject", "batch_evaluate", "BatchSummary", "Population",
           "load_population", "BatchContext", "ChunkRows", "ChunkResult", "score_chunk", "store_chunk",
           "reevaluate_subjects"]
