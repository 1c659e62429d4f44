"""Sign-in, sign-out, interface tokens and the audit trail (122号 Art.4, 122号 Art.5, 122号 Art.19)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from ..auth import repository as auth_repo
from ..auth.actors import Actor
from ..auth.settings import security_settings
from ..core.uow import UnitOfWork
from ..deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Principal,
    csrf_token_for,
    get_uow,
    optional_principal,
    require,
)
from ..errors_http import error_responses
from . import repository, service
from .schemas import AuditEventOut, LoginIn, LoginOut, LogoutOut, MeOut, TokenCreatedOut, TokenIn, TokenOut
from .tokens import issue_token

router = APIRouter(prefix="/api/v1", tags=["users 用户与令牌"])

_LOGIN_FAILED = [{"field": "password", "reason_zh": "用户名或密码错误", "reason_en": "wrong user name or password"}]


def _set_session_cookies(response: Response, request: Request, token: str) -> None:
    """HttpOnly session cookie (scripts never see the token) and the readable CSRF cookie bound to it; Secure when
    the page is served over https (behind a proxy: run uvicorn with --proxy-headers)."""
    secure = request.url.scheme == "https"
    max_age = security_settings().session_hours * 3600  # the server decides the idle end; the cookie outlives it
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=secure)
    response.set_cookie(CSRF_COOKIE, csrf_token_for(token), max_age=max_age, path="/", httponly=False,
                        samesite="strict", secure=secure)


def _clear_session_cookies(response: Response, request: Request) -> None:
    secure = request.url.scheme == "https"
    for name, http_only in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(name, path="/", httponly=http_only, samesite="strict", secure=secure)


@router.post("/login", summary="登录：换取短期令牌 / sign in for a short-lived token",
             responses={200: {"model": LoginOut}, **error_responses(401, 422, 429)})
def login(data: LoginIn, request: Request, uow: UnitOfWork = Depends(get_uow),
          cookie: bool = Query(False, description="网页登录: 令牌只放在 HttpOnly 会话 cookie 中 (不在响应体), "
                               "另设 xy_csrf cookie, 写操作须在 X-CSRF-Token 请求头中回传; 空闲超时见 "
                               "auth/security.yaml idle_minutes / browser sign-in: the token goes only into an "
                               "HttpOnly cookie; writes echo the xy_csrf cookie in X-CSRF-Token")) -> JSONResponse:
    origin = request.client.host if request.client else ""
    try:
        result = service.login(uow, data.username, data.password, origin, browser=cookie)
    except service.LoginFailed as exc:
        # answered, not raised: the unit of work commits the failure count and its audit event
        if exc.locked_until is not None:
            until = exc.locked_until.isoformat(timespec="seconds")
            return JSONResponse(status_code=429, headers={"Retry-After": "900"}, content={"detail": [{
                "field": "username", "reason_zh": f"登录失败次数过多，已锁定至 {until}",
                "reason_en": f"too many failed sign-ins; locked until {until}"}]})
        return JSONResponse(status_code=401, content={"detail": _LOGIN_FAILED}, headers={"WWW-Authenticate": "Bearer"})
    user = result.user
    body = {"token": result.token, "username": user.username, "display_name": user.display_name,
            "role": user.role, "department": user.department, "subject": user.subject_code, "scope": user.scope,
            "expires_at": result.expires_at.isoformat(timespec="seconds")}
    if not cookie:
        return JSONResponse(body)
    response = JSONResponse(body | {"token": None, "csrf_token": csrf_token_for(result.token)})
    _set_session_cookies(response, request, result.token)
    return response


@router.post("/logout", summary="退出：吊销当前令牌 / revoke the token of this request", response_model=LogoutOut,
             responses=error_responses(401, 409))
def logout(request: Request, response: Response, uow: UnitOfWork = Depends(get_uow),
           _actor: Actor = Depends(require("session.logout"))) -> dict[str, Any]:
    _clear_session_cookies(response, request)  # a browser session ends here too (the cookie is dropped)
    row = service.revoke_token(uow, int(request.state.token_id))
    uow.audit("user.logout", f"token:{row.id}")
    return {"revoked": True, "id": row.id}


@router.get("/me", summary="当前身份 / who the token belongs to", response_model=MeOut,
            response_model_exclude_unset=True, responses=error_responses(401))
def me(who: Principal = Depends(optional_principal)) -> dict[str, Any]:
    a = who.actor
    if a is None:
        return {"authenticated": False, "role": None}
    return {"authenticated": True, "name": a.name, "role": a.role, "department": a.department,
            "subject": a.subject, "channel": a.channel}


@router.get("/tokens", summary="令牌列表 (hashes are never shown)", response_model=list[TokenOut],
            responses=error_responses(401, 403))
def tokens(all: bool = False, uow: UnitOfWork = Depends(get_uow),
           _actor: Actor = Depends(require("tokens.manage"))) -> list[dict[str, Any]]:
    return service.list_tokens(uow.session, uow.clock.now(), include_inactive=all)


@router.post("/tokens", status_code=201, summary="签发接口令牌 (系统对接, 122号 第八条) — admin/support",
             response_model=TokenCreatedOut, responses=error_responses(401, 403, 422))
def create_token(data: TokenIn, uow: UnitOfWork = Depends(get_uow),
                 actor: Actor = Depends(require("tokens.manage"))) -> dict[str, Any]:
    service.check_may_grant(actor.role, data.role)
    now = uow.clock.now()
    row, token = issue_token(uow.session, data.name, data.role, data.department, data.expires_days,
                             subject_code=data.subject, now=now, scope=data.scope)
    scope = f" scope={','.join(row.scope)}" if row.scope is not None else ""
    uow.audit("token.create", f"token:{row.id}",
              f"name={row.name} role={row.role} department={row.department or '-'}{scope}")
    return service.token_out(row, now) | {"token": token}


@router.post("/tokens/{token_id}/revoke", summary="吊销令牌 — admin/support", response_model=TokenOut,
             responses=error_responses(401, 403, 404, 409, 422))
def revoke_token(token_id: int, uow: UnitOfWork = Depends(get_uow),
                 actor: Actor = Depends(require("tokens.manage"))) -> dict[str, Any]:
    target = repository.token_by_id(uow.session, token_id)
    if target is not None:
        service.check_may_revoke(actor.role, target.role)  # support may not revoke the administrators' tokens
    row = service.revoke_token(uow, token_id)
    uow.audit("token.revoke", f"token:{row.id}", row.name)
    return service.token_out(row, uow.clock.now())


@router.get("/audit", summary="审计记录 (122号 第十九条 全流程可追溯)", response_model=list[AuditEventOut],
            responses=error_responses(401, 403, 422))
def audit_events(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=2**31 - 1),
                 action: str | None = Query(None, max_length=60), uow: UnitOfWork = Depends(get_uow),
                 _actor: Actor = Depends(require("audit.read"))) -> list[dict[str, Any]]:
    return [{"seq": e.seq, "at": e.at.isoformat(timespec="milliseconds"), "actor": e.actor, "role": e.role,
             "action": e.action, "target": e.target, "origin": e.origin, "detail": e.detail, "hash": e.hash}
            for e in auth_repo.audit_page(uow.session, limit, offset, action)]
