"""Keeps the stored current evaluations current across midnight and the period change (1 January re-seeds
every subject from its national level, 122号 第十三条; G1-02) while the server runs."""

from __future__ import annotations

import threading

import structlog
from sqlalchemy import Engine

from ..auth.actors import SYSTEM
from ..core.uow import start
from . import repository
from .service import batch_evaluate

log = structlog.get_logger("xinyong.refresher")


def refresh_if_stale(engine: Engine) -> bool:
    """Run the batch evaluation when any stored evaluation is older than today. Returns whether it ran."""
    with start(engine, SYSTEM) as uow:
        today = uow.clock.today()
        oldest = repository.oldest_as_of(uow.session)
        if oldest is None or oldest >= today:
            return False
        summary = batch_evaluate(uow, today, store=True)
    log.info("stored_evaluations_refreshed", as_of=str(today), evaluations=summary.evaluations,
             changed=summary.changed)
    return True


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
            try:  # 122号 第十九条: a signed archive checkpoint at least daily (logs, never stops, without a key)
                from ..archive.checkpoints import checkpoint_if_due

                checkpoint_if_due(self.engine)
            except Exception:
                log.exception("archive_checkpoint_failed")
            self._stop.wait(self.interval)
