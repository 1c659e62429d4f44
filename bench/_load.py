"""Load generation for the HTTP benchmarks (bench_post.py, bench_get.py), in processes of its own.

`run_load` starts `processes` load-generator processes (multiprocessing, spawn: nothing shared with the caller
or the server), each with `clients // processes` clients on one asyncio loop; every client keeps one HTTP/1.1
connection open (`_Connection`, a minimal hand-written client) and sends requests back to back until the
deadline. A request is what `make_request(rng, n)`
returns: (method, path, json body or None); `n` is unique across all clients. Latency is measured around
each request; only answers with an expected status count.

The machine these figures come from has 2 cores: the server's workers, PostgreSQL and the load generator share
them, so the load generator's own CPU is part of every figure (benchmarks say so in their rows).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

Request = tuple[str, str, Any]


@dataclass
class LoadResult:
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)  # the first few failures, for the report

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))]


class _Connection:
    """One keep-alive HTTP/1.1 connection, written and read by hand: what the load generator needs of a client and
    nothing more (a request's bytes, the status, a body by Content-Length or chunked). httpx cost about 0.7 ms of
    Python per request (sync client, threads): on the 2-core bench machine the generators then took the CPU the
    server needed, and a bare FastAPI app measured 2,362/s with it against 3,522/s with this client, in one process
    instead of two."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"{host}:{port}", **headers}.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: Any) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        data = b"" if body is None else json.dumps(body).encode()
        extra = f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n" if body is not None else ""
        self.writer.write(f"{method} {path} HTTP/1.1\r\n{self.head}{extra}\r\n".encode() + data)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            status = int(lines[0].split(b" ", 2)[1])
            fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(b":") for line in lines[1:] if line)}
            if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
                parts = []
                while size := int((await self.reader.readuntil(b"\r\n")).strip().split(b";")[0], 16):
                    parts.append((await self.reader.readexactly(size + 2))[:-2])
                await self.reader.readuntil(b"\r\n")  # the empty trailer
                content = b"".join(parts)
            else:
                content = await self.reader.readexactly(int(fields.get(b"content-length", b"0")))
        except BaseException:
            self.close()
            raise
        if fields.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, content

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _process(base: str, headers: dict[str, str], make_request: Callable[[random.Random, int], Request],
             clients: int, first: int, seconds: float, expect: tuple[int, ...], seed: int, out: Any,
             sync: Any) -> None:
    """`clients` connections on one asyncio loop (no threads: nothing waits for the GIL but the requests)."""
    url = httpx.URL(base)
    host, port = url.host, url.port or 80
    result = LoadResult()
    counter = iter(range(first, first + 10**9, 1))

    async def client(conn: _Connection, k: int, start_at: float) -> None:
        rng = random.Random(seed * 1000 + k)
        await asyncio.sleep(max(0.0, start_at - time.time()))
        stop = start_at + seconds
        while time.time() < stop:
            method, path, body = make_request(rng, next(counter))
            t0 = time.perf_counter()
            try:
                status, content = await conn.request(method, path, body)
                text = content[:200].decode(errors="replace")
            except (OSError, EOFError, ValueError, IndexError, asyncio.IncompleteReadError) as exc:
                status, text = 0, repr(exc)
            dt = time.perf_counter() - t0
            if status in expect:
                result.ok += 1
                result.latencies.append(dt)
            else:
                result.errors += 1
                if len(result.samples) < 3:
                    result.samples.append(f"{status} {text}")

    async def main() -> None:
        conns = [_Connection(host, port, headers) for _ in range(clients)]
        for conn in conns:
            await conn.request("GET", "/healthz", None)  # connect before the clock starts
        sync.ready()
        start_at = await asyncio.get_running_loop().run_in_executor(None, sync.start_at)
        await asyncio.gather(*(client(conn, k, start_at) for k, conn in enumerate(conns)))
        for conn in conns:
            conn.close()

    asyncio.run(main())
    out.put((result.ok, result.errors, result.latencies, result.samples))


