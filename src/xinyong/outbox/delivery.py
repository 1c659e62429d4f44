"""Delivery of the outbox to the registered receivers and of notifications to their adapters (while serving)."""

from __future__ import annotations

from sqlalchemy import Engine


class Deliverer:
    """A background thread of `xinyong serve` (filled in by the downstream-sync change of issue 8)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def start(self) -> None:
        """Nothing to deliver yet."""

    def stop(self) -> None:
        """Nothing to stop yet."""
