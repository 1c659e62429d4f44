"""Credentials (122号 Art.4): interface tokens for system docking (系统对接) and staff sign-in sessions, stored as
SHA-256 hashes only; named, scoped to one role (and department or subject), expiring and revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ..auth.policy import ROLES
from ..auth.settings import security_settings
from ..core.clock import beijing_now
from ..errors import InputError
from ..reference.repository import industry_codes
from ..reference.service import department_names
from ..rules.identifiers import normalize_code
from ..subjects import repository as subjects_repo
from . import repository
from .models import ApiToken

GENERAL_SCOPE = "general"


def parse_scope(value: str | list[str] | tuple[str, ...] | None) -> list[str] | None:
    """`general,survey_design` (CLI) or a list (API) → a list of codes in the given order, duplicates dropped;
    None stays None (no scope given)."""
    if value is None:
        return None
    parts = value.split(",") if isinstance(value, str) else list(value)
    out: list[str] = []
    for p in parts:
        code = str(p).strip()
        if code and code not in out:
            out.append(code)
    return out


def check_scope(session: Session, role: str, scope: str | list[str] | tuple[str, ...] | None) -> list[str] | None:
    """The standards a leader credential is in charge of (主管领导 审定, 122号 Art.12; issue 7 item 6(d)):
    "general" and/or industry codes. Only the leader role carries one; an empty or unknown entry is refused
    naming `scope`. None: no scope (in charge of every standard, docs/decisions.md)."""
    codes = parse_scope(scope)
    if codes is None:
        return None
    if role != "leader":
        raise InputError("scope", "只有主管领导(leader)角色可以绑定分管范围 (122号 第十二条)",
                         "only the leader role has a scope of standards it is in charge of (122号 Art.12)")
    if not codes:
        raise InputError("scope", "分管范围不能为空：填写 general 和/或行业代码",
                         "the scope is empty: give general and/or industry codes")
    known = set(industry_codes(session)) | {GENERAL_SCOPE}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InputError("scope", f"未知分管范围 {', '.join(unknown)}，可选: {', '.join(sorted(known))}",
                         f"unknown scope {', '.join(unknown)}; one of {', '.join(sorted(known))}")
    return codes


def in_scope(scope: list[str] | None, family: str, industry: str | None) -> bool:
    """Is a credential of this scope in charge of the standard of (family, industry)? No scope: yes."""
    if scope is None:
        return True
    return (GENERAL_SCOPE if family == "general" else industry or "") in scope


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, role: str, department: str | None = None,
                 expires_in_days: int | None = None, **kw: Any) -> str:
    """A new token (printed once; only its SHA-256 is stored). See :func:`issue_token` for the keywords."""
    return issue_token(session, name, role, department, expires_in_days, **kw)[1]


def issue_token(session: Session, name: str, role: str, department: str | None = None,
                expires_in_days: int | None = None, *, kind: str = "api", user_id: int | None = None,
                subject_code: str | None = None, expires_at: datetime | None = None, now: datetime | None = None,
                scope: str | list[str] | None = None) -> tuple[ApiToken, str]:
    """Interface tokens (系统对接) are named, scoped to one role and department, expiring (default from
    auth/security.yaml, counted from `now`) and revocable; sign-in sessions (kind "login") expire after the
    session hours. A leader credential may be bound to the standards it is in charge of (`scope`,
    :func:`check_scope`)."""
    conf = security_settings()
    if role not in ROLES:
        raise InputError("role", f"未知角色 {role}，可选: {', '.join(ROLES)}", f"unknown role {role}; one of {', '.join(ROLES)}")
    if not name.strip() or len(name.strip()) > 100:
        raise InputError("name", "令牌名称应为 1 至 100 个字符", "token name must have 1 to 100 characters")
    if department is not None and department not in department_names(session):
        raise InputError("department", f"未知部门代码 {department}", f"unknown department {department}")
    if role == "business" and department is None:
        raise InputError("department", "业务部门令牌必须绑定部门", "a business token must name its department")
    if role == "subject":
        code = normalize_code(subject_code or "")
        if not code or subjects_repo.by_code(session, code) is None:
            raise InputError("subject", "评价对象账号必须绑定一个已登记的评价对象",
                             "a subject credential must name a registered subject")
        subject_code = code
    elif subject_code:
        raise InputError("subject", "只有评价对象角色可以绑定评价对象", "only the subject role names a subject")
    codes = check_scope(session, role, scope)
    if expires_at is None:
        days = conf.token_default_days if expires_in_days is None else expires_in_days
        if not 1 <= days <= conf.token_max_days:
            raise InputError("expires_days", f"有效天数应为 1 至 {conf.token_max_days}",
                             f"expires_days must be between 1 and {conf.token_max_days}")
        expires_at = (now or beijing_now()) + timedelta(days=days)
    token = "xy_" + secrets.token_urlsafe(32)
    row = ApiToken(name=name.strip(), role=role, department=department, token_hash=hash_token(token),
                   expires_at=expires_at, kind=kind, user_id=user_id, subject_code=subject_code, scope=codes)
    session.add(row)
    session.flush()
    return row, token


def resolve_token(session: Session, token: str, now: datetime | None = None) -> ApiToken | None:
    row = repository.token_by_hash(session, hash_token(token))
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= (now or beijing_now()):
        return None
    if row.user_id is not None:  # a deactivated user's sessions end at once
        user = repository.by_id(session, row.user_id)
        if user is None or not user.active:
            return None
    return row
