"""Accounts, sign-in and tokens (122号 Art.4 职责分工, 122号 Art.5 运维, 122号 Art.27 业务部门).

Passwords are hashed with argon2id (argon2-cffi). A sign-in issues a short-lived token of kind "login" bound
to the user's role, department and (role subject) subject; numbers come from auth/security.yaml (defaults).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from ..auth.actors import Actor
from ..auth.audit import audit_actor
from ..auth.policy import CONSOLE_ONLY_ROLES, GRANTABLE_BY, REVOCABLE_BY, ROLES
from ..auth.settings import security_settings
from ..core.uow import UnitOfWork
from ..errors import ConflictError, ForbiddenError, InputError, NotFoundError
from ..reference.service import department_names
from ..rules.identifiers import normalize_code
from ..subjects import repository as subjects_repo
from . import repository
from .models import ApiToken, User
from .tokens import check_scope, issue_token

_hasher = PasswordHasher()
# verified when the user name is unknown, so that both answers take about as long (no user enumeration);
# computed on first use (hashing costs real time: not at import)
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("xinyong-no-such-user")
    return _DUMMY_HASH


USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    n = security_settings().password_min_length
    if len(password) < n:
        raise InputError("password", f"密码至少 {n} 个字符", f"the password needs at least {n} characters")
    if len(password) > 1024:
        raise InputError("password", "密码过长", "the password is too long")


def _validate_user(session: Session, username: str, role: str, department: str | None,
                   subject: str | None) -> tuple[str, str | None]:
    if not username or len(username) > 60 or not set(username) <= USERNAME_CHARS:
        raise InputError("username", "用户名应为 1 至 60 个小写字母、数字或 . _ - @",
                         "username must have 1 to 60 characters among a-z 0-9 . _ - @")
    if role not in ROLES:
        raise InputError("role", f"未知角色 {role}，可选: {', '.join(ROLES)}", f"unknown role {role}; one of {', '.join(ROLES)}")
    if department is not None and department not in department_names(session):
        raise InputError("department", f"未知部门代码 {department}", f"unknown department {department}")
    # 122号 Art.4(2), 122号 Art.27: a business user acts for exactly one business department
    if role == "business" and department is None:
        raise InputError("department", "业务部门用户必须绑定部门", "a business user must name its department")
    code = None
    if role == "subject":
        code = normalize_code(subject or "")
        if not code or subjects_repo.by_code(session, code) is None:
            raise InputError("subject", "评价对象账号必须绑定一个已登记的评价对象",
                             "a subject account must name a registered subject")
    elif subject:
        raise InputError("subject", "只有评价对象角色可以绑定评价对象", "only the subject role names a subject")
    return username, code


def create_user(uow: UnitOfWork, username: str, password: str, role: str, department: str | None = None,
                subject: str | None = None, display_name: str = "", scope: str | list[str] | None = None) -> User:
    """A new account (the caller audits `user.create`); a leader may be bound to the standards it is in charge
    of (`scope`: "general" and/or industry codes, 122号 Art.12)."""
    session = uow.session
    username = username.strip().lower()
    username, code = _validate_user(session, username, role, department, subject)
    codes = check_scope(session, role, scope)
    check_password_rules(password)
    if repository.by_username(session, username) is not None:
        raise ConflictError("username", f"用户 {username} 已存在", f"user {username} already exists")
    user = User(username=username, display_name=display_name.strip()[:100] or username,
                password_hash=hash_password(password), role=role, department=department, subject_code=code,
                scope=codes, active=True, created_at=uow.clock.now())
    session.add(user)
    session.flush()
    return user


def user_by_name(session: Session, username: str) -> User:
    user = repository.by_username(session, username.strip().lower())
    if user is None:
        raise NotFoundError("username", f"没有用户 {username}", f"no user {username}")
    return user


def set_password(uow: UnitOfWork, username: str, password: str) -> User:
    """A new password ends the sessions opened with the old one (the caller audits `user.passwd`)."""
    user = user_by_name(uow.session, username)
    check_password_rules(password)
    user.password_hash = hash_password(password)
    _end_sessions(uow, user)
    uow.session.flush()
    return user


def set_active(uow: UnitOfWork, username: str, active: bool) -> User:
    """Deactivating ends the user's sessions at once (the caller audits `user.activate|deactivate`)."""
    user = user_by_name(uow.session, username)
    user.active = active
    if not active:
        _end_sessions(uow, user)
    uow.session.flush()
    return user


def _end_sessions(uow: UnitOfWork, user: User) -> None:
    now = uow.clock.now()
    for t in repository.open_login_sessions(uow.session, user.id):
        t.revoked_at = now


class LoginFailed(Exception):
    """Wrong user name or password (one message for both), or a locked user name."""

    def __init__(self, locked_until: datetime | None = None) -> None:
        super().__init__("login failed")
        self.locked_until = locked_until


@dataclass
class LoginResult:
    token: str
    user: User
    expires_at: datetime


def _audit_as(uow: UnitOfWork, name: str, role: str, action: str, origin: str, detail: str = "") -> None:
    """Sign-in events are written for the name signing in (no principal acts yet: the request is anonymous)."""
    audit_actor(uow.session, Actor(name=name, role=role, origin=origin), action, f"user:{name}", detail)


