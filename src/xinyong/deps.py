"""Request-scoped dependencies: the database session (the request owns the commit) and the caller."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from .auth.actors import Actor
from .auth.policy import PERSONAL_DATA_ROLES
from .auth.policy import POLICY as PERMISSIONS
from .auth.settings import security_settings
from .core.clock import beijing_now
from .core.uow import UnitOfWork, start
from .errors import ForbiddenError, InputError
from .rules.identifiers import normalize_code

bearer = HTTPBearer(auto_error=False, description="API token from `xinyong token create`")

# Staff sign in through the page (POST /login?cookie=true): the login token then travels only in an HttpOnly
# cookie that scripts cannot read; a second, readable cookie carries the CSRF token derived from it, which every
# cookie-authenticated write must echo in the X-CSRF-Token header (double submit bound to the session). Docked
# systems keep sending `Authorization: Bearer`, which wins over a cookie and needs no CSRF token.
SESSION_COOKIE = "xy_session"
CSRF_COOKIE = "xy_csrf"
CSRF_HEADER = "X-CSRF-Token"
_WRITES = ("POST", "PUT", "PATCH", "DELETE")


def csrf_token_for(session_token: str) -> str:
    """The CSRF token of a session: unguessable without the (HttpOnly) session token, stored nowhere."""
    return hashlib.sha256(b"xinyong-csrf:" + session_token.encode()).hexdigest()


def _nul_field(value: Any, path: str = "") -> str | None:
    """The path (e.g. ``records[1].note``) of the first string in a JSON value that holds a NUL character."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        sub = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))
        if "\x00" in str(key):
            return sub
        found = _nul_field(item, sub)
        if found:
            return found
    return None


async def reject_nul(request: Request) -> None:
    """PostgreSQL text cannot hold NUL (0x00): refuse it as bad input naming the field (422), never a 500."""
    for name, value in [*request.path_params.items(), *request.query_params.multi_items()]:
        if "\x00" in str(value):
            raise InputError(name, "不能包含 NUL 字符", "must not contain a NUL character")
    if request.headers.get("content-type", "").lower().startswith("multipart/"):
        return  # uploads (evidence files) are bytes, already parsed by FastAPI; names are cleaned by the service
    try:
        body = await request.body()
    except RuntimeError:  # a form endpoint (upload) already consumed the stream: nothing JSON to check
        return
    if b"\\u0000" in body:  # a raw NUL byte is already invalid JSON; only the escape can carry one
        try:
            field = _nul_field(json.loads(body))
        except ValueError:
            return  # the body parser reports malformed JSON
        except RecursionError:
            raise InputError("body", "请求体嵌套层次过深", "the body is nested too deeply") from None
        if field:
            raise InputError(field, "不能包含 NUL 字符", "must not contain a NUL character")


def _uow(request: Request) -> Iterator[UnitOfWork]:
    """The request's unit of work: it commits when the endpoint returns and rolls everything back when it
    raises (no partial writes). Scope "function": the commit happens before the response is sent, so a failed
    commit is the client's error response, never a 200 for a write that was lost."""
    writing = request.method in ("POST", "PUT", "PATCH", "DELETE")
    with start(request.app.state.engine, writing=writing) as uow:
        yield uow


def get_uow(uow: UnitOfWork = Depends(_uow, scope="function")) -> UnitOfWork:
    return uow


def get_session(uow: UnitOfWork = Depends(get_uow)) -> Session:
    """The request's session, for reads (writes go through the unit of work's services)."""
    return uow.session


@dataclass(frozen=True)
class Principal:
    actor: Actor | None

    @property
    def may_see_personal(self) -> bool:
        return self.actor is not None and self.actor.role in PERSONAL_DATA_ROLES

    def sees_personal_of(self, subject_code: str) -> bool:
        """Full resident ID of this subject: personal-data roles (G1-17), or the subject's own account."""
        return self.may_see_personal or (self.actor is not None and self.actor.role == "subject"
                                         and self.actor.subject == subject_code)


def audit_personal_read(uow: UnitOfWork, who: Principal, target: str, detail: str = "") -> None:
    """Every read of personal data (unmasked resident ID numbers, full archives) goes to the audit trail with
    who, when, what and from where (issue 3 item 6; spec G1-17); it commits with the request."""
    if who.actor is not None:
        uow.audit("personal_data.read", target[:200], detail)


def check_own_subject(actor: Actor | None, subject_code: str) -> None:
    if actor is not None and actor.role == "subject" and normalize_code(subject_code) != actor.subject:
        raise ForbiddenError("code", "评价对象账号只能查看本对象的信息", "a subject account may only read its own subject")


