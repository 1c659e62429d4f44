"""Command-line subcommands of the governance domain: `xinyong standards list | impact VERSION [--as-of]`."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from sqlalchemy import Engine


def _engine() -> Engine:
    from ..core.settings import settings
    from ..db.session import engine_for

    return engine_for(settings().database_url)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD: {value}") from exc


def cmd_list(_args: argparse.Namespace) -> int:
    from ..core.clock import beijing_today
    from ..db.session import unit_of_work
    from .service import list_standards

    with unit_of_work(_engine()) as session:
        rows = list_standards(session, beijing_today(), include_drafts=True)
    print(f"{'version':28} {'status':13} {'effective':10} {'consultation':23} approved_by")
    for r in rows:
        consult = f"{r['consultation_start']}..{r['consultation_end']}" if r["consultation_start"] else "-"
        print(f"{r['version']:28} {r['status']:13} {r['effective_date'] or '-':10} {consult:23} "
              f"{r['approved_by'] or '-'}")
    return 0


def cmd_impact(args: argparse.Namespace) -> int:
    import time

    from ..core.clock import beijing_today
    from ..db.session import unit_of_work
    from ..errors import DomainError
    from .impact import impact

    started = time.perf_counter()
    try:
        with unit_of_work(_engine()) as session:
            report = impact(session, args.version, args.as_of or beijing_today(), may_see_personal=False)
    except DomainError as exc:
        for p in exc.problems:
            print(f"{p.field}: {p.reason_zh} / {p.reason_en}", file=sys.stderr)
        return 2
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
    s.add_argument("--as-of", type=_date, default=None, help="evaluation date (default today, Beijing time)")
    s.set_defaults(func=cmd_impact)
