"""Single-record POST with real-time re-evaluation, 16 concurrent clients, over real HTTP, on PostgreSQL
(issue 10 item 5), beside the raw rate of the same database measured in the same run.

- reference: a durable INSERT of one row plus an UPDATE of an aggregate row, one transaction each, from 16
  concurrent connections (psycopg, in 2 processes of 8 threads) — what a write with one derived figure costs the
  database alone;
- figure: `POST /api/v1/records` of a new record for an existing subject (the record, its archive entry, the
  subject's re-evaluation and its archive entries, audit, outbox) from 16 HTTP clients in 2 separate
  load-generator processes, against `xinyong serve` (uvicorn; --workers, default the CPU count on PostgreSQL);
  records/s (target ≥ 0.2× the reference) and p99 latency (target ≤ 0.1 s).

Creates (and drops) a fresh database on XINYONG_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/
postgres names the server). The machine has 2 cores: server, PostgreSQL and load generators share them.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))
from _load import CLIENTS, CODES_ENV, CORES_NOTE, ITEMS, StartLine, bench_database, run_load, serving  # noqa: E402
from _report import record  # noqa: E402

from xinyong.bootstrap import seed_defaults, unit_of_work  # noqa: E402
from xinyong.core.clock import beijing_today  # noqa: E402
from xinyong.db.migrate import upgrade  # noqa: E402
from xinyong.db.session import make_engine  # noqa: E402
from xinyong.demo import make_uscc  # noqa: E402
from xinyong.subjects.schemas import SubjectIn  # noqa: E402
from xinyong.subjects.service import create_subject  # noqa: E402
from xinyong.users.tokens import create_token  # noqa: E402

# the request generator needs the subject codes in the load-generator processes: passed through the environment


def post_request(rng: random.Random, n: int) -> tuple[str, str, Any]:
    codes = _codes()
    today = beijing_today()
    return ("POST", "/api/v1/records",
            {"subject": rng.choice(codes), "item": rng.choice(ITEMS),
             "act_date": (today - timedelta(days=rng.randrange(today.timetuple().tm_yday))).isoformat(),
             "department": "kanchasheji", "source_ref": f"BENCH-{n}"})


_cached: list[str] = []


def _codes() -> list[str]:
    if not _cached:
        _cached.extend(Path(os.environ[CODES_ENV]).read_text().split())
    return _cached


def _raw_process(dsn: str, threads: int, subjects: int, seconds: float, out: Any, sync: StartLine) -> None:
    done = [0]
    lock = threading.Lock()
    connected = threading.Barrier(threads, action=sync.ready)

    def one(k: int) -> None:
        rng = random.Random(k)
        n = 0
        with psycopg.connect(dsn) as conn:
            connected.wait()
            start_at = sync.start_at()
            while time.time() < start_at:
                time.sleep(0.001)
            while time.time() < start_at + seconds:
                s = rng.randrange(subjects)
                with conn.transaction():
                    conn.execute("INSERT INTO bench_raw (subject, v) VALUES (%s, %s)", (s, 1))
                    conn.execute("UPDATE bench_agg SET n = n + 1, total = total + %s WHERE subject = %s", (1, s))
                n += 1
        with lock:
            done[0] += n

    pool = [threading.Thread(target=one, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put(done[0])


def raw_rate(dsn: str, subjects: int, seconds: float, clients: int = CLIENTS, processes: int = 2) -> float:
    """Transactions/s of INSERT one row + UPDATE one aggregate row (durable commit each), `clients` connections."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_raw (id bigserial PRIMARY KEY, subject int NOT NULL, v int NOT NULL)")
        conn.execute("CREATE TABLE bench_agg (subject int PRIMARY KEY, n bigint NOT NULL, total bigint NOT NULL)")
        conn.execute("INSERT INTO bench_agg SELECT g, 0, 0 FROM generate_series(0, %s) g", (subjects,))
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    sync = StartLine(ctx, processes)
    per = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    procs = [ctx.Process(target=_raw_process, args=(dsn, n, subjects, seconds, out, sync)) for n in per]
    for p in procs:
        p.start()
    sync.go()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_raw, bench_agg")
    return total / seconds


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=0, help="uvicorn workers (0: serve's default, the CPU count)")
    ap.add_argument("--processes", type=int, default=2, help="load-generator processes (16 clients in all)")
    ap.add_argument("--profile", metavar="FILE", help="run the server under py-spy record, writing collapsed stacks to FILE")
    args = ap.parse_args()

    with bench_database() as db_url:
        return _run(args, db_url)


def _run(args: argparse.Namespace, db_url: str) -> int:
    dsn = db_url.replace("postgresql+psycopg://", "postgresql://", 1)
    codes_file = Path(f"/tmp/{make_url(db_url).database}.codes")
    try:
        engine = make_engine(db_url)
        upgrade(engine)
        rng = random.Random(7)
        codes = [make_uscc(rng) for _ in range(args.subjects)]
        with unit_of_work(engine) as uow:
            seed_defaults(uow.session)
            token = create_token(uow.session, "bench", "admin")
        with unit_of_work(engine) as uow:
            for code in codes:
                create_subject(uow, SubjectIn(code=code, name="压测单位", kind="organization",
                                              national_grade=rng.choice("ABCD"), industries=["survey_design"]),
                               "bench")
        engine.dispose()
        codes_file.write_text("\n".join(codes))
        os.environ[CODES_ENV] = str(codes_file)

        reference = raw_rate(dsn, args.subjects, args.seconds)
        print(f"reference: INSERT + aggregate UPDATE per transaction, {CLIENTS} connections: {reference:,.0f}/s")

        with serving(db_url, args.workers, args.profile) as base:
            workers = args.workers or os.cpu_count() or 1
            # one untimed round: every worker process warms its caches (the rulebook) before the clock runs
            run_load(base, post_request, clients=CLIENTS, processes=args.processes, seconds=5.0,
                     headers={"Authorization": f"Bearer {token}"}, expect=(201,), seed=99)
            res = run_load(base, post_request, clients=CLIENTS, processes=args.processes, seconds=args.seconds,
                           headers={"Authorization": f"Bearer {token}"}, expect=(201,))
            print(f"POST /api/v1/records: {res.ok} records in {res.seconds:.0f} s = {res.rate:,.1f}/s, errors "
                  f"{res.errors} {res.samples[:2]}; p50 {res.quantile(0.5) * 1000:.1f} ms, p99 "
                  f"{res.quantile(0.99) * 1000:.1f} ms")
            extra = {"clients": CLIENTS, "load_processes": args.processes, "server_workers": workers,
                     "subjects": args.subjects, "seconds": args.seconds, "errors": res.errors,
                     "p50_s": res.quantile(0.5), "machine_note": CORES_NOTE}
            record("single POST with re-evaluation, 16 clients, PostgreSQL", res.rate, "records/s",
                   reference=reference, reference_what="durable INSERT + aggregate UPDATE per transaction, 16 connections",
                   target_ratio=0.2, extra=extra)
            record("single POST with re-evaluation, 16 clients, PostgreSQL: p99 latency", res.quantile(0.99), "s",
                   at_most=0.1, higher_is_better=False, extra=extra)
            return 0 if res.errors == 0 else 1
    finally:
        codes_file.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
