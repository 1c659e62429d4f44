"""GET of a subject's evaluation under load (issue 10 item 5), beside a trivial endpoint of the same server.

- figure: `GET /api/v1/subjects/{code}/evaluation` (computed from the subject's records at read time, 122号
  Art.13: the evaluation with its explanation lines) for random subjects with a few records each;
- reference: `GET /healthz` (a trivial JSON route: no database) of the same server, measured in the same run
  with the same load;
both from 16 HTTP clients in 2 load-generator processes separate from the server (`xinyong serve`, --workers,
default the CPU count on PostgreSQL). Targets: requests/s ≥ 0.5× the trivial endpoint's; p99 ≤ 0.05 s.

Creates (and drops) a fresh database on XINYONG_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/
postgres names the server). The machine has 2 cores: server, PostgreSQL and load generators share them.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))
from _load import CLIENTS, CODES_ENV, CORES_NOTE, ITEMS, bench_database, run_load, serving  # noqa: E402
from _report import record  # noqa: E402

from xinyong.auth.actors import OPERATOR  # noqa: E402
from xinyong.bootstrap import seed_defaults, unit_of_work  # noqa: E402
from xinyong.core.clock import beijing_today  # noqa: E402
from xinyong.db.migrate import upgrade  # noqa: E402
from xinyong.db.session import make_engine  # noqa: E402
from xinyong.demo import make_uscc  # noqa: E402
from xinyong.records.schemas import RecordIn  # noqa: E402
from xinyong.records.service import submit_record  # noqa: E402
from xinyong.subjects.schemas import SubjectIn  # noqa: E402
from xinyong.subjects.service import create_subject  # noqa: E402

_cached: list[str] = []


def evaluation_request(rng: random.Random, n: int) -> tuple[str, str, Any]:
    if not _cached:
        _cached.extend(Path(os.environ[CODES_ENV]).read_text().split())
    return ("GET", f"/api/v1/subjects/{rng.choice(_cached)}/evaluation", None)


def trivial_request(rng: random.Random, n: int) -> tuple[str, str, Any]:
    return ("GET", "/healthz", None)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=500)
    ap.add_argument("--records", type=int, default=5, help="records per subject")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--workers", type=int, default=0, help="uvicorn workers (0: serve's default, the CPU count)")
    ap.add_argument("--processes", type=int, default=2, help="load-generator processes (16 clients in all)")
    ap.add_argument("--profile", metavar="FILE", help="run the server under py-spy record, writing collapsed stacks to FILE")
    args = ap.parse_args()

    with bench_database() as db_url:
        return _run(args, db_url)


def _run(args: argparse.Namespace, db_url: str) -> int:
    codes_file = Path(f"/tmp/{make_url(db_url).database}.codes")
    try:
        engine = make_engine(db_url)
        upgrade(engine)
        rng = random.Random(7)
        codes = [make_uscc(rng) for _ in range(args.subjects)]
        today = beijing_today()
        with unit_of_work(engine) as uow:
            seed_defaults(uow.session)
        with unit_of_work(engine, OPERATOR) as uow:
            for i, code in enumerate(codes):
                create_subject(uow, SubjectIn(code=code, name="压测单位", kind="organization",
                                              national_grade=rng.choice("ABCD"), industries=["survey_design"]),
                               "bench")
                for k in range(args.records):
                    act = today - timedelta(days=rng.randrange(today.timetuple().tm_yday))
                    submit_record(uow, RecordIn(subject=code, item=rng.choice(ITEMS), act_date=act,
                                                department="kanchasheji", source_ref=f"SEED-{i}-{k}"), OPERATOR)
        engine.dispose()
        codes_file.write_text("\n".join(codes))
        os.environ[CODES_ENV] = str(codes_file)

        with serving(db_url, args.workers, args.profile) as base:
            workers = args.workers or os.cpu_count() or 1
            run_load(base, evaluation_request, clients=CLIENTS, processes=args.processes, seconds=5.0, seed=99)  # warm
            trivial = run_load(base, trivial_request, clients=CLIENTS, processes=args.processes, seconds=args.seconds)
            res = run_load(base, evaluation_request, clients=CLIENTS, processes=args.processes, seconds=args.seconds)
            for label, r in (("GET /healthz", trivial), ("GET evaluation", res)):
                print(f"{label}: {r.ok} in {r.seconds:.0f} s = {r.rate:,.1f}/s, errors {r.errors} {r.samples[:2]}; "
                      f"p50 {r.quantile(0.5) * 1000:.1f} ms, p99 {r.quantile(0.99) * 1000:.1f} ms")
            extra = {"clients": CLIENTS, "load_processes": args.processes, "server_workers": workers,
                     "subjects": args.subjects, "records_per_subject": args.records, "seconds": args.seconds,
                     "errors": res.errors + trivial.errors, "p50_s": res.quantile(0.5),
                     "trivial_p99_s": trivial.quantile(0.99), "machine_note": CORES_NOTE}
            record("GET evaluation under load (separate load generator), PostgreSQL", res.rate, "requests/s",
                   reference=trivial.rate, reference_what="GET /healthz (trivial JSON) of the same server, same load",
                   target_ratio=0.5, extra=extra)
            record("GET evaluation under load, PostgreSQL: p99 latency", res.quantile(0.99), "s", at_most=0.05,
                   higher_is_better=False, extra=extra)
            return 0 if res.errors + trivial.errors == 0 else 1
    finally:
        codes_file.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
