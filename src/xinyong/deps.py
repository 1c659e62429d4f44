"""Request-scoped dependencies: the database session (the request owns the commit) and the caller."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from .auth.service import PERMISSIONS, PERSONAL_DATA_ROLES, resolve_token
from .db.session import session_factory
from .errors import InputError
from .records.service import Actor

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
    body = await request.body()
    if b"\\u0000" in body:  # a raw NUL byte is already invalid JSON; only the escape can carry one
        try:
            field = _nul_field(json.loads(body))
        except ValueError:
            return  # the body parser reports malformed JSON
        except RecursionError:
            raise InputError("body", "请求体嵌套层次过深", "the body is nested too deeply") from None
        if field:
            raise InputError(field, "不能包含 NUL 字符", "must not contain a NUL character")


def get_session(request: Request) -> Iterator[Session]:
    session = session_factory(request.app.state.engine)()
    try:
        yield session
    finally:
        session.rollback()  # anything the endpoint did not commit is discarded: no partial writes
        session.close()


@dataclass(frozen=True)
class Principal:
    actor: Actor | None

    @property
    def may_see_personal(self) -> bool:
        return self.actor is not None and self.actor.role in PERSONAL_DATA_ROLES


def _unauthorized(zh: str, en: str) -> HTTPException:
    return HTTPException(status_code=401, detail=[{"field": "Authorization", "reason_zh": zh, "reason_en": en}],
                         headers={"WWW-Authenticate": "Bearer"})


def _actor(request: Request, session: Session, creds: HTTPAuthorizationCredentials | None) -> Actor | None:
    if creds is None or not creds.credentials:
        return None
    row = resolve_token(session, creds.credentials)
    if row is None:
        raise _unauthorized("令牌无效、已过期或已吊销", "the token is invalid, expired or revoked")
    origin = request.client.host if request.client else ""
    return Actor(name=row.name, role=row.role, department=row.department, channel="interface", origin=origin)


def optional_principal(request: Request, session: Session = Depends(get_session),
                       creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    return Principal(_actor(request, session, creds))


def require(permission: str):  # type: ignore[no-untyped-def]
    """Dependency: a valid token whose role may perform `permission` (401 without, 403 if not allowed)."""
    allowed = PERMISSIONS[permission]

    def dependency(request: Request, session: Session = Depends(get_session),
                   creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Actor:
        actor = _actor(request, session, creds)
        if actor is None:
            raise _unauthorized("写操作需要接口令牌 (Authorization: Bearer …)", "a write needs a bearer token")
        if actor.role not in allowed:
            raise HTTPException(status_code=403, detail=[{
                "field": "Authorization",
                "reason_zh": f"角色 {actor.role} 无权执行此操作",
                "reason_en": f"role {actor.role} may not perform {permission}",
            }])
        return actor

    return dependency
