#!/usr/bin/env python
"""The report of `make bench` (issue 10 item 5): one table of every row the bench scripts recorded.

    .venv/bin/python bench/report.py [--results bench/out/results.jsonl] [--doc docs/performance.md] [--no-doc]

Reads the rows `_report.record` appended to bench/out/results.jsonl during the latest `make bench` (the Makefile
empties the file first; a row recorded twice counts with its latest figure), prints the table (what, figure,
reference, ratio, target, met), writes bench/out/summary.json, and writes the dated docs/performance.md: machine
details, the table, how each row is measured (bench/README.md), the growth chart of `xinyong evaluate` from 10k to
1M subjects (docs/performance-growth.svg, drawn here: no plotting library) and the rows that miss their target.
Hand-written profiles of missed rows live in bench/profiles.md under a `## <what>` heading; they are copied in.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sqlite3
import sys
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from _report import RESULTS, machine

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "bench" / "README.md"
PROFILES = ROOT / "bench" / "profiles.md"
RUNS = ("cold", "warm", "touched")
RUN_LABEL = {"cold": "first run (all written)", "warm": "nothing changed", "touched": "0.1 % withdrawn (nightly)"}
RUN_COLOUR = {"cold": "#c0392b", "warm": "#2471a3", "touched": "#229954"}


# -- rows -------------------------------------------------------------------------------------------------------


def load_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of the results file, one per `what` (the latest), in the order they were first recorded."""
    rows: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["what"]] = row  # a later row of the same `what` keeps the first one's place
    return list(rows.values())


def number(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.3g}" if abs(x) < 10 else f"{x:,.1f}"


def figure_text(row: dict[str, Any]) -> str:
    return f"{number(row['figure'])} {row['unit']}"


def reference_text(row: dict[str, Any]) -> str:
    if row.get("reference") is None:
        return ""
    return f"{number(row['reference'])} {row['unit']} ({row.get('reference_what') or 'reference'})"


def ratio_text(row: dict[str, Any]) -> str:
    return "" if row.get("ratio") is None else f"{row['ratio']:.2f}×"


def target_text(row: dict[str, Any]) -> str:
    parts = []
    if row.get("target_ratio") is not None:
        parts.append(f"≥ {row['target_ratio']:g}×")
    if row.get("ratio_at_most") is not None:
        parts.append(f"≤ {row['ratio_at_most']:g}×")
    if row.get("at_most") is not None:
        parts.append(f"≤ {number(row['at_most'])} {row['unit']}")
    if row.get("ok") is not None:  # the row's own condition (default: the equality rows')
        parts.append(row.get("extra", {}).get("condition", "equal results"))
    return "; ".join(parts)


def met_text(row: dict[str, Any]) -> str:
    return {True: "yes", False: "**NO**", None: "–"}[row.get("met")]


def why_missed(row: dict[str, Any]) -> str:
    """Which of the row's conditions failed."""
    out = []
    ratio = row.get("ratio")
    if row.get("target_ratio") is not None and ratio is not None and ratio < row["target_ratio"]:
        out.append(f"ratio {ratio:.2f}× < {row['target_ratio']:g}×")
    if row.get("ratio_at_most") is not None and ratio is not None and ratio > row["ratio_at_most"]:
        out.append(f"ratio {ratio:.2f}× > {row['ratio_at_most']:g}×")
    if row.get("at_most") is not None and row["figure"] > row["at_most"]:
        out.append(f"{figure_text(row)} > {number(row['at_most'])} {row['unit']}")
    if row.get("ok") is False:
        extra = row.get("extra", {})
        out.append(extra.get("condition_missed") or ("results differ" if "equal_results" in extra
                                                     else "condition not held"))
    return "; ".join(out) or "see the row"


def table(rows: list[dict[str, Any]]) -> list[list[str]]:
    return [[r["what"], figure_text(r), reference_text(r), ratio_text(r), target_text(r), met_text(r)] for r in rows]


HEADER = ["what", "figure", "reference (same run)", "ratio", "target", "met"]


def print_table(rows: list[dict[str, Any]]) -> None:
    cells = [HEADER, *table(rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER))]
    for k, line in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))


def markdown_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---:|---:|---:|---|---|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |" for cells in table(rows)]
    return "\n".join(lines)


# -- machine ----------------------------------------------------------------------------------------------------


def postgres_version(url: str) -> str:
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "unknown"
    except (psycopg.Error, OSError) as exc:  # no server: the version is unknown, the report still runs
        return f"unknown ({type(exc).__name__})"


def machine_details(rows: list[dict[str, Any]]) -> dict[str, Any]:
    m = dict(rows[0]["machine"]) if rows else machine()
    m["postgresql"] = postgres_version(os.environ.get("XINYONG_BENCH_POSTGRES_URL",
                                                      "postgresql://postgres@127.0.0.1:5432/postgres"))
    m["sqlite"] = sqlite3.sqlite_version
    return m


