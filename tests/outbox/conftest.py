"""Fixtures of the downstream-sync tests: a real HTTP receiver on 127.0.0.1 that checks the signature, a probe
event, the receivers' key file in a temporary directory."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import FixedClock, clock_at
from xinyong.core.events import Change, Shared
from xinyong.outbox.service import verify_signature

SECRET = "s3cret-of-the-test-receiver"


@pytest.fixture(autouse=True)
def receiver_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "receiver_key"
    monkeypatch.setenv("XINYONG_RECEIVER_KEY", str(path))
    return path


@dataclass(frozen=True)
class Probe(Shared):
    """A shared event of the tests: one change per item of `ns` (type grade_changed unless `kind` says)."""

    code: str
    ns: tuple[int, ...]
    kind: str = "grade_changed"

    def changes(self) -> list[Change]:
        return [Change(self.kind, self.code, {"n": n}) for n in self.ns]


def publish(engine: Engine, *ns: int, code: str = "91110000TEST00001X", at: datetime | None = None,
            kind: str = "grade_changed") -> None:
    """Commit one unit of work sharing one change per n (at `at`, Beijing time)."""
    if at is None:
        with unit_of_work(engine) as uow:
            uow.publish(Probe(code, tuple(ns), kind))
        return
    with clock_at(FixedClock(at)), unit_of_work(engine) as uow:
        uow.publish(Probe(code, tuple(ns), kind))


@dataclass
class Received:
    seq: int
    event: str
    body: dict[str, Any]
    raw: bytes
    signed: bool
    redelivery: bool


@dataclass
class HookReceiver:
    """A downstream platform: verifies X-Xinyong-Signature, records what it got, answers `status`."""

    port: int
    secret: bytes = SECRET.encode()
    status: int = 200
    fail_seqs: set[int] = field(default_factory=set)  # answered 500 (a change the receiver cannot take)
    hits: int = 0  # every POST, acknowledged or not
    got: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    conns: list[socket.socket] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook?src=xinyong"

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the deliverer uses it

            def setup(self) -> None:
                super().setup()
                owner.conns.append(self.connection)

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                owner.hits += 1
                signed = verify_signature(owner.secret, raw, self.headers.get("X-Xinyong-Signature"))
                status = owner.status if signed else 401
                if int(self.headers["X-Xinyong-Seq"]) in owner.fail_seqs:
                    status = 500
                if status < 300:
                    body = json.loads(raw)
                    assert self.headers["X-Xinyong-Seq"] == str(body["seq"])
                    assert self.headers["X-Xinyong-Event"] == body["type"]
                    owner.got.append(Received(body["seq"], body["type"], body, raw, signed,
                                              self.headers.get("X-Xinyong-Redelivery") == "1"))
                answer = b'{"ok":true}' if status < 300 else b'{"ok":false}'
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Down: the port refuses connections and kept-alive ones are cut."""
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()
        for conn in self.conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.conns.clear()
        self.server = None

    @property
    def seqs(self) -> list[int]:
        return [r.seq for r in self.got]


@pytest.fixture
def receiver() -> Iterator[HookReceiver]:
    r = HookReceiver(port=0)
    r.start()
    yield r
    if r.server is not None:
        r.stop()
