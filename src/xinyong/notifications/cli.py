"""`xinyong notifications send`: send the due e-mail/SMS notices now (what `xinyong serve` does after each
delivery round; issue 8 item 7)."""

from __future__ import annotations

import argparse

from ..core.cli import engine
from .delivery import send_due


def cmd_send(_args: argparse.Namespace) -> int:
    print(send_due(engine()).line())
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    n = sub.add_parser("notifications", help="通知：发送到期的邮件/短信 / send due notices").add_subparsers(
        dest="notifications_command", required=True)
    s = n.add_parser("send", help="send the due e-mail/SMS notices now")
    s.set_defaults(func=cmd_send)
