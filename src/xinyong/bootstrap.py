"""The composition root: wires the unit of work with the handler table, the audit trail and the subject lock.

Importing this module configures `xinyong.core.uow.start`, which every request (`deps.get_uow`), CLI command
and job uses, so they all run the same handlers in the same transaction. The entry points (api, cli) import it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from .auth.audit import audit_actor, audit_actor_many
from .commitments.service import commitment_notices
from .core.uow import configure, start
from .governance.service import seed_standards
from .handlers import HANDLERS
from .reference.service import seed_defaults as seed_reference
from .subjects.repository import lock
from .subjects.service import register_lookup_notices

configure(handlers=HANDLERS, auditor=audit_actor, bulk_auditor=audit_actor_many, subject_locker=lock)
register_lookup_notices(commitment_notices)  # 事前信用预警 (122号 Art.8): every subject lookup shows its commitments

unit_of_work = start  # `with unit_of_work(engine, actor) as uow:` — commits on success, rolls back on error



def seed_defaults(session: Session) -> dict[str, int]:
    """Departments, industries, the default standards and the collection catalogue (`xinyong init`; idempotent)."""
    reference = seed_reference(session)
    standards = seed_standards(session)
    return {"departments": reference["departments"], "industries": reference["industries"],
            "standards": standards["standards"],
            "catalogue_items": reference["catalogue_items"] + standards["catalogue_items"]}


__all__ = ["seed_defaults", "unit_of_work"]
