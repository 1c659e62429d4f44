"""`xinyong outbox …`: delivery status and a delivery round on demand (44号 Task 14 及时共享、及时更新).

    xinyong outbox status     each receiver: position, pending changes, dead letters, back-off, last error
    xinyong outbox deliver    one delivery round now (what `xinyong serve` does every few seconds)
"""

from __future__ import annotations

import argparse

from ..auth.actors import OPERATOR
from ..core.cli import engine
from ..core.uow import start
from . import repository
from .delivery import deliver_due
from .service import receiver_out, receivers


def cmd_status(_args: argparse.Namespace) -> int:
    with start(engine(), OPERATOR, writing=False) as uow:
        head = repository.last_seq(uow.session)
        rows = [receiver_out(uow.session, r) for r in receivers(uow.session)]
    print(f"最新序号 / latest seq: {head}")
    if not rows:
        print("没有接收方 / no receivers")
    for r in rows:
        state = "active" if r.active else f"disabled {r.disabled_at:%Y-%m-%d %H:%M}" if r.disabled_at else "disabled"
        line = (f"#{r.id} {r.name} [{state}] {r.url} events={','.join(r.events) or '*'} position={r.position} "
                f"pending={r.pending} delivered={r.delivered} dead_letters={r.dead_letters}")
        if r.redeliveries_pending:
            line += f" redeliveries={r.redeliveries_pending}"
        if r.attempts:
            line += f" attempts={r.attempts} next_attempt_at={r.next_attempt_at:%Y-%m-%d %H:%M:%S}" \
                if r.next_attempt_at else f" attempts={r.attempts}"
        if r.last_error:
            line += f" last_error={r.last_error!r}"
        print(line)
    return 0


def cmd_deliver(_args: argparse.Namespace) -> int:
    summary = deliver_due(engine())
    print(summary.line())
    for error in summary.errors:
        print(error)
    return 1 if summary.errors else 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    out = sub.add_parser("outbox", help="信用信息共享：接收方投递状态 / downstream sync").add_subparsers(
        dest="outbox_command", required=True)
    s = out.add_parser("status", help="each receiver's position, pending changes and dead letters")
    s.set_defaults(func=cmd_status)
    s = out.add_parser("deliver", help="one delivery round now")
    s.set_defaults(func=cmd_deliver)
