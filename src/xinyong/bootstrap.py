"""The composition root: wires the unit of work with the handler table, the audit trail and the subject lock.

Importing this module configures `xinyong.core.uow.start`, which every request (`deps.get_uow`), CLI command
and job uses, so they all run the same handlers in the same transaction. The entry points (api, cli) import it.
"""

from __future__ import annotations

from .auth.audit import audit_actor
from .core.uow import configure, start
from .handlers import HANDLERS
from .subjects.repository import lock

configure(handlers=HANDLERS, auditor=audit_actor, subject_locker=lock)

unit_of_work = start  # `with unit_of_work(engine, actor) as uow:` — commits on success, rolls back on error

__all__ = ["unit_of_work"]
