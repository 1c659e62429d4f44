"""Keeps the stored current evaluations current across midnight and the period change (1 January re-seeds
every subject from its national level, 122号 Art.13; G1-02) while the server runs."""

from __future__ import annotations

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
        summary = batch_evaluate(uow, today, store=True, commit_chunks=True)
    log.info("stored_evaluations_refreshed", as_of=str(today), evaluations=summary.evaluations,
             changed=summary.changed)
    return True
