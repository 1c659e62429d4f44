"""Downstream sync (44号 Task 14 信用修复信息及时共享、及时更新): record, register, read.

Every `Shared` event's changes become outbox rows in the publishing unit of work (`record_changes`); receivers
are registered here and served by outbox.delivery; GET /changes reads the same bodies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from ..auth.actors import Actor
from ..core.clock import BEIJING
from ..core.events import Change, Shared
from ..core.uow import UnitOfWork
from ..errors import ConflictError, InputError, NotFoundError
from ..messages.evaluation import GRADE_CHANGED
from ..messages.listings import LISTING_REMOVED, SUBJECT_LISTED
from ..messages.records import RECORD_REPAIRED
from . import repository, secrets
from .models import DeadLetter, OutboxEvent, Receiver
from .schemas import ChangeOut, ChangesOut, ReceiverIn, ReceiverOut

# What a receiver may subscribe to: every type a Shared event's changes() produces (a type missing here could
# not be chosen, but is still recorded and delivered to the receivers that take all types).
CHANGE_TYPES: dict[str, tuple[str, str]] = {
    GRADE_CHANGED: ("信用等级变化（等级、级别或熔断）", "122号 Art.13"),
    SUBJECT_LISTED: ("列入名单", "122号 Art.16(1)"),
    LISTING_REMOVED: ("移出名单（含自动移出）", "44号 Task 14"),
    RECORD_REPAIRED: ("信用修复或异议成立撤销记录", "122号 Art.18"),
    "case_resolved": ("异议、信用修复案件办结", "122号 Art.18"),  # messages.cases.CASE_RESOLVED
    "commitment_breached": ("违反信用承诺", "122号 Art.16(3)"),  # messages.commitments.COMMITMENT_BREACHED
}
INSERT_CHUNK = 10_000  # rows per executemany (a batch re-evaluation may share 10^6 changes)


# -- recording (in the publishing transaction) -------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """JSON values only (a date in a change's data becomes its ISO text)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _chunks(changes: Sequence[Change], at: datetime) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(changes), INSERT_CHUNK):
        yield [{"type": c.type, "subject_code": c.subject_code, "data": _plain(c.data), "occurred_at": at, "seq": None}
               for c in changes[start:start + INSERT_CHUNK]]


# From this many changes in one event (a chunk of a batch re-evaluation, a 1 January re-seed) the rows are numbered
# as they go in (COPY, the sequencer held to commit) instead of updated again at commit: 1.85·10^6 rows updated
# at one commit took over a minute (issue 10, bench/profiles.md). Fewer (a request, an import chunk) keep the
# short hold of numbering at commit.
NUMBER_AT_INSERT = 10_000


def record_changes(event: Shared, uow: UnitOfWork) -> None:
    """Write the event's changes to the outbox in this unit of work: they commit with the write that caused them or
    not at all. Rows go in by executemany (one statement per 10 000), or from the event's own texts when it renders
    them (change_texts: a batch or import chunk's columns); seq is given at commit (repository) — or, for
    NUMBER_AT_INSERT changes and more, at insert.
    The outbox handler runs last (xinyong.handlers), after every other reaction has taken its locks, so holding the
    sequencer from here to the commit waits for nobody."""
    at = uow.clock.now()
    texts = event.change_texts()
    if texts is not None:  # rendered by the event from its columns (a batch chunk, an import chunk): no dict per row
        if len(texts) >= NUMBER_AT_INSERT:
            repository.insert_numbered_events(uow.session, texts, at)
        else:
            repository.insert_event_texts(uow.session, texts, at)
        return
    changes = event.changes()
    if len(changes) >= NUMBER_AT_INSERT:
        repository.insert_numbered_events(uow.session, [(c.type, c.subject_code, json.dumps(_plain(c.data)))
                                                        for c in changes], at)
        return
    for rows in _chunks(changes, at):
        repository.insert_events(uow.session, rows)


# -- bodies and signatures ----------------------------------------------------------------------------------------
def occurred(at: datetime) -> str:
    return at.replace(tzinfo=BEIJING).isoformat(timespec="milliseconds")


def event_body(row: OutboxEvent) -> dict[str, Any]:
    """What a receiver gets for one change (pushed or pulled)."""
    assert row.seq is not None
    return {"seq": row.seq, "type": row.type, "subject": row.subject_code, "occurred_at": occurred(row.occurred_at),
            "data": row.data}


def body_bytes(body: dict[str, Any]) -> bytes:
    """The exact bytes POSTed and signed: UTF-8 JSON, keys sorted, no spaces."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signature(secret: bytes, body: bytes) -> str:
    """`X-Xinyong-Signature` value: sha256=<hex of HMAC-SHA256(secret, body)>."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """What a receiver does (constant-time compare); used by the tests' receiver and documented for integrators."""
    return header is not None and hmac.compare_digest(signature(secret, body), header)


# -- receivers ----------------------------------------------------------------------------------------------------
def _check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("url", "接收地址应为 http(s) 网址", "url must be an http(s) URL with a host")
    if parts.username or parts.password:
        raise InputError("url", "接收地址不能包含用户名或密码", "url must not carry credentials")
    if parts.fragment:
        raise InputError("url", "接收地址不能包含 # 片段", "url must not carry a fragment")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 0 < port < 65536:
        raise InputError("url", "端口无效", "the port is invalid")
    return url.strip()


def register_receiver(uow: UnitOfWork, data: ReceiverIn, actor: Actor) -> Receiver:
    name = data.name.strip()
    if not name:
        raise InputError("name", "名称不能为空", "name must not be blank")
    url = _check_url(data.url)
    unknown = sorted(set(data.events) - set(CHANGE_TYPES))
    if unknown:
        raise InputError("events", f"未知的变更类型：{', '.join(unknown)}（可选：{', '.join(CHANGE_TYPES)}）",
                         f"unknown change types {unknown}; known: {sorted(CHANGE_TYPES)}")
    if repository.receiver_by_name(uow.session, name) is not None:
        raise ConflictError("name", f"接收方名称“{name}”已存在", f"a receiver named {name!r} exists")
    head = repository.last_seq(uow.session)
    if data.after is not None and data.after > head:
        raise InputError("after", f"最新的变更序号为 {head}", f"after is beyond the latest seq {head}")
    row = Receiver(name=name, url=url, secret_ciphertext=secrets.seal(data.secret), events=list(dict.fromkeys(data.events)),
                   active=True, created_at=uow.clock.now(), created_by=actor.name,
                   position=head if data.after is None else data.after, delivered=0, attempts=0)
    uow.session.add(row)
    uow.session.flush()
    return row


def get_receiver(session: Session, receiver_id: int) -> Receiver:
    row = repository.receiver_by_id(session, receiver_id)
    if row is None:
        raise NotFoundError("receiver_id", f"没有编号为 {receiver_id} 的接收方", f"no receiver {receiver_id}")
    return row


def receiver_out(session: Session, row: Receiver) -> ReceiverOut:
    return ReceiverOut(
        id=row.id, name=row.name, url=row.url, events=list(row.events), active=row.active, created_at=row.created_at,
        created_by=row.created_by, disabled_at=row.disabled_at, position=row.position, delivered=row.delivered,
        pending=repository.count_after(session, row.position, row.events),
        dead_letters=repository.count_dead(session, row.id, "dead"),
        redeliveries_pending=repository.count_dead(session, row.id, "pending"),
        attempts=row.attempts, next_attempt_at=row.next_attempt_at, last_attempt_at=row.last_attempt_at,
        last_status=row.last_status, last_error=row.last_error)


def receivers(session: Session) -> list[Receiver]:
    return repository.all_receivers(session)


def disable_receiver(uow: UnitOfWork, receiver_id: int) -> Receiver:
    """No more deliveries (idempotent); its position and dead letters stay for the record."""
    row = get_receiver(uow.session, receiver_id)
    if row.active:
        row.active = False
        row.disabled_at = uow.clock.now()
        uow.session.flush()
    return row


def redeliver(uow: UnitOfWork, receiver_id: int) -> int:
    """Move the receiver's dead letters back to pending: they are sent, in seq order, before its later events."""
    row = get_receiver(uow.session, receiver_id)
    if not row.active:
        raise ConflictError("receiver_id", "接收方已停用", f"receiver {receiver_id} is disabled")
    return repository.redeliver_all(uow.session, receiver_id, uow.clock.now())


@dataclass(frozen=True)
class DeadLetterView:
    letter: DeadLetter
    event: OutboxEvent


def dead_letters(session: Session, receiver_id: int, states: Sequence[str] = ("dead",)) -> list[DeadLetterView]:
    get_receiver(session, receiver_id)
    letters = repository.dead_letters(session, receiver_id, states)
    events = {e.seq: e for e in repository.events_by_seq(session, {d.seq for d in letters})}
    return [DeadLetterView(d, events[d.seq]) for d in letters if d.seq in events]


# -- pull -----------------------------------------------------------------------------------------------------------
def changes_after(session: Session, after: int, limit: int, types: Sequence[str] = ()) -> ChangesOut:
    """The committed changes after `after`, in seq order: every seq ≤ the last one returned is final (see
    repository.assign_seqs), so reading on from `next_after` never skips one."""
    unknown = sorted(set(types) - set(CHANGE_TYPES))
    if unknown:
        raise InputError("type", f"未知的变更类型：{', '.join(unknown)}", f"unknown change types {unknown}")
    rows = repository.events_after(session, after, limit + 1, types)
    more = len(rows) > limit
    rows = rows[:limit]
    return ChangesOut(changes=[ChangeOut(**event_body(r)) for r in rows],
                      next_after=rows[-1].seq if rows else after, has_more=more)
