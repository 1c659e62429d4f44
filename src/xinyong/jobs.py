"""Scheduled work while the server runs (`xinyong serve`): stored evaluations kept current across midnight and
the 1 January period change (122号 Art.13; G1-02), and a signed archive checkpoint at least daily (122号 Art.19)."""

from __future__ import annotations

import argparse
import threading

import structlog
from sqlalchemy import Engine

from .archive.checkpoints import checkpoint_if_due
from .evaluation.refresher import refresh_if_stale

log = structlog.get_logger("xinyong.jobs")


class DailyRefresher:
    def __init__(self, engine: Engine, interval_seconds: float = 300.0) -> None:
        self.engine = engine
        self.interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xinyong-refresher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                refresh_if_stale(self.engine)
            except Exception:  # keep serving; the failure is logged for operations (大数据中心)
                log.exception("refresh_failed")
            try:  # 122号 Art.19: a signed archive checkpoint at least daily (logs, never stops, without a key)
                checkpoint_if_due(self.engine)
            except Exception:
                log.exception("archive_checkpoint_failed")
            self._stop.wait(self.interval)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`xinyong jobs …` (filled in by the scheduled-work change of issue 8)."""