def run_load(base: str, make_request: Callable[[random.Random, int], Request], *, clients: int = 16,
             processes: int = 2, seconds: float = 10.0, headers: dict[str, str] | None = None,
             expect: tuple[int, ...] = (200,), seed: int = 7) -> LoadResult:
    """`clients` concurrent connections from `processes` separate load-generator processes, for `seconds`.
    `make_request` must be picklable (a module-level function)."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    sync = StartLine(ctx, processes)
    per = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    procs = [ctx.Process(target=_process, args=(base, headers or {}, make_request, n, (seed * processes + i) * 10**9, seconds,
                                                 expect, seed + i, out, sync)) for i, n in enumerate(per)]
    for p in procs:
        p.start()
    sync.go()
    total = LoadResult(seconds=seconds)
    for _ in procs:
        ok, errors, latencies, samples = out.get()
        total.ok += ok
        total.errors += errors
        total.latencies += latencies
        total.samples += samples
    for p in procs:
        p.join()
    return total


class StartLine:
    """Every load process connects first, then all start together: the clock runs only once the last process
    (slow to start on a loaded machine: spawn imports everything again) is ready."""

    def __init__(self, ctx: Any, processes: int) -> None:
        self._ready = ctx.Semaphore(0)
        self._go = ctx.Event()
        self._at = ctx.Value("d", 0.0)
        self._processes = processes

    def ready(self) -> None:
        self._ready.release()

    def go(self) -> None:
        for _ in range(self._processes):
            self._ready.acquire()
        self._at.value = time.time() + 0.2
        self._go.set()

    def start_at(self) -> float:
        self._go.wait()
        return float(self._at.value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- what both HTTP benches set up: a fresh PostgreSQL database and `xinyong serve` on it ----------------------

ITEMS = ["GEN-B01", "GEN-B02", "GEN-D01", "GEN-D02", "SD-B01", "SD-B02", "SD-D01", "SD-D02", "SD-D04", "SD-D08"]
CLIENTS = 16
CORES_NOTE = ("2-core machine: the server's workers, PostgreSQL and the load-generator processes share both "
              "cores")
CODES_ENV = "XINYONG_BENCH_CODES"  # the file of subject codes the load-generator processes read


@contextmanager
def bench_database() -> Iterator[str]:
    """A fresh database on XINYONG_BENCH_POSTGRES_URL's server (default the local one), dropped afterwards; yields
    its SQLAlchemy URL."""
    server_url = make_url(os.environ.get("XINYONG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
                          .replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"xinyong_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def serving(db_url: str, workers: int = 0, profile: str | None = None) -> Iterator[str]:
    """`xinyong serve` on `db_url` in a process of its own (under `py-spy record` with `profile`), once /healthz
    answers; yields its base URL and stops it afterwards (py-spy writes its stacks on SIGINT)."""
    port = free_port()
    env = dict(os.environ, XINYONG_DATABASE_URL=db_url, XINYONG_LOG_JSON="1")
    serve = [sys.executable, "-m", "xinyong.cli", "serve", "--port", str(port)]
    if workers:
        serve += ["--workers", str(workers)]
    if profile:
        # collapsed stacks of the server and its workers (on-CPU samples), written when py-spy gets SIGINT
        venv_spy = os.path.join(os.path.dirname(sys.executable), "py-spy")  # the bench extra's, beside python
        spy = venv_spy if os.path.exists(venv_spy) else "py-spy"
        serve = [spy, "record", "--subprocesses", "-f", "raw", "-o", profile, "--", *serve]
    with open(os.environ.get("XINYONG_BENCH_SERVER_LOG", os.devnull), "w") as server_log:
        # a process group of its own: whatever it leaves (py-spy's child server and its workers) is stopped with it
        proc = subprocess.Popen(serve, env=env, stdout=server_log, stderr=server_log, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(3000):  # worker processes import the whole app: slow on a loaded 2-core machine
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            yield base
        finally:
            if profile:
                proc.send_signal(signal.SIGINT)
            else:
                proc.terminate()
            proc.wait(timeout=120)
            try:  # py-spy exits on SIGINT and leaves the server it ran: the rest of the group goes too
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
