"""Delivery of the outbox to the registered receivers (44号 Task 14 及时共享、及时更新, "with delivery confirmation").

One round (`deliver_due`) serves every active receiver whose back-off has passed:

- one change per POST (the same JSON as GET /changes), headers `X-Xinyong-Signature: sha256=<hex>` (HMAC-SHA256
  of the exact body bytes under the receiver's secret), `X-Xinyong-Seq`, `X-Xinyong-Event`; a 2xx acknowledges.
  One per POST keeps the headers meaningful and a receiver trivial; the connection is kept alive, so a large
  backlog goes at the receiver's pace (and GET /changes serves bulk readers);
- strictly in seq order: the first change not acknowledged blocks the receiver's later ones (never reordered).
  It is retried after base·2^(n-1) (capped) — XINYONG_OUTBOX_BACKOFF_BASE / _CAP; one failure ends the
  receiver's round;
- a change not acknowledged within the horizon (XINYONG_OUTBOX_HORIZON_HOURS, default 3 days) counted from the
  change itself (or from its redelivery) goes to the receiver's dead letters after its next failed attempt, and
  the receiver goes on with the next. A receiver down for less than the horizon therefore misses nothing and
  gets everything in order when it is back; POST /receivers/{id}/redeliver sends the dead letters again, in seq
  order, before the later changes;
- at least once: progress is saved after each batch and on a failure, so a crash may repeat a few changes; a
  receiver keeps the last seq it applied and drops a repeat (X-Xinyong-Seq);
- several serving processes share the work: a receiver is claimed (lease) for a round by one of them.

`Deliverer` runs rounds in a thread of `xinyong serve`, together with the other after-commit senders it is given
(`also`, e.g. notifications.delivery.send_due); `xinyong outbox deliver` runs one round.
"""

from __future__ import annotations

import http.client
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import structlog
from sqlalchemy import Engine

from ..core.clock import clock
from ..core.uow import start
from . import repository, secrets
from .config import DeliveryPolicy, read_policy
from .models import DeadLetter
from .service import body_bytes, event_body, signature

log = structlog.get_logger("xinyong.outbox")
ROUND_BUDGET_SECONDS = 30.0  # one receiver's share of a round before the others get theirs


@dataclass
class DeliverySummary:
    receivers: int = 0  # served this round
    delivered: int = 0
    failed: int = 0  # failed attempts (retried later)
    dead: int = 0  # moved to dead letters
    waiting: int = 0  # receivers in back-off or held by another deliverer
    more: bool = False  # a receiver stopped at its time budget with changes left
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"receivers {self.receivers}, delivered {self.delivered}, failed {self.failed}, "
                f"dead letters {self.dead}, waiting {self.waiting}")


# -- HTTP ---------------------------------------------------------------------------------------------------------
class Poster:
    """POSTs over kept-alive connections (one per scheme, host and port) with a timeout per socket operation."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._conns: dict[tuple[str, str, int | None], http.client.HTTPConnection] = {}

    def _conn(self, scheme: str, host: str, port: int | None) -> http.client.HTTPConnection:
        key = (scheme, host, port)
        conn = self._conns.get(key)
        if conn is None:
            cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            conn = self._conns[key] = cls(host, port, timeout=self.timeout)
        return conn

    def _drop(self, key: tuple[str, str, int | None]) -> None:
        conn = self._conns.pop(key, None)
        if conn is not None:
            conn.close()

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
        """(status, error): error is None exactly when the receiver answered 2xx."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "", parts.port)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        for attempt in (1, 2):  # a kept-alive connection the receiver closed meanwhile is reopened once
            reused = key in self._conns
            conn = self._conn(*key)
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read(4096)
                if response.will_close or not response.isclosed():
                    self._drop(key)  # a long or closing answer: do not reuse the connection
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop(key)
                if reused and attempt == 1:
                    continue
                return None, f"{type(exc).__name__}: {exc}"[:500]
            except (OSError, http.client.HTTPException) as exc:
                self._drop(key)
                return None, f"{type(exc).__name__}: {exc}"[:500]
            if 200 <= response.status < 300:
                return response.status, None
            return response.status, f"HTTP {response.status}: {text.decode('utf-8', 'replace')[:400]}"
        return None, "unreachable"

    def close(self) -> None:
        for key in list(self._conns):
            self._drop(key)


