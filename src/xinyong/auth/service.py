"""Role checks and the audit helper (credentials live in users/tokens.py). Roles follow 122号 Art.4: 统筹部门 (coordinator), 业务部门 (business),
政务服务大厅 (hall), 支撑部门 (support), 主管领导 (leader), plus admin and read-only viewer."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .audit import append_event
from .policy import PERSONAL_DATA_ROLES as PERSONAL_DATA_ROLES  # re-exported (deps, views)
from .policy import POLICY
from .policy import STAFF_ROLES as STAFF_ROLES  # re-exported

PERMISSIONS = POLICY  # the roles × actions table lives in auth/policy.py; require() reads it
# PERSONAL_DATA_ROLES (spec G1-17: roles whose work needs full resident ID numbers) lives in auth/policy.py.


def audit(session: Session, actor: str, role: str, action: str, target: str, origin: str = "", detail: str = "") -> None:
    """Append to the hash-chained audit trail (auth/audit.py; 122号 Art.19)."""
    append_event(session, actor, role, action, target, origin, detail)
