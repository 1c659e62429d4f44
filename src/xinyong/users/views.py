"""Sign-in, sign-out, interface tokens and the audit trail (122号 第四条, 第五条, 第十九条)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.models import ApiToken, AuditEvent
from ..auth.service import audit, issue_token
from ..deps import Principal, get_session, optional_principal, require
from ..records.service import Actor
from . import service
from .schemas import LoginIn, TokenIn

router = APIRouter(prefix="/api/v1", tags=["users 用户与令牌"])

_LOGIN_FAILED = [{"field": "password", "reason_zh": "用户名或密码错误", "reason_en": "wrong user name or password"}]


@router.post("/login", summary="登录：换取短期令牌 / sign in for a short-lived token")
def login(data: LoginIn, request: Request, db: Session = Depends(get_session)) -> JSONResponse:
    origin = request.client.host if request.client else ""
    try:
        result = service.login(db, data.username, data.password, origin)
    except service.LoginFailed as exc:
        db.commit()  # the failure count and its audit event are kept
        if exc.locked_until is not None:
            until = exc.locked_until.isoformat(timespec="seconds")
            return JSONResponse(status_code=429, headers={"Retry-After": "900"}, content={"detail": [{
                "field": "username", "reason_zh": f"登录失败次数过多，已锁定至 {until}",
                "reason_en": f"too many failed sign-ins; locked until {until}"}]})
        return JSONResponse(status_code=401, content={"detail": _LOGIN_FAILED}, headers={"WWW-Authenticate": "Bearer"})
    user = result.user
    body = {"token": result.token, "username": user.username, "display_name": user.display_name,
            "role": user.role, "department": user.department, "subject": user.subject_code,
            "expires_at": result.expires_at.isoformat(timespec="seconds")}
    db.commit()
    return JSONResponse(body)


@router.post("/logout", summary="退出：吊销当前令牌 / revoke the token of this request")
def logout(request: Request, db: Session = Depends(get_session),
           actor: Actor = Depends(require("session.logout"))) -> dict[str, Any]:
    row = service.revoke_token(db, int(request.state.token_id))
    audit(db, actor.name, actor.role, "user.logout", f"token:{row.id}", actor.origin)
    db.commit()
    return {"revoked": True, "id": row.id}


@router.get("/me", summary="当前身份 / who the token belongs to")
def me(who: Principal = Depends(optional_principal)) -> dict[str, Any]:
    a = who.actor
    if a is None:
        return {"authenticated": False, "role": None}
    return {"authenticated": True, "name": a.name, "role": a.role, "department": a.department,
            "subject": a.subject, "channel": a.channel}


@router.get("/tokens", summary="令牌列表 (hashes are never shown)")
def tokens(all: bool = False, db: Session = Depends(get_session),
           _actor: Actor = Depends(require("tokens.manage"))) -> list[dict[str, Any]]:
    return service.list_tokens(db, include_inactive=all)


@router.post("/tokens", status_code=201, summary="签发接口令牌 (系统对接, 122号 第八条) — admin/support")
def create_token(data: TokenIn, db: Session = Depends(get_session),
                 actor: Actor = Depends(require("tokens.manage"))) -> dict[str, Any]:
    service.check_may_grant(actor.role, data.role)
    row, token = issue_token(db, data.name, data.role, data.department, data.expires_days,
                             subject_code=data.subject)
    audit(db, actor.name, actor.role, "token.create", f"token:{row.id}", actor.origin,
          f"name={row.name} role={row.role} department={row.department or '-'}")
    body = service.token_out(row) | {"token": token}
    db.commit()
    return body


@router.post("/tokens/{token_id}/revoke", summary="吊销令牌 — admin/support")
def revoke_token(token_id: int, db: Session = Depends(get_session),
                 actor: Actor = Depends(require("tokens.manage"))) -> dict[str, Any]:
    target = db.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if target is not None and target.role == "admin":
        service.check_may_grant(actor.role, "admin")  # support may not revoke the administrators' tokens
    row = service.revoke_token(db, token_id)
    audit(db, actor.name, actor.role, "token.revoke", f"token:{row.id}", actor.origin, row.name)
    body = service.token_out(row)
    db.commit()
    return body


@router.get("/audit", summary="审计记录 (122号 第十九条 全流程可追溯)")
def audit_events(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=2**31 - 1),
                 action: str | None = Query(None, max_length=60), db: Session = Depends(get_session),
                 _actor: Actor = Depends(require("audit.read"))) -> list[dict[str, Any]]:
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit).offset(offset)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return [{"seq": e.seq, "at": e.at.isoformat(timespec="milliseconds"), "actor": e.actor, "role": e.role,
             "action": e.action, "target": e.target, "origin": e.origin, "detail": e.detail, "hash": e.hash}
            for e in db.scalars(stmt)]