def headers_for(body: bytes, secret: bytes, seq: int, type_: str, redelivery: bool) -> dict[str, str]:
    out = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "xinyong-outbox",
           "X-Xinyong-Signature": signature(secret, body), "X-Xinyong-Seq": str(seq), "X-Xinyong-Event": type_}
    if redelivery:
        out["X-Xinyong-Redelivery"] = "1"
    return out


# -- one receiver's round -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Item:
    seq: int
    type: str
    body: bytes
    since: datetime  # the horizon counts from here: the change, or its redelivery
    letter_id: int | None  # a dead letter being redelivered


def _work(engine: Engine, receiver_id: int, position: int, types: Sequence[str], limit: int) -> list[_Item]:
    """The receiver's next changes in order: its redeliveries first, then the changes after its position."""
    with start(engine, writing=False) as uow:
        pending = repository.dead_letters(uow.session, receiver_id, ("pending",))[:limit]
        if pending:
            events = {e.seq: e for e in repository.events_by_seq(uow.session, {d.seq for d in pending})}
            return [_Item(d.seq, events[d.seq].type, body_bytes(event_body(events[d.seq])),
                          d.redelivered_at or d.dead_at, d.id) for d in pending if d.seq in events]
        return [_Item(e.seq or 0, e.type, body_bytes(event_body(e)), e.occurred_at, None)
                for e in repository.events_after(uow.session, position, limit, types)]


@dataclass
class _State:
    position: int
    attempts: int


def _save(engine: Engine, receiver_id: int, owner: str, now: datetime, state: _State, done: list[_Item],
          failure: tuple[_Item, int | None, str] | None, ok_status: int | None, policy: DeliveryPolicy,
          summary: DeliverySummary) -> None:
    """Write what this batch did: acknowledged changes, and the failure of the head if any."""
    values: dict[str, Any] = {"last_attempt_at": now}
    with start(engine) as uow:
        s = uow.session
        for item in done:
            if item.letter_id is not None:
                repository.update_dead_letter(s, item.letter_id, state="delivered", delivered_at=now)
            else:
                state.position = max(state.position, item.seq)
        if done:
            state.attempts = 0
            row = repository.receiver_by_id(s, receiver_id)
            values.update(delivered=(row.delivered if row else 0) + len(done), attempts=0, next_attempt_at=None,
                          last_error=None, last_status=ok_status)
        if failure is not None:
            item, status, error = failure
            state.attempts += 1
            values.update(last_status=status, last_error=error)
            if now - item.since >= policy.horizon:  # 3 days without an acknowledgement: a dead letter
                if item.letter_id is not None:
                    repository.update_dead_letter(s, item.letter_id, state="dead", dead_at=now,
                                                  attempts=state.attempts, last_status=status, last_error=error)
                else:
                    s.add(DeadLetter(receiver_id=receiver_id, seq=item.seq, state="dead", attempts=state.attempts,
                                     last_status=status, last_error=error, dead_at=now))
                    state.position = max(state.position, item.seq)
                state.attempts = 0
                values.update(attempts=0, next_attempt_at=None)
                summary.dead += 1
                log.warning("outbox_dead_letter", receiver=receiver_id, seq=item.seq, error=error)
            else:
                values.update(attempts=state.attempts, next_attempt_at=now + policy.backoff(state.attempts))
                summary.failed += 1
                log.info("outbox_delivery_failed", receiver=receiver_id, seq=item.seq, attempts=state.attempts,
                         error=error)
        values["position"] = state.position
        repository.save_progress(s, receiver_id, owner, **values)


