"""Scratch: kernel.score timing vs numpy hugepage madvise / malloc settings (deleted afterwards)."""
import os, resource, sys, time
import numpy as np
sys.path.insert(0, "bench")
from bench_batch import load_table, generate, run_kernel, run_numpy
from datetime import date
from xinyong.rules import kernel

hp = os.environ.get("HP", "1") == "1"
np._core.multiarray._set_madvise_hugepage(hp)
params, t = load_table(date(2025, 1, 1))
base, rs, ri = generate(1_000_000, 10_000_000, 20240511, params, t, False)
for name, fn in (("kernel", run_kernel), ("numpy", run_numpy)):
    ts = []
    for r in range(5):
        f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t0 = time.perf_counter(); res = fn(base, rs, ri, t); ts.append(time.perf_counter() - t0)
        del res
        f1 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        print(f"{name} hp={hp} {os.environ.get('GLIBC_TUNABLES','')} run {r}: {ts[-1]:.3f}s minflt {f1-f0}", flush=True)
