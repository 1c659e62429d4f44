"""Evaluate subjects: real time (one subject, inside the writing transaction) and batch (everyone).

Both paths call the same kernel (:mod:`xinyong.rules.kernel`); a property test proves they agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from ..core.uow import UnitOfWork
from ..errors import InputError
from ..governance.rulebook import Rulebook, rulebook
from ..listings.service import fusing_listings
from ..messages.evaluation import EvaluationChanged, EvaluationsChanged, SubjectReevaluated
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


def persisting_fuses(session: Session, period_start: date, as_of: date, subject_id: int | None = None
                     ) -> dict[int, dict[str, dict[str, list[int]]]]:
    """subject id → fuse key → {"record_ids", "listing_ids"}: the fuse conditions that still hold on `as_of`
    whatever the period's records say (spec G1-05): a listing on the national serious-dishonesty list
    (122号 Art.16(1), G1-15) and a refusal to perform from an earlier period not yet closed (122号 Art.16(2))."""
    out: dict[int, dict[str, dict[str, list[int]]]] = {}
    for sid, hits in fusing_listings(session, as_of, subject_id).items():
        for membership_id, key in hits:
            out.setdefault(sid, {}).setdefault(key, {"record_ids": [], "listing_ids": []})["listing_ids"].append(
                membership_id)
    refusal_items = reference_service.items_firing(session, REFUSAL_FUSE)
    since = first_day_in_force()  # 122号 Art.28: acts before the measures fire nothing
    for sid, record_id in records_repo.open_refusals(session, refusal_items, since, period_start, as_of, subject_id):
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


# What makes an evaluation change worth an archive entry (old → new, 122号 Art.19).
ARCHIVED_FIELDS = ("standard_version", "score", "grade", "level", "fused")


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


def batch_evaluate(uow: UnitOfWork, as_of: date | None = None, store: bool | None = None,
                   progress: Callable[[str, int], None] | None = None, chunk: int = 200_000) -> BatchSummary:
    """Re-evaluate every subject with one kernel call per chunk of subjects. When `as_of` is today the results
    are compared with, and written over, the stored real-time evaluations; `mismatches` names any difference.
    The changes are published (archived in bulk, 122号 Art.19) and handled when the unit of work commits."""
    session = uow.session
    today = uow.clock.today()
    as_of = as_of or today
    store = (as_of == today) if store is None else store
    rb = rulebook(session, as_of)
    t = rb.table
    note = progress or (lambda _label, _n: None)

    pop = load_population(session, as_of, rb.params, t.industries)
    ids, codes, base, memberships = pop.ids, pop.codes, pop.base, pop.memberships
    pos = {sid: i for i, sid in enumerate(ids.tolist())}
    n = len(ids)
    note("subjects", n)
    rec_subject, rec_item = pop.records_for(t)
    note("records", len(rec_item))

    scores = kernel.score(base, rec_subject, rec_item, t)
    # 122号 Art.16(1), G1-05/G1-15: listings that hold on as_of fire their fuse whatever the period's records
    fuse_hits = scores.fuse_hits.copy()
    for sid, held in persisting_fuses(session, pop.period_start, as_of).items():
        if sid in pos:
            for key in held:
                fuse_hits[pos[sid], _fuse_column(t, key)] = True
    fused = fuse_hits.any(axis=1) if fuse_hits.size else scores.fused
    general_grade = kernel.fused_grade_index(scores.general, fused, t)
    general_level = kernel.level_index(scores.general, fused, t)
    ind_grade = kernel.fused_grade_index(scores.industry, fused[:, None], t)
    ind_level = kernel.level_index(scores.industry, fused[:, None], t)
    fuse_lists = [[t.fuse_label(int(k)) for k in np.flatnonzero(row)] for row in fuse_hits]

    rows: dict[tuple[int, str], dict[str, Any]] = {}
    counts: dict[str, dict[str, int]] = {}
    for i in range(n):
        sid = int(ids[i])
        comps = {"general_bonus": int(scores.applied[i, GENERAL_BONUS]),
                 "general_deduction": int(scores.applied[i, GENERAL_DEDUCTION]),
                 "industry_bonus": 0, "industry_deduction": 0}
        scopes: list[tuple[str, str | None, int, int, int, dict[str, int]]] = [
            (GENERAL_SCOPE, None, int(scores.general[i]), int(general_grade[i]), int(general_level[i]), comps)]
        for k in np.flatnonzero(memberships[i]):
            code = t.industries[k]
            scopes.append((code, code, int(scores.industry[i, k]), int(ind_grade[i, k]), int(ind_level[i, k]),
                           dict(comps, industry_bonus=int(scores.applied[i, 2 + 2 * k]),
                                industry_deduction=int(scores.applied[i, 3 + 2 * k]))))
        for scope, industry, score_value, g, lv, comp in scopes:
            rows[(sid, scope)] = {
                "standard_version": rb.version_for(industry), "base_score": int(base[i]), "score": score_value,
                "grade": t.grade_names[g], "level": t.level_names[lv], "fused": bool(fused[i]),
                "fuse_articles": fuse_lists[i], "components": comp,
            }
            counts.setdefault(scope, {}).setdefault(t.grade_names[g], 0)
            counts[scope][t.grade_names[g]] += 1
    note("evaluated", len(rows))

    changed = 0
    mismatches: list[str] = []
    existing = {(e.subject_id, e.scope): e for e in repository.all_stored(session)} if as_of == today or store else {}
    if as_of == today:
        for key, row in rows.items():
            old = existing.get(key)
            if old is None or any(getattr(old, f) != row[f] for f in STORED_FIELDS):
                changed += 1
                if old is not None and len(mismatches) < 50:
                    diff = {f: (getattr(old, f), row[f]) for f in STORED_FIELDS if getattr(old, f) != row[f]}
                    mismatches.append(f"{codes[pos[key[0]]]}/{key[1]}: {diff}")
        stale = [key for key in existing if key not in rows]
        changed += len(stale)
    if store:
        # 122号 Art.19: archive every change of score, grade or level (old → new and why), as refresh_subject
        # does — only the changed (subject, scope) rows, appended in bulk (1 January re-seeds everyone).
        cause = {"event": "batch_reevaluation", "as_of": as_of.isoformat()}
        changes = []
        for (sid, scope), row in rows.items():
            prev = existing.get((sid, scope))
            was = None if prev is None else {f: getattr(prev, f) for f in ARCHIVED_FIELDS}
            if was is not None and all(was[f] == row[f] for f in ARCHIVED_FIELDS):
                continue
            changes.append(EvaluationChanged(
                sid, codes[pos[sid]], scope=scope, as_of=as_of.isoformat(), old=was,
                new={f: row[f] for f in ARCHIVED_FIELDS}, fuse_articles=row["fuse_articles"],
                components=row["components"], cause=cause))
        uow.publish(EvaluationsChanged(changes))
        uow.handle()
        repository.replace_all(session, [{"subject_id": sid, "scope": scope, "as_of": as_of, **row}
                                         for (sid, scope), row in rows.items()], chunk)
    return BatchSummary(as_of=as_of, subjects=n, evaluations=len(rows), records=len(rec_item), changed=changed,
                        stored=store, grades=counts, mismatches=mismatches)


__all__ = ["EvaluationResult", "evaluate_subject", "refresh_subject", "batch_evaluate", "BatchSummary", "Population",
           "load_population"]
