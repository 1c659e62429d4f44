"""Single-record POST throughput with real-time re-evaluation, over real HTTP, on PostgreSQL.

Creates a fresh database on the local PostgreSQL service (XINYONG_BENCH_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/postgres names the server), serves the API with uvicorn in a subprocess,
and posts records one by one from a few client threads for a bounded time. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from xinyong.bootstrap import seed_defaults, unit_of_work
from xinyong.core.clock import beijing_today
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine
from xinyong.demo import make_uscc
from xinyong.users.tokens import create_token

ITEMS = ["GEN-B01", "GEN-B02", "GEN-D01", "GEN-D02", "SD-B01", "SD-B02", "SD-D01", "SD-D02", "SD-D04", "SD-D08"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()

    server_url = make_url(os.environ.get("XINYONG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
                          .replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"xinyong_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db_url = server_url.set(database=name).render_as_string(hide_password=False)
    proc = None
    try:
        engine = make_engine(db_url)
        upgrade(engine)
        rng = random.Random(7)
        with unit_of_work(engine) as uow:
            s = uow.session
            seed_defaults(s)
            token = create_token(s, "bench", "admin")
        codes = [make_uscc(rng) for _ in range(args.subjects)]
        port = free_port()
        env = dict(os.environ, XINYONG_DATABASE_URL=db_url, XINYONG_LOG_JSON="1")
        server_log = open(os.environ.get("XINYONG_BENCH_SERVER_LOG", os.devnull), "w")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "-m", "xinyong.cli", "serve", "--port", str(port)], env=env,
                                stdout=server_log, stderr=server_log)
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(100):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with httpx.Client(base_url=base, headers=headers, timeout=30) as c:
            for code in codes:
                c.post("/api/v1/subjects", json={"code": code, "name": "压测单位", "kind": "organization",
                                                 "national_grade": rng.choice("ABCD"),
                                                 "industries": ["survey_design"]}).raise_for_status()
        today = beijing_today()
        counter = iter(range(10**9))
        lock = threading.Lock()
        latencies: list[float] = []
        errors = [0]
        transport_errors: list[str] = []
        stop = time.perf_counter() + args.seconds

        def worker(seed: int) -> None:
            r = random.Random(seed)
            with httpx.Client(base_url=base, headers=headers, timeout=30) as c:
                while time.perf_counter() < stop:
                    with lock:
                        n = next(counter)
                    body = {"subject": r.choice(codes), "item": r.choice(ITEMS),
                            "act_date": (today - timedelta(days=r.randrange(today.timetuple().tm_yday))).isoformat(),
                            "department": "kanchasheji", "source_ref": f"BENCH-{n}"}
                    t0 = time.perf_counter()
                    try:
                        resp = c.post("/api/v1/records", json=body)
                    except httpx.TransportError as exc:
                        with lock:
                            errors[0] += 1
                            transport_errors.append(repr(exc))
                        continue
                    dt = time.perf_counter() - t0
                    with lock:
                        if resp.status_code == 201:
                            latencies.append(dt)
                        else:
                            errors[0] += 1

        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        latencies.sort()
        n = len(latencies)
        print(f"POST /api/v1/records on PostgreSQL, {args.threads} client threads, one uvicorn worker, "
              f"{args.subjects} subjects")
        print(f"  {n} records in {elapsed:.1f} s = {n / elapsed:.0f} records/s; errors {errors[0]}"
              + (f" (transport: {transport_errors[:3]})" if transport_errors else ""))
        if n:
            print(f"  latency p50 {latencies[n // 2] * 1000:.1f} ms, p95 {latencies[int(n * 0.95)] * 1000:.1f} ms")
        return 0 if errors[0] == 0 else 1
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        admin.dispose()
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