def login(uow: UnitOfWork, username: str, password: str, origin: str = "", browser: bool = False) -> LoginResult:
    """Check the password; after `max_failures` failures in a row the user name is locked for `lock_minutes`
    (auth/security.yaml — defaults, not numbers of the measures). On LoginFailed the caller must still let the
    unit of work commit: the failure count and its audit event are kept. A browser session (`browser`, kept in a
    cookie) first lasts `idle_minutes`; each request extends it (deps), up to `session_hours`."""
    session = uow.session
    conf = security_settings()
    name = username.strip().lower()[:60]
    now = uow.clock.now()
    # issue 12 item 3: the guess is counted (atomically) before the password is checked, so at most
    # `max_failures` guesses are ever checked however many arrive in parallel
    guesses, locked_until = repository.count_login_guess(session, name, now)
    if (locked_until is not None and locked_until > now) or guesses > conf.max_failures:
        _hasher_verify(_dummy_hash(), password)  # same work as a real check
        if locked_until is None:
            locked_until = now + timedelta(minutes=conf.lock_minutes)
            repository.lock_login(session, name, locked_until)
        _audit_as(uow, name, "-", "user.login_locked", origin)
        raise LoginFailed(locked_until)
    user = repository.by_username(session, name)
    ok = _hasher_verify(user.password_hash if user is not None else _dummy_hash(), password)
    if not ok or user is None or not user.active:
        if guesses >= conf.max_failures:
            locked_until = now + timedelta(minutes=conf.lock_minutes)
            repository.lock_login(session, name, locked_until)
        _audit_as(uow, name, "-", "user.login_failed", origin, f"failures={guesses}")
        raise LoginFailed(locked_until)
    repository.forget_login_guesses(session, name)  # a success starts the count afresh
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    expires = now + timedelta(hours=conf.session_hours)
    if browser:
        expires = min(expires, now + timedelta(minutes=conf.idle_minutes))
    _row, token = issue_token(session, user.username, user.role, user.department, kind="login", user_id=user.id,
                              subject_code=user.subject_code, expires_at=expires, now=now,
                              scope=user.scope)
    _audit_as(uow, user.username, user.role, "user.login", origin)
    return LoginResult(token, user, expires)


def _hasher_verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def revoke_token(uow: UnitOfWork, token_id: int) -> ApiToken:
    row = repository.token_by_id(uow.session, token_id)
    if row is None:
        raise NotFoundError("id", f"没有编号为 {token_id} 的令牌", f"no token {token_id}")
    if row.revoked_at is not None:
        raise ConflictError("id", f"令牌 {token_id} 已吊销", f"token {token_id} is already revoked")
    row.revoked_at = uow.clock.now()
    uow.session.flush()
    return row


def revoke_by_name_or_id(uow: UnitOfWork, which: str) -> list[ApiToken]:
    if which.isdigit():
        return [revoke_token(uow, int(which))]
    rows = repository.active_tokens_named(uow.session, which)
    if not rows:
        raise NotFoundError("name", f"没有名为 {which} 的有效令牌", f"no active token named {which}")
    now = uow.clock.now()
    for r in rows:
        r.revoked_at = now
    uow.session.flush()
    return rows


def check_may_grant(granter_role: str, role: str) -> None:
    """An API credential mints only docking credentials (issue 12 item 2): leader, coordinator and admin ones are
    created on the server console only (auth/policy.py CONSOLE_ONLY_ROLES)."""
    if role not in GRANTABLE_BY.get(granter_role, frozenset()):
        console = "；主管领导、统筹部门和管理员凭证只能在服务器控制台创建 (xinyong user create / token create)" \
            if role in CONSOLE_ONLY_ROLES else ""
        console_en = "; leader, coordinator and admin credentials are created only on the server console " \
            "(xinyong user create / token create)" if role in CONSOLE_ONLY_ROLES else ""
        raise ForbiddenError("role", f"角色 {granter_role} 不能签发 {role} 令牌{console}",
                             f"role {granter_role} may not issue a {role} token{console_en}")


def check_may_revoke(revoker_role: str, role: str) -> None:
    if role not in REVOCABLE_BY.get(revoker_role, frozenset()):
        raise ForbiddenError("id", f"角色 {revoker_role} 不能吊销 {role} 令牌", f"role {revoker_role} may not revoke a {role} token")


def token_out(row: ApiToken, now: datetime) -> dict[str, Any]:
    """The token as listed (never its hash); its state on `now`."""
    state = ("revoked" if row.revoked_at is not None
             else "expired" if row.expires_at is not None and row.expires_at <= now else "active")
    return {
        "id": row.id, "name": row.name, "kind": row.kind, "role": row.role, "department": row.department,
        "subject": row.subject_code, "scope": row.scope, "created_at": row.created_at.isoformat(timespec="seconds"),
        "expires_at": row.expires_at.isoformat(timespec="seconds") if row.expires_at else None,
        "revoked_at": row.revoked_at.isoformat(timespec="seconds") if row.revoked_at else None, "state": state,
    }


def list_tokens(session: Session, now: datetime, include_inactive: bool = False) -> list[dict[str, Any]]:
    rows = [token_out(r, now) for r in repository.all_tokens(session)]
    return rows if include_inactive else [r for r in rows if r["state"] == "active"]
