"""One figure of `make bench` beside its reference measured in the same run (issue 10 item 5).

Every bench script calls `record(...)` once per row of the issue's table; rows go to `bench/out/results.jsonl`
(one JSON object per line, appended) and `bench/report.py` turns them into the table, the JSON summary and
`docs/performance.md`. A ratio is figure / reference when higher is better (throughput) and reference / figure
when lower is better (seconds), so "≥ target" always reads the same way — unless the issue states the target as
"≤ N× the reference" (the batch kernel against DuckDB and numpy): `ratio_at_most=N` then makes the ratio
figure / reference, met when it is ≤ N, so the row reads as the issue does.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

OUT = Path(os.environ.get("XINYONG_BENCH_OUT", Path(__file__).with_name("out")))
RESULTS = OUT / "results.jsonl"


def record(what: str, figure: float, unit: str, *, reference: float | None = None, reference_what: str = "",
           higher_is_better: bool = True, target_ratio: float | None = None, at_most: float | None = None,
           extra: dict[str, Any] | None = None, ratio_at_most: float | None = None,
           ok: bool | None = None) -> dict[str, Any]:
    """Append one row. `target_ratio`: the ratio to reach against the reference (e.g. 0.2 for "≥ 0.2× raw
    executemany"); `ratio_at_most`: instead, figure / reference must stay ≤ it (e.g. 3 for "≤ 3× numpy");
    `at_most`: an absolute upper bound on the figure in its unit (p99 < 0.1 s, < 60 s, < 3 GB); `ok`: a condition
    the row must also hold (equal results). `met` is False when any is missed, None when the row has no target."""
    ratio = None
    if reference:
        if ratio_at_most is not None:
            ratio = figure / reference
        else:
            ratio = figure / reference if higher_is_better else reference / figure if figure else None
    checks: list[bool] = []
    if target_ratio is not None and ratio is not None:
        checks.append(ratio >= target_ratio)
    if ratio_at_most is not None and ratio is not None:
        checks.append(ratio <= ratio_at_most)
    if at_most is not None:
        checks.append(figure <= at_most)
    if ok is not None:
        checks.append(ok)
    met: bool | None = all(checks) if checks else None
    row = {"what": what, "figure": figure, "unit": unit, "reference": reference, "reference_what": reference_what,
           "ratio": ratio, "target_ratio": target_ratio, "ratio_at_most": ratio_at_most, "at_most": at_most,
           "ok": ok, "met": met, "script": Path(sys.argv[0]).name, "at": datetime.now(UTC).isoformat(timespec="seconds"),
           "machine": machine(), **({"extra": extra} if extra else {})}
    OUT.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    shown = f"{ratio:.3f}× (target ≥ {target_ratio}×)" if ratio is not None and target_ratio is not None else \
        f"{ratio:.3f}× (target ≤ {ratio_at_most}×)" if ratio is not None and ratio_at_most is not None else \
        f"{ratio:.3f}×" if ratio is not None else ""
    print(f"BENCH {what}: {figure:,.4g} {unit} {shown} {'' if met is None else '✓' if met else '✗ MISSED'}",
          flush=True)
    return row


def size_label(subjects: int, records: int) -> str:
    """10000, 100000 → "10k/100k"; 1000000, 10000000 → "1M/10M" (the sizes in rows' names)."""
    def one(n: int) -> str:
        return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1e3:g}k" if n >= 1_000 else str(n)
    return f"{one(subjects)}/{one(records)}"


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = 0
    try:
        mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal"))) // 1024
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_mib": mem, "python": platform.python_version(),
            "system": platform.platform()}
