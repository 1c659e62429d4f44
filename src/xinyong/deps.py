"""Request-scoped dependencies: the database session (the request owns the commit) and the caller."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from .auth.actors import Actor
from .auth.policy import PERSONAL_DATA_ROLES
from .auth.policy import POLICY as PERMISSIONS
from .core.uow import UnitOfWork, start
from .errors import ForbiddenError, InputError
from .rules.identifiers import normalize_code

bearer = HTTPBearer(auto_error=False, description="API token from `xinyong token create`")


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


def _unauthorized(zh: str, en: str) -> HTTPException:
    return HTTPException(status_code=401, detail=[{"field": "Authorization", "reason_zh": zh, "reason_en": en}],
                         headers={"WWW-Authenticate": "Bearer"})


def _actor(request: Request, session: Session, creds: HTTPAuthorizationCredentials | None) -> Actor | None:
    if creds is None or not creds.credentials:
        return None
    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    # The credential store is the users domain's; the app wires its resolver (api.create_app), so this layer
    # below the domains does not import it.
    row = request.app.state.resolve_token(session, creds.credentials)
    if row is None:
        raise _unauthorized("令牌无效、已过期或已吊销", "the token is invalid, expired or revoked")
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
            raise _unauthorized("写操作需要接口令牌 (Authorization: Bearer …)", "a write needs a bearer token")
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
