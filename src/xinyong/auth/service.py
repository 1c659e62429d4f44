"""API tokens and role checks. Roles follow 122号 第四条: 统筹部门 (coordinator), 业务部门 (business),
政务服务大厅 (hall), 支撑部门 (support), 主管领导 (leader), plus admin and read-only viewer."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.base import beijing_now
from ..errors import InputError
from ..reference.models import Department
from .models import ApiToken, AuditEvent

ROLES = ("admin", "coordinator", "business", "hall", "support", "leader", "viewer")

# Which roles may perform each write. Business tokens are further bound to their department.
PERMISSIONS: dict[str, frozenset[str]] = {
    "subjects.create": frozenset({"admin", "coordinator", "business", "hall", "support"}),
    "records.create": frozenset({"admin", "coordinator", "business", "support"}),
    "records.withdraw": frozenset({"admin", "coordinator", "business", "support"}),
}

# Roles whose work needs full resident ID numbers (spec G1-17); others see them masked.
PERSONAL_DATA_ROLES = frozenset({"admin", "coordinator", "business", "hall", "support"})


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, role: str, department: str | None = None,
                 expires_in_days: int | None = None) -> str:
    if role not in ROLES:
        raise InputError("role", f"未知角色 {role}，可选: {', '.join(ROLES)}", f"unknown role {role}; one of {', '.join(ROLES)}")
    if not name.strip() or len(name.strip()) > 100:
        raise InputError("name", "令牌名称应为 1 至 100 个字符", "token name must have 1 to 100 characters")
    if department is not None and session.get(Department, department) is None:
        raise InputError("department", f"未知部门代码 {department}", f"unknown department {department}")
    if role == "business" and department is None:
        raise InputError("department", "业务部门令牌必须绑定部门", "a business token must name its department")
    token = "xy_" + secrets.token_urlsafe(32)
    expires = beijing_now() + timedelta(days=expires_in_days) if expires_in_days else None
    session.add(ApiToken(name=name.strip(), role=role, department=department, token_hash=hash_token(token),
                         expires_at=expires))
    session.flush()
    return token


def resolve_token(session: Session, token: str, now: datetime | None = None) -> ApiToken | None:
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= (now or beijing_now()):
        return None
    return row


def audit(session: Session, actor: str, role: str, action: str, target: str, origin: str = "", detail: str = "") -> None:
    session.add(AuditEvent(actor=actor, role=role, action=action, target=target, origin=origin, detail=detail))
