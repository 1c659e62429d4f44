"""Command-line subcommands of the archive domain, registered into `xinyong` by :func:`register`."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this domain's subcommands to the top-level parser."""
