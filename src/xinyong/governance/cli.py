"""Command-line subcommands of the governance domain: `xinyong standards list` (impact: evaluation/cli.py)."""

from __future__ import annotations

import argparse

from ..auth.actors import OPERATOR
from ..core.cli import engine
from ..core.uow import start
from .service import list_standards


def cmd_list(_args: argparse.Namespace) -> int:
    with start(engine(), OPERATOR, writing=False) as uow:
        rows = list_standards(uow.session, uow.clock.today(), include_drafts=True)
    print(f"{'version':28} {'status':13} {'effective':10} {'consultation':23} approved_by")
    for r in rows:
        consult = f"{r['consultation_start']}..{r['consultation_end']}" if r["consultation_start"] else "-"
        print(f"{r['version']:28} {r['status']:13} {r['effective_date'] or '-':10} {consult:23} "
              f"{r['approved_by'] or '-'}")
    return 0


def register(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    """Add this domain's subcommands to the top-level parser."""
    p = sub.add_parser("standards", help="评价标准版本与影响测算 / standard versions and what-if impact (122号 第十二条)")
    ss = p.add_subparsers(dest="standards_command", required=True)
    s = ss.add_parser("list", help="list every version with its status")
    s.set_defaults(func=cmd_list)
    return ss  # the evaluation domain adds `standards impact` (evaluation/cli.py)