def _serve(engine: Engine, receiver_id: int, now: datetime, policy: DeliveryPolicy, owner: str, poster: Poster,
           summary: DeliverySummary) -> None:
    with start(engine) as uow:
        if not repository.claim(uow.session, receiver_id, owner, now, now + policy.lease):
            summary.waiting += 1
            return
        row = repository.receiver_by_id(uow.session, receiver_id)
        assert row is not None
        if row.next_attempt_at is not None and row.next_attempt_at > now:
            summary.waiting += 1
            repository.save_progress(uow.session, receiver_id, owner, lease_owner=None, lease_until=None)
            return
        url, types, sealed = row.url, list(row.events), row.secret_ciphertext
        state = _State(row.position, row.attempts)
    summary.receivers += 1
    began = time.monotonic()
    try:
        secret = secrets.unseal(sealed)
        while True:
            items = _work(engine, receiver_id, state.position, types, policy.batch)
            if not items:
                return
            done: list[_Item] = []
            failure, ok_status = None, None
            for item in items:
                status, error = poster.post(url, item.body, headers_for(item.body, secret, item.seq, item.type,
                                                                         item.letter_id is not None))
                if error is None:
                    done.append(item)
                    ok_status = status
                else:
                    failure = (item, status, error)
                    break
            summary.delivered += len(done)
            _save(engine, receiver_id, owner, now, state, done, failure, ok_status, policy, summary)
            redeliveries = items[0].letter_id is not None  # the stream follows them in the same round
            if failure is not None or (len(items) < policy.batch and not redeliveries):
                return
            if time.monotonic() - began > ROUND_BUDGET_SECONDS:
                summary.more = True
                return
    except secrets.SecretUnavailable as exc:
        summary.errors.append(f"receiver {receiver_id}: {exc}")
        log.error("outbox_secret_unavailable", receiver=receiver_id, error=str(exc))
        with start(engine) as uow:
            repository.save_progress(uow.session, receiver_id, owner, last_error=str(exc)[:500],
                                     next_attempt_at=now + policy.backoff_cap)
    finally:
        with start(engine) as uow:
            repository.save_progress(uow.session, receiver_id, owner, lease_owner=None, lease_until=None)


def deliver_due(engine: Engine, now: datetime | None = None, *, policy: DeliveryPolicy | None = None
                ) -> DeliverySummary:
    """One delivery round over every active receiver (the serving thread, `xinyong outbox deliver`, tests).
    `now` (naive Beijing time) decides back-off and the horizon; default the clock's."""
    now = now or clock().now()
    policy = policy or read_policy()
    owner = uuid.uuid4().hex
    summary = DeliverySummary()
    with start(engine, writing=False) as uow:
        ids = [r.id for r in repository.all_receivers(uow.session, active_only=True)]
    poster = Poster(policy.timeout)
    try:
        for receiver_id in ids:
            _serve(engine, receiver_id, now, policy, owner, poster, summary)
    finally:
        poster.close()
    return summary


class Deliverer:
    """A background thread of `xinyong serve`: delivery rounds, then each of `also` (other after-commit senders
    taking the engine), again at once while there was work, else after XINYONG_OUTBOX_POLL_SECONDS."""

    def __init__(self, engine: Engine, also: Sequence[Callable[[Engine], object]] = (),
                 policy: DeliveryPolicy | None = None) -> None:
        self.engine = engine
        self.also = tuple(also)
        self.policy = policy
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xinyong-deliverer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def run_once(self) -> DeliverySummary | None:
        summary = None
        try:
            summary = deliver_due(self.engine, policy=self.policy or read_policy())
        except Exception:  # keep serving; the failure is logged for operations (大数据中心)
            log.exception("outbox_round_failed")
        for send in self.also:
            try:
                send(self.engine)
            except Exception:
                log.exception("after_commit_sender_failed", sender=getattr(send, "__name__", repr(send)))
        return summary

    def _run(self) -> None:
        while not self._stop.is_set():
            summary = self.run_once()
            busy = summary is not None and (summary.delivered > 0 or summary.more)
            self._stop.wait(0.05 if busy else (self.policy or read_policy()).poll_seconds)
