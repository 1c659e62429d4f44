"""Command-line subcommands of the evaluation domain: `xinyong standards impact VERSION [--as-of]` (the what-if
impact of a standard version, 122号 Art.12, run by the batch kernel)."""

from __future__ import annotations

import argparse
import time

from ..auth.actors import OPERATOR
from ..core.cli import engine, guarded, iso_date
from ..core.uow import start
from .impact import impact


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


def register_impact(standards: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `impact` to the `standards` subcommands."""
    s = standards.add_parser("impact", help="evaluate every subject under VERSION and under the standards in force")
    s.add_argument("version")
    s.add_argument("--as-of", type=iso_date, default=None, help="evaluation date (default today, Beijing time)")
    s.set_defaults(func=cmd_impact)
