#!/usr/bin/env python
"""`xinyong evaluate` end to end on the store (issue 10 items 3 and 4): seconds and peak memory.

    .venv/bin/python bench/bench_evaluate_store.py [--sizes 10000:100000,…] [--url postgresql://…] [--spark]
    .venv/bin/python bench/bench_evaluate_store.py --subjects N --records M     # one size

1. Creates a fresh PostgreSQL database (`<url database>_bench_store`, dropped at the end unless --keep), migrates
   it and loads the defaults, then COPYs a seeded workload straight into the tables: N subjects with a national
   level (A/B/C/D/none, some changed during the period), industry memberships, M records of the period (items of
   the standards in force, lognormal activity skew, rare fuse items and heavier penalties), 1 % of them withdrawn,
   and a few subjects on the national serious-dishonesty list (122号 Art.16(1)).
2. Runs `xinyong evaluate` as a child process three times and reports wall seconds and the child's peak RSS
   (`wait4` ru_maxrss):
   - cold: the store holds no evaluation yet (every row inserted, every change archived and shared);
   - warm: nothing changed since (nothing written: the nightly case);
   - touched: 0.1 % of the records withdrawn since (only the changed subjects are written).
3. With --spark: `xinyong evaluate --engine spark --master local[2]` on the same store after the touched run
   (nothing to write), and its time per record beside the in-process engine's.

Every size of --sizes (default 10k/100k, 100k/1M, 1M/10M subjects/records: the growth chart) is loaded and run in
turn. Prints a table and one JSON line (`BENCH_EVALUATE_STORE {...}`) per size, and records its rows through
`_report.record` for `bench/report.py`; at 1M subjects with the issue's targets (< 60 s, peak memory < 3 GiB).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import psycopg
from _report import record, size_label

from xinyong.bootstrap import seed_defaults, unit_of_work
from xinyong.core.clock import beijing_today
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine
from xinyong.governance.rulebook import rulebook
from xinyong.reference.framework import first_day_in_force
from xinyong.rules.period import period_bounds

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ("A", "B", "C", "D", None)
NATIONAL_P = (0.10, 0.30, 0.20, 0.05, 0.35)
NO_INDUSTRY_P = 0.15
GENERAL_RECORD_P = 0.45
W_GOOD, W_BAD, W_HEAVIER, W_FUSE = 1.0, 0.5, 0.01, 0.001
RUNS = ("cold", "warm", "touched")
LISTED_P = 0.0005  # subjects on the national serious-dishonesty list (fuse 122号 Art.16(1))


def _copy(conn: psycopg.Connection, table: str, columns: str, lines: list[str]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
        cp.write("".join(lines))


def without_secondary_indexes(conn: psycopg.Connection, table: str) -> list[str]:
    """Drop the table's unique constraints and indexes other than its primary key; the statements that rebuild them
    (as the migrations made them). Building an index once after COPY is several times faster than keeping four
    indexes on random subject ids up to date row by row (the 1M/10M load took over 15 minutes that way)."""
    rebuild: list[str] = []
    with conn.cursor() as cur:
        for name, definition in cur.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'u'", (table,)).fetchall():
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", (table,)).fetchall():
            cur.execute(f'DROP INDEX "{name}"')
            rebuild.append(definition)
    return rebuild


def populate(url: str, n_subjects: int, n_records: int, seed: int) -> dict[str, object]:
    """Create, migrate and fill the bench database; returns what was loaded."""
    engine = make_engine(url)
    upgrade(engine)
    with unit_of_work(engine) as uow:
        seed_defaults(uow.session)
        today = beijing_today()
        rb = rulebook(uow.session, today)
    engine.dispose()
    t = rb.table
    start, _ = period_bounds(today, rb.params.period_months, rb.params.period_anchor)
    first = max(start, first_day_in_force())
    rng = np.random.default_rng(seed)
    n_ind = len(t.industries)
    t0 = time.perf_counter()

    grade = rng.choice(len(NATIONAL), size=n_subjects, p=NATIONAL_P)
    p_ind = np.r_[NO_INDUSTRY_P, np.full(n_ind, (1 - NO_INDUSTRY_P) / n_ind)]
    subj_ind = rng.choice(n_ind + 1, size=n_subjects, p=p_ind) - 1
    activity = rng.lognormal(0.0, 1.0, size=n_subjects)
    cdf = np.cumsum(activity)
    cdf /= cdf[-1]
    rec_subject = np.minimum(np.searchsorted(cdf, rng.random(n_records), side="right"), n_subjects - 1)
    rec_ind = subj_ind[rec_subject]
    rec_ind[(rec_ind < 0) | (rng.random(n_records) < GENERAL_RECORD_P)] = -1
    bad = (t.bucket % 2) == 1
    w = np.where(t.heavier, W_HEAVIER, np.where(bad, W_BAD, W_GOOD))
    w = np.where(t.fuse_reason >= 0, W_FUSE, w)
    item_ind = np.where(t.bucket >= 2, (t.bucket - 2) // 2, -1)
    rec_item = np.empty(n_records, dtype=np.int64)
    for k in range(-1, n_ind):
        rows = np.flatnonzero(rec_ind == k)
        cands = np.flatnonzero(item_ind == k)
        cw = np.cumsum(w[cands])
        rec_item[rows] = cands[np.minimum(np.searchsorted(cw / cw[-1], rng.random(len(rows)), side="right"),
                                          len(cands) - 1)]
    span = max((today - first).days, 0)
    rec_day = first.toordinal() + rng.integers(0, span + 1, size=n_records)

    now = datetime.now().isoformat(sep=" ")
    with psycopg.connect(url, autocommit=False) as conn:
        with conn.cursor() as cur:
            cur.execute("SET session_replication_role = replica")  # bench load: no FK triggers per row
        ids = np.arange(1, n_subjects + 1)
        _copy(conn, "subjects", "id, code, kind, name, created_at, created_by",
              [f"{i}\tB{i:017d}\torganization\t单位{i}\t{now}\tbench\n" for i in ids.tolist()])
        # national levels: one dated before the period; 10 % get another level during the period (G1-15)
        lines = [f"{i}\t{NATIONAL[g] or chr(92) + 'N'}\t{start.replace(year=start.year - 1)}\t{now}\n"
                 for i, g in zip(ids.tolist(), grade.tolist(), strict=True)]
        later = ids[rng.random(n_subjects) < 0.10]
        lines += [f"{i}\t{NATIONAL[int(rng.integers(0, 4))]}\t{date.fromordinal(first.toordinal() + span // 2)}\t{now}\n"
                  for i in later.tolist()]
        _copy(conn, "national_grades", "subject_id, grade, valid_from, recorded_at", lines)
        members = np.flatnonzero(subj_ind >= 0)
        _copy(conn, "subject_industries", "subject_id, industry",
              [f"{i + 1}\t{t.industries[subj_ind[i]]}\n" for i in members.tolist()])
        codes = t.item_codes
        rebuild = without_secondary_indexes(conn, "records")
        step = 1_000_000
        for lo in range(0, n_records, step):
            hi = min(lo + step, n_records)
            buf = io.StringIO()
            for rid, sid, it, day in zip(range(lo + 1, hi + 1), (rec_subject[lo:hi] + 1).tolist(),
                                         rec_item[lo:hi].tolist(), rec_day[lo:hi].tolist(), strict=True):
                d = date.fromordinal(day)
                buf.write(f"{rid}\t{sid}\t{codes[it]}\t{d}\tzhifa\tR{rid}\tbench\tinterface\tbench\t{now}\t{d}\t"
                          f"f\tf\tplanning\n")
            _copy(conn, "records", "id, subject_id, item, act_date, department, source_ref, source_system, channel, "
                  "entered_by, entered_at, due_date, due_provisional, late, info_class", [buf.getvalue()])
        with conn.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '512MB'")
            for statement in rebuild:
                cur.execute(statement)
        withdrawn = np.flatnonzero(rng.random(n_records) < 0.01) + 1
        _copy(conn, "record_withdrawals", "record_id, reason, kind, withdrawn_by, withdrawn_at",
              [f"{r}\tbench\terror\tbench\t{now}\n" for r in withdrawn.tolist()])
        listed = ids[rng.random(n_subjects) < LISTED_P]
        _copy(conn, "list_memberships", "subject_id, list_code, listed_on, source, source_ref, entered_by, entered_at",
              [f"{i}\tnational_serious_dishonesty\t{first}\tsystem\tL{i}\tbench\t{now}\n" for i in listed.tolist()])
        with conn.cursor() as cur:
            for table in ("subjects", "national_grades", "records", "record_withdrawals", "list_memberships"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return {"subjects": n_subjects, "records": n_records, "withdrawn": len(withdrawn), "listed": len(listed),
            "load_s": round(time.perf_counter() - t0, 1)}


def touch(url: str, share: float, seed: int) -> int:
    """Withdraw a share of the records not yet withdrawn (as `xinyong` would, without its re-evaluation)."""
    with psycopg.connect(url) as conn:
        n = conn.execute("SELECT max(id) FROM records").fetchone()[0]
        done = {r for (r,) in conn.execute("SELECT record_id FROM record_withdrawals")}
        rng = np.random.default_rng(seed + 1 + len(done))  # a reused store: other records than last time
        picked = [r for r in np.unique(rng.integers(1, n + 1, size=int(n * share))).tolist() if r not in done]
        now = datetime.now().isoformat(sep=" ")
        _copy(conn, "record_withdrawals", "record_id, reason, kind, withdrawn_by, withdrawn_at",
              [f"{r}\tbench touch\terror\tbench\t{now}\n" for r in picked])
        conn.commit()
    return len(picked)


def run_cli(url: str, *args: str) -> dict[str, object]:
    """Run `xinyong evaluate ARGS` as a child; its wall seconds, peak RSS (wait4: the child, or its largest waited
    descendant — Spark's JVM — whichever is larger) and last output line."""
    env = dict(os.environ, XINYONG_DATABASE_URL=url)
    exe = str(Path(sys.executable).with_name("xinyong"))
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([exe, "evaluate", *args], env=env, stdout=out, stderr=err, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        text, problems = out.read(), err.read()
    if os.waitstatus_to_exitcode(status) != 0:
        print(text, problems[-4000:], file=sys.stderr)
        raise SystemExit(f"xinyong evaluate {' '.join(args)} failed")
    return {"seconds": round(seconds, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024),
            "output": [line for line in text.strip().splitlines()
                       if line.startswith(("Spark", "评价日期")) or "stored" in line]}


def changed_of(run: dict[str, object]) -> int | None:
    """The `differing from the real-time store: N` of a run's output (None when not printed)."""
    for line in run["output"]:
        if "differing from the real-time store:" in line:
            return int(line.rsplit(":", 1)[1])
    return None


def bench_size(admin_url: str, n_subjects: int, n_records: int, seed: int, *, spark: bool, keep: bool,
               reuse: bool, only: tuple[str, ...] = RUNS) -> dict[str, object]:
    """Load (unless reused) one size, run cold / warm / touched (and Spark), record its rows; the figures."""
    name = f"{admin_url.rsplit('/', 1)[1] or 'postgres'}_bench_store"
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    loaded: dict[str, object] = {"reused": True}
    if not reuse:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        loaded = populate(url, n_subjects, n_records, seed)
    print(f"loaded: {loaded}", flush=True)
    runs: dict[str, dict[str, object]] = {}
    if not reuse and "cold" in only:  # a reused store holds its evaluations already: no first run
        runs["cold"] = run_cli(url)
        print(f"cold    {runs['cold']}", flush=True)
    if "warm" in only:
        runs["warm"] = run_cli(url)
        print(f"warm    {runs['warm']}", flush=True)
    if "touched" in only:
        touched = touch(url, 0.001, seed)
        runs["touched"] = run_cli(url)
        runs["touched"]["withdrawn"] = touched
        print(f"touched {runs['touched']}", flush=True)
    if spark and "warm" in runs:  # its reference is the warm run
        runs["spark"] = run_cli(url, "--engine", "spark", "--master", "local[2]")
        print(f"spark   {runs['spark']}", flush=True)
    per_record = {k: round(float(v["seconds"]) / n_records * 1e6, 2) for k, v in runs.items()}
    print("\n| run | seconds | peak RSS MiB | µs per record |\n|---|---:|---:|---:|")
    for k, v in runs.items():
        print(f"| {k} | {v['seconds']} | {v['peak_rss_mib']} | {per_record[k]} |")
    figures = {"subjects": n_subjects, "records": n_records, "load": loaded, "runs": runs,
               "us_per_record": per_record}
    print("BENCH_EVALUATE_STORE " + json.dumps(figures, ensure_ascii=False))

    # issue 10 item 5: "`xinyong evaluate` 1M / 10M on PostgreSQL, end to end: < 60 s; peak memory < 3 GB". The
    # headline is the nightly run (0.1 % of the records withdrawn since: every subject read and scored, only the
    # changed ones written); the first run (every evaluation inserted, archived and shared) and the run with nothing
    # to write are rows of their own. Smaller sizes are the growth chart's points (no target).
    size = size_label(n_subjects, n_records)
    headline = n_subjects >= 1_000_000
    chart = {"growth": True, "subjects": n_subjects, "records": n_records, "load_s": loaded.get("load_s"),
             "seconds": {k: v["seconds"] for k, v in runs.items() if k != "spark"},
             "peak_rss_mib": {k: v["peak_rss_mib"] for k, v in runs.items() if k != "spark"},
             "changed": {k: changed_of(v) for k, v in runs.items()}}
    limit_s = 60.0 if headline else None
    if "touched" in runs:
        record(f"xinyong evaluate {size} PostgreSQL", float(runs["touched"]["seconds"]), "s",
               higher_is_better=False, at_most=limit_s,
               extra={**chart, "run": "touched: 0.1 % of the records withdrawn since the last run"})
    if "cold" in runs:
        record(f"xinyong evaluate {size} PostgreSQL, first run (every evaluation written)",
               float(runs["cold"]["seconds"]), "s", higher_is_better=False, at_most=limit_s,
               extra={"subjects": n_subjects, "records": n_records, "run": "cold"})
    if "warm" in runs:
        record(f"xinyong evaluate {size} PostgreSQL, nothing changed", float(runs["warm"]["seconds"]), "s",
               higher_is_better=False, at_most=limit_s,
               extra={"subjects": n_subjects, "records": n_records, "run": "warm"})
    peak = max(int(v["peak_rss_mib"]) for k, v in runs.items() if k != "spark")
    record(f"xinyong evaluate {size} PostgreSQL peak memory", float(peak), "MiB", higher_is_better=False,
           at_most=3072.0 if headline else None,
           extra={"subjects": n_subjects, "records": n_records, "measured": "wait4 ru_maxrss of the child, max of "
                  "cold/warm/touched"})
    if headline and "load_s" in loaded:
        record(f"bench load {size} into PostgreSQL (COPY, then VACUUM ANALYZE)", float(loaded["load_s"]), "s",
               higher_is_better=False, extra={"subjects": n_subjects, "records": n_records})
    if spark and "spark" in runs:
        changed = changed_of(runs["spark"])
        equal = changed == 0
        if not equal:
            print(f"SPARK DIFFERS from the in-process engine: {changed} evaluations", file=sys.stderr)
        # reference: the in-process run with nothing to write, on the same store
        record(f"Spark local[2] vs in-process {size}: time per record", per_record["spark"], "µs/record",
               reference=per_record["warm"], reference_what="in-process, same store, nothing to write",
               higher_is_better=False, ok=equal,
               extra={"subjects": n_subjects, "records": n_records, "equal_results": equal,
                      "evaluations_differing": changed, "spark_s": runs["spark"]["seconds"],
                      "spark_peak_rss_mib": runs["spark"]["peak_rss_mib"], "output": runs["spark"]["output"]})
    if not keep:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return figures


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="10000:100000,100000:1000000,1000000:10000000",
                   help="SUBJECTS:RECORDS,… run one after the other (the growth chart); 1M subjects and more is "
                        "the headline with the issue's targets")
    p.add_argument("--subjects", type=int, help="one size only (with --records), instead of --sizes")
    p.add_argument("--records", type=int)
    p.add_argument("--seed", type=int, default=20240511)
    p.add_argument("--url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL",
                                                   "postgresql://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--spark", action="store_true", help="also run the Spark engine in local mode")
    p.add_argument("--spark-subjects", type=int, default=100_000,
                   help="the size (subjects) at which Spark runs (default 100000: about 70 µs per record)")
    p.add_argument("--keep", action="store_true", help="keep the bench database")
    p.add_argument("--runs", default=",".join(RUNS),
                   help="which runs, of cold,warm,touched (a partial set records only its own rows)")
    p.add_argument("--reuse", action="store_true", help="use the bench database as it is (no load; one size)")
    args = p.parse_args()
    if args.subjects:
        sizes = [(args.subjects, args.records or args.subjects * 10)]
    else:
        sizes = [(int(a), int(b)) for a, b in (part.split(":") for part in args.sizes.split(","))]
    spark_at = args.spark_subjects if any(n == args.spark_subjects for n, _ in sizes) else sizes[0][0]
    for n_subjects, n_records in sizes:
        bench_size(args.url, n_subjects, n_records, args.seed, spark=args.spark and n_subjects == spark_at,
                   keep=args.keep, reuse=args.reuse, only=tuple(args.runs.split(",")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
