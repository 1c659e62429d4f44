"""The scoring kernel (评分内核): pure and vectorised, arrays in, arrays out.

The same functions serve the batch path (every subject at once) and the real-time path (one subject, its
records). Formula of spec §1.6, from 122号 Art.11(2), 122号 Art.13, 122号 Art.14, 122号 Art.16:

    score = clamp(base + min(ΣGp, 50) − min(ΣGm, 100) + min(ΣIp, 100) − min(ΣIm, 350), 350, 950)

with per-item caps applied before the family budgets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .table import GENERAL_BONUS, GENERAL_DEDUCTION, ScoringTable

I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Scores:
    applied: I64  # (n_subjects, n_buckets): points counted after item caps and family budgets, each >= 0
    general: I64  # (n_subjects,): general score (通用评价), spec G1-04
    industry: I64  # (n_subjects, n_industries): industry composite score per industry
    fuse_hits: NDArray[np.bool_]  # (n_subjects, 7): which 122号 Art.16 item holds
    fused: NDArray[np.bool_]  # (n_subjects,)


def occurrence_pairs(rec_subject: I64, rec_item: I64, n_items: int) -> tuple[I64, I64, I64]:
    """Group records into (subject, item) pairs with their occurrence counts: one in-place sort of a
    composite key, then run lengths. Returns (subject, item, count) per distinct pair."""
    key = rec_subject.astype(np.int64) * n_items + rec_item.astype(np.int64)
    if len(key) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    key.sort()
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    counts = np.diff(np.r_[starts, len(key)]).astype(np.int64)
    unique = key[starts]
    subject = unique // n_items
    return subject, unique - subject * n_items, counts


def bucket_points(pairs: tuple[I64, I64, I64], n_subjects: int, table: ScoringTable) -> I64:
    """Points per (subject, bucket) after per-item caps (每项封顶), before the family budgets."""
    subject, item, counts = pairs
    points = counts * table.points[item]
    cap = table.cap[item]
    points = np.where(cap >= 0, np.minimum(points, cap), points)
    nb = table.n_buckets
    totals = np.bincount(subject * nb + table.bucket[item], weights=points, minlength=n_subjects * nb)
    return totals.astype(np.int64).reshape(n_subjects, nb)


def fuse_hits(pairs: tuple[I64, I64, I64], n_subjects: int, table: ScoringTable) -> NDArray[np.bool_]:
    """122号 Art.16: which fuse items hold for each subject within the period."""
    subject, item, counts = pairs
    hits = np.zeros((n_subjects, len(table.fuse_articles)), dtype=np.bool_)
    reason = table.fuse_reason[item]
    direct = reason >= 0
    hits[subject[direct], reason[direct]] = True
    # 122号 Art.16(6): 两次及以上较重行政处罚 — counted over all the subject's records in the period.
    heavier = table.heavier[item]
    n_heavier = np.bincount(subject[heavier], weights=counts[heavier], minlength=n_subjects)
    hits[:, table.heavier_reason] |= n_heavier >= table.heavier_fuse_count
    return hits


def score(base: I64, rec_subject: I64, rec_item: I64, table: ScoringTable) -> Scores:
    """Score every subject. `base`: initial score per subject (122号 Art.13); records already filtered to the
    evaluation period, the as-of date and active status; `rec_subject` indexes `base`."""
    n = len(base)
    pairs = occurrence_pairs(rec_subject, rec_item, len(table.item_codes))
    raw = bucket_points(pairs, n, table)
    applied = np.minimum(raw, table.budgets)  # 122号 Art.11(2) family budgets
    general_raw = base + applied[:, GENERAL_BONUS] - applied[:, GENERAL_DEDUCTION]
    industry_raw = general_raw[:, None] + applied[:, 2::2] - applied[:, 3::2]
    hits = fuse_hits(pairs, n, table)
    return Scores(
        applied=applied,
        # 122号 Art.11(2): 分值范围为[350,950]
        general=np.clip(general_raw, table.score_min, table.score_max),
        industry=np.clip(industry_raw, table.score_min, table.score_max),
        fuse_hits=hits,
        fused=np.asarray(hits.any(axis=1), dtype=np.bool_),
    )


def grade_index(scores: I64, table: ScoringTable) -> I64:
    """122号 Art.14: A ≥ 800, B [650, 800), C [500, 650), D [350, 500). Index into table.grade_names."""
    return np.searchsorted(table.grade_mins, scores, side="right") - 1


def level_index(scores: I64, fused: NDArray[np.bool_], table: ScoringTable) -> I64:
    """Nine levels (122号 Art.14, thresholds spec G1-01); the fuse (122号 Art.16) forces the lowest level D."""
    idx = np.searchsorted(table.level_mins, scores, side="right") - 1
    return np.where(fused, 0, idx)


def fused_grade_index(scores: I64, fused: NDArray[np.bool_], table: ScoringTable) -> I64:
    """The grade after the fuse: 122号 Art.16 "直接定为差(D)级" whatever the score."""
    return np.where(fused, 0, grade_index(scores, table))


def allocate(rec_subject: I64, rec_item: I64, table: ScoringTable) -> I64:
    """Points each record contributes after caps, for the explanation lines. Records must be given in the
    order they count (act date, then id): earlier records use up a cap first. Per (subject, bucket) the
    result sums exactly to `score(...).applied`."""
    n = len(rec_item)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    pts = table.points[rec_item]
    cap = np.where(table.cap[rec_item] >= 0, table.cap[rec_item], np.iinfo(np.int64).max // 4)
    item_key = rec_subject * len(table.item_codes) + rec_item
    after_item = _capped_running(item_key, pts, cap)
    bucket = table.bucket[rec_item]
    bucket_key = rec_subject * table.n_buckets + bucket
    return _capped_running(bucket_key, after_item, table.budgets[bucket])


def _capped_running(keys: I64, values: I64, caps: I64) -> I64:
    """Within each key group, in the given order: how much of each value fits under the group's cap."""
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    v = values[order]
    c = caps[order]
    cum = np.cumsum(v)
    start = np.r_[True, k[1:] != k[:-1]]
    group_first = np.maximum.accumulate(np.where(start, np.arange(len(k)), 0))
    before_group = cum[group_first] - v[group_first]
    running = cum - before_group
    fitted = np.minimum(running, c) - np.minimum(running - v, c)
    out = np.empty_like(fitted)
    out[order] = fitted
    return out
