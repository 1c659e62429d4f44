#!/usr/bin/env python
"""`xinyong evaluate` end to end on the store (issue 10 items 3 and 4): seconds and peak memory.

    .venv/bin/python bench/bench_evaluate_store.py [--subjects N] [--records M] [--url postgresql://…] [--spark]

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

Prints a table and one JSON line (`BENCH_EVALUATE_STORE {...}`) for `make bench`.
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
LISTED_P = 0.0005  # subjects on the national serious-dishonesty list (fuse 122号 Art.16(1))


def _copy(conn: psycopg.Connection, table: str, columns: str, lines: list[str]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
        cp.write("".join(lines))


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
        rng = np.random.default_rng(seed + 1)
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


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--subjects", type=int, default=100_000)
    p.add_argument("--records", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=20240511)
    p.add_argument("--url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL",
                                                   "postgresql://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--spark", action="store_true", help="also run the Spark engine in local mode")
    p.add_argument("--keep", action="store_true", help="keep the bench database")
    p.add_argument("--reuse", action="store_true", help="use the bench database as it is (no load)")
    args = p.parse_args()

    admin_url = args.url
    name = f"{admin_url.rsplit('/', 1)[1] or 'postgres'}_bench_store"
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    loaded: dict[str, object] = {"reused": True}
    if not args.reuse:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        loaded = populate(url, args.subjects, args.records, args.seed)
    print(f"loaded: {loaded}", flush=True)
    runs: dict[str, dict[str, object]] = {}
    runs["cold"] = run_cli(url)
    print(f"cold    {runs['cold']}", flush=True)
    runs["warm"] = run_cli(url)
    print(f"warm    {runs['warm']}", flush=True)
    touched = touch(url, 0.001, args.seed)
    runs["touched"] = run_cli(url)
    runs["touched"]["withdrawn"] = touched
    print(f"touched {runs['touched']}", flush=True)
    if args.spark:
        runs["spark"] = run_cli(url, "--engine", "spark", "--master", "local[2]")
        print(f"spark   {runs['spark']}", flush=True)
    per_record = {k: round(float(v["seconds"]) / args.records * 1e6, 2) for k, v in runs.items()}
    print("\n| run | seconds | peak RSS MiB | µs per record |\n|---|---:|---:|---:|")
    for k, v in runs.items():
        print(f"| {k} | {v['seconds']} | {v['peak_rss_mib']} | {per_record[k]} |")
    print("BENCH_EVALUATE_STORE " + json.dumps({"subjects": args.subjects, "records": args.records, "load": loaded,
                                                "runs": runs, "us_per_record": per_record}, ensure_ascii=False))
    if not args.keep:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