def _unauthorized(zh: str, en: str, field: str = "Authorization", clear_cookie: bool = False) -> HTTPException:
    headers = {"WWW-Authenticate": "Bearer"}
    if clear_cookie:  # a dead session cookie is dropped, so the next request is simply anonymous
        headers["Set-Cookie"] = f"{SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict"
    return HTTPException(status_code=401, detail=[{"field": field, "reason_zh": zh, "reason_en": en}], headers=headers)


def _check_csrf(request: Request, session_token: str) -> None:
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent or not hmac.compare_digest(sent.encode(), csrf_token_for(session_token).encode()):
        raise HTTPException(status_code=403, detail=[{
            "field": CSRF_HEADER, "reason_zh": "缺少或错误的 CSRF 令牌 (请求头 X-CSRF-Token)，请刷新页面后重试",
            "reason_en": "the X-CSRF-Token header is missing or does not match the session"}])


def _extend_session(request: Request, row: Any) -> None:
    """Idle timeout (auth/security.yaml idle_minutes): each request of a browser session pushes its end to
    now + idle, never past session_hours after sign-in. Written at most once a minute, in its own short write
    (a reading request's transaction stays read-only)."""
    conf = security_settings()
    now = beijing_now()
    until = min(now + timedelta(minutes=conf.idle_minutes), row.created_at + timedelta(hours=conf.session_hours))
    if row.expires_at is not None and until - row.expires_at < timedelta(minutes=1):
        return
    with start(request.app.state.engine) as w:
        fresh = w.session.get(type(row), row.id)
        if fresh is not None and fresh.revoked_at is None and (fresh.expires_at is None or fresh.expires_at < until):
            fresh.expires_at = until


def _actor(request: Request, session: Session, creds: HTTPAuthorizationCredentials | None) -> Actor | None:
    from_cookie = creds is None or not creds.credentials
    credential = request.cookies.get(SESSION_COOKIE, "") if from_cookie else creds.credentials  # type: ignore[union-attr]
    if not credential:
        return None
    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    # The credential store is the users domain's; the app wires its resolver (api.create_app), so this layer
    # below the domains does not import it.
    row = request.app.state.resolve_token(session, credential)
    if row is None:
        if from_cookie:
            raise _unauthorized("登录已超时或已退出，请重新登录", "the session has timed out or ended; sign in again",
                                field="session", clear_cookie=True)
        raise _unauthorized("令牌无效、已过期或已吊销", "the token is invalid, expired or revoked")
    if from_cookie:
        if row.kind != "login":
            raise _unauthorized("会话无效，请重新登录", "not a sign-in session; sign in again", field="session",
                                clear_cookie=True)
        if request.method in _WRITES:
            _check_csrf(request, credential)
        _extend_session(request, row)
    origin = request.client.host if request.client else ""
    channel = "manual" if row.kind == "login" else "interface"  # a signed-in person vs 系统对接
    actor = Actor(name=row.name, role=row.role, department=row.department, channel=channel, origin=origin,
                  subject=row.subject_code, scope=tuple(row.scope or ()))
    request.state.actor, request.state.token_id = actor, row.id
    return actor


def _bind(uow: UnitOfWork, actor: Actor | None) -> Actor | None:
    uow.actor = actor  # the unit of work audits for the principal of the request
    return actor


def optional_principal(request: Request, uow: UnitOfWork = Depends(get_uow),
                       creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    return Principal(_bind(uow, _actor(request, uow.session, creds)))


def require(permission: str):  # type: ignore[no-untyped-def]
    """Dependency: a valid token whose role may perform `permission` (401 without, 403 if not allowed)."""
    allowed = PERMISSIONS[permission]  # auth/policy.py POLICY: a KeyError here names an action missing there

    def dependency(request: Request, uow: UnitOfWork = Depends(get_uow),
                   creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Actor:
        actor = _bind(uow, _actor(request, uow.session, creds))
        if actor is None:
            raise _unauthorized("需要登录或接口令牌 (Authorization: Bearer …)", "sign in or send a bearer token")
        if actor.role not in allowed:
            raise HTTPException(status_code=403, detail=[{
                "field": "Authorization",
                "reason_zh": f"角色 {actor.role} 无权执行此操作",
                "reason_en": f"role {actor.role} may not perform {permission}",
            }])
        return actor

    dependency.permission = permission  # type: ignore[attr-defined]  # read by the authorization matrix test
    return dependency


def subject_scope(request: Request, uow: UnitOfWork = Depends(get_uow),
                  creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
    """Router-wide: under /api/v1/subjects/{code}/…, a subject account may read only its own code (403)."""
    code = request.path_params.get("code")
    if code is None or not request.url.path.startswith("/api/v1/subjects/"):
        return
    check_own_subject(_bind(uow, _actor(request, uow.session, creds)), str(code))
