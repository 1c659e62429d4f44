"""`xinyong serve --workers N` (issue 10 item 2): N uvicorn worker processes answer requests, and the background
work that serve runs (DailyRefresher's daily jobs, the outbox/notification Deliverer) runs in exactly one process,
the serving parent, never once per worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import Engine

from tests._live import free_port
from xinyong.cli import default_workers


def _workers(pid: int) -> list[int]:
    """The uvicorn worker processes of `pid` (its spawned children, not multiprocessing's resource tracker)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in cmdline:
            out.append(int(stat.parent.name))
    return out


def test_default_workers_one_on_sqlite_one_per_cpu_on_postgresql() -> None:
    assert default_workers("sqlite") == 1
    assert default_workers("postgresql") == max(1, os.cpu_count() or 1)


def test_serve_with_two_workers_runs_the_background_work_once(clean: Engine, tmp_path: Path) -> None:
    url = clean.url.render_as_string(hide_password=False).replace("postgresql+psycopg://", "postgresql://", 1)
    port = free_port()
    log = tmp_path / "serve.log"
    env = dict(os.environ, XINYONG_DATABASE_URL=url, XINYONG_LOG_JSON="1")
    with log.open("w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "xinyong.cli", "serve", "--port", str(port), "--workers", "2"],
                                env=env, stdout=fh, stderr=fh)
    try:
        deadline = time.monotonic() + 300  # worker processes import the whole app (a loaded CI machine: slow)
        answered = 0
        while time.monotonic() < deadline and answered < 20:
            try:
                answered += httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                time.sleep(0.2)
        assert answered == 20, log.read_text()
        workers = _workers(proc.pid)
        deadline = time.monotonic() + 20
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            workers = _workers(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    started = [json.loads(line) for line in log.read_text().splitlines()
               if line.startswith("{") and "background_work_started" in line]
    assert len(workers) == 2, (workers, log.read_text())
    assert [(s["pid"], s["workers"]) for s in started] == [(proc.pid, 2)], log.read_text()


def test_the_workers_listener_is_tcp_so_accepted_connections_get_nodelay() -> None:
    """uvicorn binds the socket it shares with its workers with protocol 0 (Kludex/uvicorn#3149); asyncio then
    leaves Nagle's algorithm on for every accepted connection and each response's body waited ~40 ms for the
    client's delayed ACK. `tcp_listener` marks it as TCP: an accepted connection then has TCP_NODELAY."""
    import asyncio  # test-local: only this test runs a server  # noqa: PLC0415
    import socket  # noqa: PLC0415

    import uvicorn  # noqa: PLC0415

    from xinyong.cli import tcp_listener  # noqa: PLC0415

    config = uvicorn.Config("xinyong.api:worker_app", host="127.0.0.1", port=free_port())
    listener = tcp_listener(config.bind_socket())
    assert listener.proto == socket.IPPROTO_TCP

    async def accepted_nodelay() -> int:
        seen: list[int] = []

        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=listener)
        _reader, writer = await asyncio.open_connection(*listener.getsockname())
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        return seen[0]

    try:
        assert asyncio.run(accepted_nodelay()) != 0
    finally:
        listener.close()