# -- the growth chart -------------------------------------------------------------------------------------------


def growth_points(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    points = [r["extra"] for r in rows if r.get("extra", {}).get("growth")]
    return sorted(points, key=lambda p: p["subjects"])


def _log_scale(lo: float, hi: float, a: float, b: float) -> Any:
    llo, lhi = math.log10(lo), math.log10(hi)
    return lambda v: a + (math.log10(max(v, lo)) - llo) / (lhi - llo or 1) * (b - a)


def _ticks(lo: float, hi: float) -> list[float]:
    out, v = [], 10.0 ** int(f"{lo:e}".split("e")[1])
    while v <= hi * 1.0001:
        out += [t for t in (v, 2 * v, 5 * v) if lo <= t <= hi * 1.0001]
        v *= 10
    return out


def _panel(points: list[dict[str, Any]], key: str, unit: str, limit: float | None, x0: float, title: str) -> list[str]:
    """One log-log panel: x = subjects, y = `key` per run (cold/warm/touched), a dashed line at the target."""
    w, left, top, base = 420.0, 60.0, 40.0, 240.0  # plot box: x0+left .. x0+w-10, top .. base
    xs = [p["subjects"] for p in points]
    ys = [v for p in points for v in p[key].values()] + ([limit] if limit else [])
    ylo, yhi = min(ys) / 1.5, max(ys) * 1.5
    xlo, xhi = min(xs) / 1.5, max(xs) * 1.5
    fx = _log_scale(xlo, xhi, x0 + left, x0 + w - 10)
    fy = _log_scale(ylo, yhi, base, top)
    out = [f'<text x="{x0 + w / 2}" y="20" text-anchor="middle" font-weight="bold">{title}</text>',
           f'<rect x="{x0 + left}" y="{top}" width="{w - left - 10}" height="{base - top}" fill="none" '
           f'stroke="#888"/>']
    for t in _ticks(ylo, yhi):
        y = fy(t)
        out.append(f'<line x1="{x0 + left}" x2="{x0 + w - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{x0 + left - 4}" y="{y + 4:.1f}" text-anchor="end">{t:g}</text>')
    for x_value in xs:
        x = fx(x_value)
        out.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle">{x_value:,}</text>')
    out.append(f'<text x="{x0 + left + (w - left) / 2}" y="{base + 34}" text-anchor="middle">'
               f'subjects (records = 10 × subjects)</text>')
    out.append(f'<text x="{x0 + 14}" y="{(top + base) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 {x0 + 14} {(top + base) / 2})">{unit}</text>')
    if limit:
        y = fy(limit)
        out.append(f'<line x1="{x0 + left}" x2="{x0 + w - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#000" '
                   f'stroke-dasharray="6 4"/>')
        out.append(f'<text x="{x0 + w - 14}" y="{y - 4:.1f}" text-anchor="end">target {limit:g} {unit}</text>')
    for run in RUNS:
        pts = [(fx(p["subjects"]), fy(p[key][run])) for p in points if run in p[key]]
        if not pts:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{RUN_COLOUR[run]}" stroke-width="2"/>')
        out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{RUN_COLOUR[run]}"/>' for x, y in pts]
    return out


def growth_svg(points: list[dict[str, Any]]) -> str:
    body = _panel(points, "seconds", "s", 60.0, 0, "xinyong evaluate on PostgreSQL: seconds")
    body += _panel(points, "peak_rss_mib", "MiB", 3072.0, 440, "peak memory of the process (MiB)")
    legend = []
    for k, run in enumerate(RUNS):
        x = 80 + k * 250
        legend.append(f'<line x1="{x}" x2="{x + 24}" y1="302" y2="302" stroke="{RUN_COLOUR[run]}" stroke-width="2"/>')
        legend.append(f'<text x="{x + 30}" y="306">{RUN_LABEL[run]}</text>')
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="880" height="320" font-family="sans-serif" '
            'font-size="11">\n<rect width="880" height="320" fill="#fff"/>\n' + "\n".join(body + legend) + "\n</svg>\n")


# -- the document -----------------------------------------------------------------------------------------------


