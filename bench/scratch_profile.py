"""Scratch: per-stage timing of kernel.score at full size (deleted after the experiment)."""
import sys, time
import numpy as np
sys.path.insert(0, "bench")
from bench_batch import load_table, generate
from datetime import date
from xinyong.rules import kernel
from xinyong.rules.table import GENERAL_BONUS, GENERAL_DEDUCTION

params, t = load_table(date(2025, 1, 1))
base, rs, ri = generate(1_000_000, 10_000_000, 20240511, params, t, False)
n = len(base)

def stages(rec_subject, rec_item, label):
    T = {}
    def tick(name, t0):
        T[name] = T.get(name, 0) + time.perf_counter() - t0
        return time.perf_counter()
    t0 = time.perf_counter()
    nb = t.n_buckets
    slot = t.capped_slot[rec_item]; t0 = tick("slot gather", t0)
    uncapped = slot < 0; t0 = tick("mask", t0)
    su = rec_subject[uncapped]; iu = rec_item[uncapped]; t0 = tick("compress uncapped", t0)
    keys = su * nb + t.bucket[iu]; t0 = tick("keys uncapped", t0)
    w = t.points[iu]; t0 = tick("weights gather", t0)
    out = np.bincount(keys, weights=w, minlength=n * nb); t0 = tick("bincount weighted", t0)
    totals = out.astype(np.int64).reshape(n, nb); t0 = tick("astype", t0)
    nc = len(t.capped_items)
    sc = rec_subject[~uncapped]; slc = slot[~uncapped]; t0 = tick("compress capped", t0)
    k2 = sc * nc + slc; t0 = tick("keys capped", t0)
    counts = np.bincount(k2, minlength=n * nc).reshape(n, nc); t0 = tick("bincount capped", t0)
    per_item = np.minimum(counts * t.points[t.capped_items], t.cap[t.capped_items]); t0 = tick("cap dense", t0)
    per_bucket = np.add.reduceat(per_item, t.capped_bucket_starts, axis=1); t0 = tick("reduceat", t0)
    totals[:, t.capped_buckets] += per_bucket; t0 = tick("add buckets", t0)
    applied = np.minimum(totals, t.budgets); t0 = tick("budgets", t0)
    g = base + applied[:, 0] - applied[:, 1]
    ind = g[:, None] + applied[:, 2::2] - applied[:, 3::2]
    g = np.clip(g, 350, 950); ind = np.clip(ind, 350, 950); t0 = tick("scores", t0)
    hits = kernel.fuse_hits(rec_subject, rec_item, n, t); fused = hits.any(axis=1); t0 = tick("fuse_hits", t0)
    kernel.grade_index(g, t); kernel.level_index(g, fused, t); t0 = tick("grade/level general", t0)
    kernel.grade_index(ind, t); kernel.level_index(ind, fused[:, None], t); t0 = tick("grade/level industry", t0)
    tot = sum(T.values())
    print(f"--- {label}: total {tot:.3f}")
    for k, v in T.items():
        print(f"  {k:<22} {v:.3f}")

for rep in range(2):
    stages(rs, ri, "int32/int16")
for rep in range(2):
    stages(rs.astype(np.int64), ri.astype(np.int64), "int64/int64")
