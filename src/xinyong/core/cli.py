"""Helpers shared by the command-line modules (`xinyong.cli` and each domain's `cli.py`), so a domain's CLI never
imports the top-level one: the engine from the settings, a DomainError printed as `field: zh / en` lines on
stderr with exit status 2, and the date argument type."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine

from ..db.session import engine_for
from ..errors import DomainError
from .settings import settings


def engine() -> Engine:
    """The deployment's database (XINYONG_DATABASE_URL)."""
    return engine_for(settings().database_url)


def report(exc: DomainError) -> int:
    """Print each problem as `field: 中文 / English` on stderr; the exit status of a refused command (2)."""
    for p in exc.problems:
        print(f"{p.field}: {p.reason_zh} / {p.reason_en}", file=sys.stderr)
    return 2


def guarded(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A command whose refusals (DomainError) are reported by :func:`report` instead of a traceback."""

    def run(args: argparse.Namespace) -> int:
        try:
            return fn(args)
        except DomainError as exc:
            return report(exc)

    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


def iso_date(value: str) -> date:
    """argparse type of a YYYY-MM-DD argument."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD: {value}") from exc