def slug(heading: str) -> str:
    """A GitHub-style anchor of a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lstrip("#").strip().lower())
    return text.replace(" ", "-")


def readme_anchor(script: str) -> str:
    if README.exists():
        for line in README.read_text(encoding="utf-8").splitlines():
            if line.startswith("## ") and script in line:
                return f"../bench/README.md#{slug(line)}"
    return "../bench/README.md"


def profiles() -> dict[str, str]:
    """`## <what>` sections of bench/profiles.md (hand-written notes on where the time goes)."""
    out: dict[str, str] = {}
    if PROFILES.exists():
        current = None
        for line in PROFILES.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                current = line[3:].strip()
                out[current] = ""
            elif current is not None:
                out[current] += line + "\n"
    return {k: v.strip() for k, v in out.items()}


def document(rows: list[dict[str, Any]], m: dict[str, Any], chart: str | None, day: date, failed: list[str]) -> str:
    lines = [f"# Performance — `make bench` of {day.isoformat()}", "",
             "Generated by `bench/report.py` from `bench/out/results.jsonl` (issue 10 item 5). Each figure stands "
             "beside its reference measured in the same run; a ratio is figure / reference for throughput and "
             "reference / figure for times, except where the target reads “≤ N×” (the batch kernel: kernel "
             "seconds / reference seconds). Do not edit by hand: run `make bench`.", "",
             "## Machine", "",
             f"- CPU: {m.get('cpu') or 'unknown'}, {m.get('cores')} cores", f"- memory: {m.get('mem_mib', 0):,} MiB",
             f"- Python {m.get('python')}, {m.get('system')}", f"- PostgreSQL {m.get('postgresql')}",
             f"- SQLite {m.get('sqlite')}", "",
             "## Results", "", markdown_table(rows) if rows else "_No rows: bench/out/results.jsonl is empty._", "",
             *([f"**Scripts that failed in this run** (their rows are missing or partial): {', '.join(failed)}.", ""]
               if failed else []),
             *[f"- {r['what']}: {r['extra']['note']}" for r in rows if r.get("extra", {}).get("note")],
             *([""] if any(r.get("extra", {}).get("note") for r in rows) else []),
             "## How each row is measured", ""]
    scripts: dict[str, list[str]] = {}
    for r in rows:
        scripts.setdefault(r.get("script") or "?", []).append(r["what"])
    for script, whats in scripts.items():
        lines.append(f"- [`bench/{script}`]({readme_anchor(script)}): " + "; ".join(whats))
    lines += ["", "Times are wall-clock seconds; peak memory is the evaluate process's own peak RSS "
              "(`wait4` ru_maxrss of the child). Details, options and the workloads: "
              "[bench/README.md](../bench/README.md).", ""]
    if chart:
        lines += ["## Growth of `xinyong evaluate` from 10k to 1M subjects", "",
                  f"![seconds and peak memory of xinyong evaluate by size]({chart})", "",
                  "| subjects | records | load s | " + " | ".join(f"{RUN_LABEL[r]} s" for r in RUNS)
                  + " | peak MiB |", "|---:|---:|---:|" + "---:|" * len(RUNS) + "---:|"]
        for p in growth_points(rows):
            secs = " | ".join(str(p["seconds"].get(r, "")) for r in RUNS)
            lines.append(f"| {p['subjects']:,} | {p['records']:,} | {p.get('load_s') or ''} | {secs} | "
                         f"{max(p['peak_rss_mib'].values())} |")
        lines.append("")
    missed = [r for r in rows if r.get("met") is False]
    notes = profiles()
    lines += ["## Missed targets and profiles", ""]
    if not missed:
        lines.append("Every row with a target met it in this run.")
    for r in missed:
        lines += [f"### {r['what']}", "", f"Missed: {why_missed(r)} (target {target_text(r)}).", "",
                  notes.get(r["what"], "_No profile yet: add one under `## " + r["what"] + "` in bench/profiles.md "
                            "(py-spy record or pyinstrument of the script)._"), ""]
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", type=Path, default=RESULTS)
    ap.add_argument("--doc", type=Path, default=ROOT / "docs" / "performance.md")
    ap.add_argument("--no-doc", action="store_true", help="print and write summary.json only")
    args = ap.parse_args()
    rows = load_rows(args.results)
    failed_file = args.results.parent / "failed"  # written by `make bench` for a script that exited non-zero
    failed = failed_file.read_text(encoding="utf-8").split() if failed_file.exists() else []
    if not rows:
        print(f"no rows in {args.results}: run `make bench`", file=sys.stderr)
        return 1
    m = machine_details(rows)
    print_table(rows)
    missed = [r for r in rows if r.get("met") is False]
    day = date.fromisoformat(max(r["at"] for r in rows)[:10])
    summary = {"date": day.isoformat(), "machine": m, "rows": rows, "failed_scripts": failed,
               "missed": [{"what": r["what"], "why": why_missed(r)} for r in missed]}
    out = args.results.parent / "summary.json"
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\n{len(rows)} rows, {sum(r.get('met') is True for r in rows)} met, {len(missed)} missed; {out}")
    if not args.no_doc:
        points = growth_points(rows)
        chart = None
        if points:
            svg = args.doc.with_name(args.doc.stem + "-growth.svg")
            svg.write_text(growth_svg(points), encoding="utf-8")
            chart = svg.name
        args.doc.write_text(document(rows, m, chart, day, failed), encoding="utf-8")
        print(f"wrote {args.doc}" + (f" and {args.doc.parent / chart}" if chart else ""))
    if failed:
        print(f"scripts that failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
