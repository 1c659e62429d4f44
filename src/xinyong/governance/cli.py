"""Command-line subcommands of the governance domain: `xinyong standards list | impact VERSION [--as-of]`."""

from __future__ import annotations

import argparse
import time

from ..auth.actors import OPERATOR
from ..core.cli import engine, guarded, iso_date
from ..core.uow import start
from .impact import impact
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


@guarded
def cmd_impact(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    with start(engine(), OPERATOR, writing=False) as uow:
        report = impact(uow.session, args.version, args.as_of or uow.clock.today(), may_see_personal=False)
    took = time.perf_counter() - started
    print(f"影响测算 / impact of {report.version} as of {report.as_of} (replaces {report.replaces or '-'}): "
          f"{report.changed} of {report.total} evaluations change ({took:.2f} s)")
    for key, n in report.transitions.items():
        mark = "" if key.split("->")[0] == key.split("->")[1] else "  *"
        print(f"  {key:8} {n}{mark}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this domain's subcommands to the top-level parser."""
    p = sub.add_parser("standards", help="评价标准版本与影响测算 / standard versions and what-if impact (122号 第十二条)")
    ss = p.add_subparsers(dest="standards_command", required=True)
    s = ss.add_parser("list", help="list every version with its status")
    s.set_defaults(func=cmd_list)
    s = ss.add_parser("impact", help="evaluate every subject under VERSION and under the standards in force")
    s.add_argument("version")
    s.add_argument("--as-of", type=iso_date, default=None, help="evaluation date (default today, Beijing time)")
    s.set_defaults(func=cmd_impact)
