"""Import benchmark (issue 10 item 5, first row): `xinyong import` of N records for M subjects, end to end (set-based
validation, inserts, archive, re-evaluation of each chunk's subjects with the batch kernel, outbox), against raw
executemany of the same rows into the same records table (1,000-row transactions), on SQLite and — when
XINYONG_BENCH_POSTGRES_URL or XINYONG_TEST_POSTGRES_URL names a server — on PostgreSQL (a fresh database is created
and dropped).

    python bench/bench_import.py [--records 200000] [--subjects 20000] [--chunk N] [--backend sqlite] [--json out]

Prints a table and JSON: records/s of the import, of raw executemany, and their ratio (target ≥ 0.2×). While the
import runs, the API (`xinyong serve` in a subprocess on the same database) takes single-record POSTs one after
another from a client thread: their latency (p99 < 1 s) and the refused ones (never) are the row "API write while
an import runs". Every figure goes through bench/_report.py record().
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, text

from xinyong.auth.actors import Actor
from xinyong.bootstrap import seed_defaults, unit_of_work
from xinyong.core.clock import beijing_now, beijing_today
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine
from xinyong.demo import make_uscc
from xinyong.records.importer import import_records, import_subjects
from xinyong.users.tokens import create_token

sys.path.insert(0, str(Path(__file__).parent))
from _report import record  # noqa: E402

ITEMS = ["GEN-B01", "GEN-B02", "GEN-D01", "GEN-D02", "SD-B01", "SD-D01", "LD-B01", "LD-D01", "FR-D01", "SM-B01"]


def write_files(folder: Path, n_records: int, n_subjects: int) -> tuple[Path, Path, list[dict[str, Any]]]:
    rng = random.Random(10)
    codes = sorted({make_uscc(rng) for _ in range(n_subjects)})
    while len(codes) < n_subjects:
        codes = sorted({*codes, make_uscc(rng)})
    subjects = folder / "subjects.csv"
    with open(subjects, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "kind", "national_grade", "industries"])
        for i, code in enumerate(codes):
            w.writerow([code, f"单位{i}", "organization", rng.choice(["A", "B", "C", ""]), ""])
    today = beijing_today()
    span = max(1, (today - date(today.year, 1, 1)).days)
    rows = []
    for i in range(n_records):
        rows.append({"subject": rng.choice(codes), "item": rng.choice(ITEMS),
                     "act_date": (today - timedelta(days=rng.randrange(span))).isoformat(),
                     "department": "kanchasheji", "source_ref": f"B-{i:08d}"})
    records = folder / "records.csv"
    with open(records, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["subject", "item", "act_date", "department", "source_ref"])
        for r in rows:
            w.writerow([r["subject"], r["item"], r["act_date"], r["department"], r["source_ref"]])
    return subjects, records, rows


def fresh(backend: str, folder: Path) -> tuple[Engine, Any]:
    if backend == "sqlite":
        path = folder / f"bench-{uuid.uuid4().hex[:6]}.db"
        return make_engine(f"sqlite:///{path}"), None
    base = os.environ.get("XINYONG_BENCH_POSTGRES_URL") or os.environ["XINYONG_TEST_POSTGRES_URL"]
    name = f"xinyong_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    return make_engine(url), (admin, name)


def drop(engine: Engine, handle: Any) -> None:
    engine.dispose()
    if handle:
        admin, name = handle
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepared(backend: str, folder: Path, subjects: Path) -> tuple[Engine, Any, float]:
    engine, handle = fresh(backend, folder)
    upgrade(engine)
    with unit_of_work(engine) as uow:
        seed_defaults(uow.session)
    actor = Actor(name="bench", role="admin", channel="import", origin="bench")
    began = time.perf_counter()
    with unit_of_work(engine, actor) as uow:
        report = import_subjects(uow, subjects, actor)
    assert report.ok, report.errors[:3]
    return engine, handle, time.perf_counter() - began


def raw_executemany(engine: Engine, rows: list[dict[str, Any]]) -> float:
    """The same rows straight into records by executemany, 1,000 per transaction (no validation, no archive)."""
    with engine.connect() as c:
        ids = dict(c.execute(text("SELECT code, id FROM subjects")).all())
    now = beijing_now()
    values = [{"subject_id": ids[r["subject"]], "item": r["item"], "act_date": date.fromisoformat(r["act_date"]),
               "department": r["department"], "source_ref": r["source_ref"], "source_system": "raw",
               "channel": "import", "entered_by": "raw", "entered_at": now, "due_date": date.fromisoformat(r["act_date"]),
               "due_provisional": False, "late": False, "info_class": "planning"} for r in rows]
    stmt = text("INSERT INTO records (subject_id, item, act_date, department, source_ref, source_system, channel, "
                "entered_by, entered_at, due_date, due_provisional, late, info_class) VALUES (:subject_id, :item, "
                ":act_date, :department, :source_ref, :source_system, :channel, :entered_by, :entered_at, :due_date, "
                ":due_provisional, :late, :info_class)")
    began = time.perf_counter()
    for i in range(0, len(values), 1000):
        with engine.begin() as c:
            c.execute(stmt, values[i:i + 1000])
    return time.perf_counter() - began


class ApiWriter:
    """`xinyong serve` on the import's database in a subprocess, and one client thread posting single records
    (real-time path with re-evaluation) one after another, `gap` seconds apart, until stopped."""

    def __init__(self, engine: Engine, codes: list[str], gap: float = 0.2) -> None:
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # the server's log: its errors, if any
        with unit_of_work(engine) as uow:
            self.token = create_token(uow.session, "bench-api", "admin")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        env = dict(os.environ, XINYONG_DATABASE_URL=engine.url.render_as_string(hide_password=False),
                   XINYONG_LOG_JSON="1", XINYONG_OUTBOX_POLL_SECONDS="3600")
        self.proc = subprocess.Popen([sys.executable, "-m", "xinyong.cli", "serve", "--port", str(port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        self.base, self.codes, self.gap = f"http://127.0.0.1:{port}", codes, gap
        self.latencies: list[float] = []
        self.refused: list[str] = []
        self.stop = threading.Event()
        for _ in range(300):
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        self.thread = threading.Thread(target=self.post, daemon=True)

    def post(self) -> None:
        rng = random.Random(11)
        today = beijing_today()
        with httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {self.token}"}, timeout=60) as c:
            n = 0
            while not self.stop.is_set():
                n += 1
                body = {"subject": rng.choice(self.codes), "item": rng.choice(ITEMS),
                        "act_date": (today - timedelta(days=rng.randrange(30))).isoformat(),
                        "department": "kanchasheji", "source_ref": f"API-{n:06d}"}
                began = time.perf_counter()
                try:
                    resp = c.post("/api/v1/records", json=body)
                    ok, why = resp.status_code == 201, f"{resp.status_code} {resp.text[:200]}"
                except httpx.HTTPError as exc:
                    ok, why = False, repr(exc)[:200]
                if ok:
                    self.latencies.append(time.perf_counter() - began)
                else:
                    self.refused.append(why)
                self.stop.wait(self.gap)

    def close(self) -> dict[str, Any]:
        self.stop.set()
        self.thread.join(timeout=120)
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.seek(0)
        errors = [line.strip()[:2000] for line in self.log if '"error"' in line or "Traceback" in line][:10]
        self.log.close()
        lat = sorted(self.latencies)
        p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else float("inf")
        return {"writes": len(lat), "refused": len(self.refused), "p50_s": round(lat[len(lat) // 2], 4) if lat else None,
                "p99_s": round(p99, 4), "max_s": round(lat[-1], 4) if lat else None, "refusals": self.refused[:5],
                "server_errors": errors}


class RowWrites:
    """Rows the import inserts, updates and deletes (what it must write per record, against raw executemany's one).
    PostgreSQL: per table from pg_stat_user_tables (each backend flushes its counts when it exits: the engine is
    disposed before each reading; the API writer's few rows, when it runs, are included). SQLite: the connections'
    total_changes() (no per-table split)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: dict[int, int] = {}  # connection → its total_changes at its last check-in
        self.count = 0
        if engine.dialect.name == "sqlite":
            from sqlalchemy import event

            engine.dispose()  # every connection from here on is new: its count starts at 0

            def connect(dbapi_connection: Any, _record: Any) -> None:
                self.seen[id(dbapi_connection)] = 0

            def checkin(dbapi_connection: Any, _record: Any) -> None:
                total = dbapi_connection.total_changes
                self.count += total - self.seen.get(id(dbapi_connection), 0)
                self.seen[id(dbapi_connection)] = total

            event.listen(engine, "connect", connect)
            event.listen(engine, "checkin", checkin)

    def reading(self) -> dict[str, int]:
        if self.engine.dialect.name == "sqlite":
            return {"all": self.count}
        self.engine.dispose()
        time.sleep(0.5)
        with self.engine.connect() as c:
            rows = c.execute(text("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables")).all()
        counts = {name: int(n) for name, n in rows if n}
        return {**counts, "all": sum(counts.values())}


def run(backend: str, n_records: int, n_subjects: int, folder: Path, chunk: int | None = None,
        api: bool = True) -> dict[str, Any]:
    subjects, records, rows = write_files(folder, n_records, n_subjects)
    engine, handle, subject_seconds = prepared(backend, folder, subjects)
    actor = Actor(name="bench", role="admin", channel="import", origin="bench")
    writer = ApiWriter(engine, sorted({r["subject"] for r in rows[:1000]})) if api else None
    paused = [0.0]
    sleep = time.sleep

    def counted_sleep(seconds: float) -> None:  # the pauses between chunks that let a waiting writer in (SQLite)
        paused[0] += seconds
        sleep(seconds)

    api_writes: dict[str, Any] = {}
    writes = RowWrites(engine)
    before = writes.reading()
    try:
        time.sleep = counted_sleep  # type: ignore[assignment]
        if writer:
            writer.thread.start()
        began = time.perf_counter()
        with unit_of_work(engine, actor) as uow:
            report = import_records(uow, records, actor, chunk_rows=chunk)
        seconds = time.perf_counter() - began
        time.sleep = sleep  # type: ignore[assignment]
        if writer:
            api_writes = writer.close()
            writer = None
        assert report.created == n_records, (report.created, report.errors[:3])
        with engine.connect() as c:  # what the import wrote besides the records (all of it is in the time)
            archived = c.execute(text("SELECT count(*) FROM archive_entries")).scalar_one()
            evaluations = c.execute(text("SELECT count(*) FROM evaluations")).scalar_one()
        after = writes.reading()
        written = {k: after[k] - before.get(k, 0) for k in after if after[k] - before.get(k, 0) > 0}
    finally:
        time.sleep = sleep  # type: ignore[assignment]
        if writer:
            writer.close()
        drop(engine, handle)
    engine, handle = fresh(backend, folder)
    try:
        upgrade(engine)
        with unit_of_work(engine) as uow:
            seed_defaults(uow.session)
        with unit_of_work(engine, actor) as uow:
            import_subjects(uow, subjects, actor)
        raw_seconds = raw_executemany(engine, rows)
    finally:
        drop(engine, handle)
    rate, raw_rate = n_records / seconds, n_records / raw_seconds
    return {"backend": backend, "records": n_records, "subjects": n_subjects,
            "subjects_import_s": round(subject_seconds, 2), "subjects_per_s": round(n_subjects / subject_seconds),
            "import_s": round(seconds, 2), "import_records_per_s": round(rate), "pauses_s": round(paused[0], 2),
            "archive_entries": archived, "evaluations": evaluations, "raw_executemany_s": round(raw_seconds, 3),
            "raw_records_per_s": round(raw_rate), "ratio": round(rate / raw_rate, 4), "target_ratio": 0.2,
            "row_writes_per_record": round(written["all"] / n_records, 2),
            "row_writes_by_table": {k: v for k, v in sorted(written.items(), key=lambda kv: -kv[1]) if k != "all"},
            "row_writes_per_s": round(rate * written["all"] / n_records),
            "api_writes": api_writes}


def writes_note(res: dict[str, Any]) -> str:
    """What the import must write per record, against raw executemany's one row: the ratio it could reach if each
    of its rows cost what one of raw's does."""
    by_table = ", ".join(f"{name} {count / res['records']:.2f}" for name, count in res["row_writes_by_table"].items()
                         if count / res["records"] >= 0.005)  # not the API server's own few rows (jobs, audit)
    return (f"{res['row_writes_per_record']} rows written per record{f' ({by_table})' if by_table else ''}: "
            f"{res['row_writes_per_s']:,} row writes/s against raw's {res['raw_records_per_s']:,} "
            f"({res['row_writes_per_s'] / res['raw_records_per_s']:.2f}× per row); at raw's cost per row the ratio "
            f"could be at most {1 / res['row_writes_per_record']:.3f}×")


def size(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 and n >= 1000 else str(n)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--records", type=int, default=200_000)
    p.add_argument("--subjects", type=int, default=20_000)
    p.add_argument("--chunk", type=int, help="most rows per chunk (default records/limits.yaml chunk_rows)")
    p.add_argument("--backend", choices=("sqlite", "postgresql"), action="append",
                   help="only these (default: SQLite, and PostgreSQL when a URL is set)")
    p.add_argument("--json", type=Path)
    p.add_argument("--no-api", action="store_true", help="no concurrent API writes during the import")
    args = p.parse_args()
    backends = ["sqlite"]
    if os.environ.get("XINYONG_BENCH_POSTGRES_URL") or os.environ.get("XINYONG_TEST_POSTGRES_URL"):
        backends.append("postgresql")
    backends = args.backend or backends
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            res = run(backend, args.records, args.subjects, Path(tmp), args.chunk, api=not args.no_api)
            out.append(res)
            label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[backend]
            record(f"import {size(res['records'])}/{size(res['subjects'])} {label}", res["import_records_per_s"],
                   "records/s", reference=res["raw_records_per_s"],
                   reference_what="raw executemany of the same rows into the same database (1,000-row transactions)",
                   target_ratio=0.2, extra={**{k: v for k, v in res.items() if k != "api_writes"},
                                            "note": writes_note(res)})
            print(f"import {res['records']} records / {res['subjects']} subjects on {backend}: "
                  f"{res['import_records_per_s']} records/s end to end vs raw executemany {res['raw_records_per_s']}/s "
                  f"= {res['ratio']}× (target ≥ 0.2×); {res['archive_entries']} archive entries, "
                  f"{res['pauses_s']} s of pauses for waiting writers; subjects {res['subjects_per_s']}/s; "
                  f"{res['row_writes_per_record']} rows written per record ({res['row_writes_per_s']} row writes/s "
                  f"against raw's {res['raw_records_per_s']}): {res['row_writes_by_table']}", flush=True)
    api = {r["backend"]: r["api_writes"] for r in out if r["api_writes"]}
    if api:  # the worst backend's p99; every refusal of either counts (target: never refused, p99 < 1 s)
        refused = sum(a["refused"] for a in api.values())
        record("API write while an import runs", max(a["p99_s"] for a in api.values()), "s (p99)", at_most=1.0,
               ok=refused == 0, extra={"refused": refused, "condition": "never refused",
                                       "condition_missed": f"{refused} refused", **api})
        if refused:
            print(f"API writes refused during the import: {refused} (target: never)", flush=True)
    print(json.dumps(out, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
