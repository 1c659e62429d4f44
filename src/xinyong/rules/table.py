"""Compile the standards in force into flat arrays the scoring kernel reads (one row per catalogue item)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..standards.citation import Citation, zh
from ..standards.model import FUSE_ARTICLES, FUSE_KEYS, HEAVIER_FUSE_ARTICLE, Parameters, Standard

I64 = NDArray[np.int64]

GENERAL_BONUS = 0
GENERAL_DEDUCTION = 1


@dataclass(frozen=True)
class ScoringTable:
    """Items and parameters as arrays. Buckets: 0 general bonus, 1 general deduction, then for industry k
    2+2k bonus and 3+2k deduction (the four budgets of 122号 Art.11(2), the industry pair per industry)."""

    item_codes: tuple[str, ...]
    item_articles: tuple[str, ...]
    points: I64
    cap: I64  # -1: no item cap (bounded by the family budget only)
    bucket: I64
    fuse_reason: I64  # index into FUSE_ARTICLES, -1 if the item does not trigger the fuse
    heavier: NDArray[np.bool_]
    industries: tuple[str, ...]
    budgets: I64  # per bucket
    heavier_fuse_count: int
    score_min: int
    score_max: int
    grade_names: tuple[str, ...]  # ascending by min score
    grade_mins: I64
    level_names: tuple[str, ...]  # ascending by min score
    level_mins: I64
    standard_versions: tuple[str, ...]
    # derived
    capped_slot: I64  # per item: column among capped items, -1 if uncapped
    capped_items: I64  # item index of each capped column, ordered by bucket
    capped_bucket_starts: I64  # reduceat starts of each bucket's run within capped_items
    capped_buckets: I64  # bucket of each reduceat run

    @property
    def n_buckets(self) -> int:
        return 2 + 2 * len(self.industries)

    def index_of(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.item_codes)}

    @property
    def fuse_articles(self) -> tuple[str, ...]:
        return FUSE_ARTICLES

    @property
    def fuse_keys(self) -> tuple[Citation, ...]:
        """The fuse items as citation keys (122号 Art.16(1)…(7)), in the order of `fuse_hits` columns."""
        return FUSE_KEYS

    def fuse_label(self, k: int) -> str:
        """Column `k` of `fuse_hits` as the API shows it: "122号 第十六条(六)"."""
        return zh(FUSE_KEYS[k])

    @property
    def heavier_reason(self) -> int:
        return FUSE_ARTICLES.index(HEAVIER_FUSE_ARTICLE)


def build_table(standards: Sequence[Standard], params: Parameters, industries: Sequence[str]) -> ScoringTable:
    """`standards`: the general standard and the industry standards in force on the evaluation date.
    `industries`: every industry code, in a fixed order (columns of industry results)."""
    ind_index = {code: k for k, code in enumerate(industries)}
    codes: list[str] = []
    articles: list[str] = []
    points: list[int] = []
    caps: list[int] = []
    buckets: list[int] = []
    fuse: list[int] = []
    heavier: list[bool] = []
    for std in standards:
        for it in std.items:
            codes.append(it.code)
            articles.append(it.article)
            points.append(it.points)
            caps.append(-1 if it.cap is None else it.cap)
            offset = 0 if it.polarity == "good" else 1
            if it.family == "general":
                buckets.append(GENERAL_BONUS + offset)
            else:
                assert it.industry is not None
                buckets.append(2 + 2 * ind_index[it.industry] + offset)
            fuse.append(FUSE_ARTICLES.index(it.fuse) if it.fuse else -1)
            heavier.append(it.heavier)
    n_buckets = 2 + 2 * len(industries)
    budgets = np.empty(n_buckets, dtype=np.int64)
    budgets[GENERAL_BONUS] = params.budget("general", "good")
    budgets[GENERAL_DEDUCTION] = params.budget("general", "bad")
    budgets[2::2] = params.budget("industry", "good")
    budgets[3::2] = params.budget("industry", "bad")
    grades = sorted(params.grade_mins.items(), key=lambda kv: kv[1])
    levels = sorted(params.levels, key=lambda band: band.min)

    cap_arr = np.asarray(caps, dtype=np.int64)
    bucket_arr = np.asarray(buckets, dtype=np.int64)
    capped_items = np.flatnonzero(cap_arr >= 0)
    capped_items = capped_items[np.argsort(bucket_arr[capped_items], kind="stable")]
    capped_slot = np.full(len(codes), -1, dtype=np.int64)
    capped_slot[capped_items] = np.arange(len(capped_items))
    cb = bucket_arr[capped_items]
    starts = np.flatnonzero(np.r_[True, cb[1:] != cb[:-1]]) if len(cb) else np.zeros(0, dtype=np.int64)
    return ScoringTable(
        item_codes=tuple(codes),
        item_articles=tuple(articles),
        points=np.asarray(points, dtype=np.int64),
        cap=cap_arr,
        bucket=bucket_arr,
        fuse_reason=np.asarray(fuse, dtype=np.int64),
        heavier=np.asarray(heavier, dtype=np.bool_),
        industries=tuple(industries),
        budgets=budgets,
        heavier_fuse_count=params.heavier_fuse_count,
        score_min=params.score_min,
        score_max=params.score_max,
        grade_names=tuple(name for name, _ in grades),
        grade_mins=np.asarray([m for _, m in grades], dtype=np.int64),
        level_names=tuple(band.level for band in levels),
        level_mins=np.asarray([band.min for band in levels], dtype=np.int64),
        standard_versions=tuple(std.version for std in standards),
        capped_slot=capped_slot,
        capped_items=capped_items.astype(np.int64),
        capped_bucket_starts=starts.astype(np.int64),
        capped_buckets=cb[starts].astype(np.int64) if len(cb) else np.zeros(0, dtype=np.int64),
    )
