"""E-mail/SMS delivery of the notices, after their commit (issue 8 item 7), behind one interface (`Sender`).

Adapters, chosen by XINYONG_NOTIFY_SENDER:
    console  (default) one log line per notice (structlog "notification_sent")
    file     one JSON line per notice appended to $XINYONG_NOTIFY_DIR/<channel>.jsonl (default ./notifications),
             for development and acceptance tests
A real mail or SMS gateway is another class with the same `send` (none is configured in this deployment yet).

The address comes from the recipient's contact (notifications.service.set_contact: e-mail first, else SMS); with
none the notice stays in the in-app list only (`send_state` "in_app"). A failing adapter leaves the notice
pending and it is tried again after 1, 2, 4 … minutes (at most an hour) until 3 days have passed since it was
written ("failed"); the in-app row is never touched but for its delivery columns.

`send_due(engine, now)` is one round: the serving deliverer runs it after each outbox round (outbox.delivery
`Deliverer(engine, also=[send_due])`), tests call it directly.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ..core.clock import clock
from ..core.uow import start
from . import repository

log = structlog.get_logger("xinyong.notifications")
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
HORIZON = timedelta(days=3)
HOLD = timedelta(minutes=5)  # a claimed notice is not taken by another sender while it is being sent


@dataclass(frozen=True)
class Address:
    channel: str  # email | sms
    value: str


@dataclass(frozen=True)
class Outgoing:
    """One notice as an adapter sends it."""

    notification_id: int
    channel: str
    address: str
    recipient_kind: str
    recipient: str
    kind: str
    title: str
    body: str
    link: str | None
    created_at: str


class Sender(Protocol):
    """An e-mail/SMS adapter: `send` returns once the message is handed over, raises when it could not be."""

    name: str

    def send(self, message: Outgoing) -> None:
        ...


class ConsoleSender:
    name = "console"

    def send(self, message: Outgoing) -> None:
        log.info("notification_sent", channel=message.channel, to=message.address, kind=message.kind,
                 title=message.title, notification=message.notification_id)


class FileSender:
    """JSON lines, one file per channel (email.jsonl, sms.jsonl) in `directory`."""

    name = "file"
    _lock = threading.Lock()

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: Outgoing) -> None:
        line = json.dumps(asdict(message), ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(self.directory / f"{message.channel}.jsonl", "a", encoding="utf-8") as f:
                f.write(line)


def sender_from_settings(env: dict[str, str] | os._Environ[str] | None = None) -> Sender:
    env = os.environ if env is None else env
    kind = env.get("XINYONG_NOTIFY_SENDER", "console").strip().lower() or "console"
    if kind == "console":
        return ConsoleSender()
    if kind == "file":
        return FileSender(Path(env.get("XINYONG_NOTIFY_DIR", "./notifications")))
    raise SystemExit(f"XINYONG_NOTIFY_SENDER={kind!r}: 应为 console 或 file / must be console or file")


def resolve(session: Session, recipient_kind: str, recipient: str) -> Address | None:
    """The recipient's e-mail, else its mobile number, else None (in-app only)."""
    row = repository.contact(session, recipient_kind, recipient)
    if row is None:
        return None
    if row.email:
        return Address("email", row.email)
    if row.phone:
        return Address("sms", row.phone)
    return None


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** min(max(attempts - 1, 0), 20)))


@dataclass
class SendSummary:
    sent: int = 0
    in_app: int = 0  # no address: the in-app list only
    retried: int = 0
    failed: int = 0

    def line(self) -> str:
        return f"notifications sent {self.sent}, in-app only {self.in_app}, retry later {self.retried}, " \
               f"failed {self.failed}"


def send_due(engine: Engine, now: datetime | None = None, sender: Sender | None = None, limit: int = 200
             ) -> SendSummary:
    """Send the notices due now; each claimed, sent outside any transaction, then marked (sent_at) or rescheduled."""
    now = now or clock().now()
    sender = sender or sender_from_settings()
    summary = SendSummary()
    outgoing: list[tuple[Outgoing, datetime, int]] = []
    with start(engine) as uow:
        for row in repository.claim_due(uow.session, now, now + HOLD, limit):
            address = resolve(uow.session, row.recipient_kind, row.recipient)
            if address is None:
                repository.set_delivery(uow.session, row.id, send_state="in_app", next_send_at=None)
                summary.in_app += 1
                continue
            outgoing.append((Outgoing(row.id, address.channel, address.value, row.recipient_kind, row.recipient,
                                      row.kind, row.title, row.body, row.link, row.created_at.isoformat()),
                             row.created_at, row.send_attempts))
    results: list[tuple[Outgoing, datetime, int, str | None]] = []
    for message, created, attempts in outgoing:
        try:
            sender.send(message)
            results.append((message, created, attempts, None))
        except Exception as exc:  # any adapter failure: retried later, the in-app row stays
            results.append((message, created, attempts, f"{type(exc).__name__}: {exc}"[:500]))
    if not results:
        return summary
    with start(engine) as uow:
        for message, created, attempts, error in results:
            base = {"channel": message.channel, "address": message.address, "send_attempts": attempts + 1}
            if error is None:
                repository.set_delivery(uow.session, message.notification_id, send_state="sent", sent_at=now,
                                        next_send_at=None, send_error=None, **base)
                summary.sent += 1
            elif now - created >= HORIZON:
                repository.set_delivery(uow.session, message.notification_id, send_state="failed",
                                        next_send_at=None, send_error=error, **base)
                summary.failed += 1
                log.warning("notification_failed", notification=message.notification_id, error=error)
            else:
                repository.set_delivery(uow.session, message.notification_id, next_send_at=now + backoff(attempts + 1),
                                        send_error=error, **base)
                summary.retried += 1
    return summary
