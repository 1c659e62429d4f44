"""`xinyong outbox …`: delivery status and a delivery round on demand (44号 Task 14)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Filled in by the downstream-sync change of issue 8."""
