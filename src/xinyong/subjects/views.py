"""Subjects API: register and read evaluated subjects (评价对象, 122号 第二条, 第九条)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..deps import Principal, audit_personal_read, get_uow, optional_principal, require
from .schemas import SubjectIn
from .service import create_subject, get_subject, to_out

router = APIRouter(prefix="/api/v1", tags=["subjects 评价对象"])


@router.post("/subjects", status_code=201, summary="登记评价对象")
def post_subject(data: SubjectIn, request: Request, uow: UnitOfWork = Depends(get_uow),
                 actor: Actor = Depends(require("subjects.create"))) -> dict[str, Any]:
    subject = create_subject(uow, data, actor.name)
    uow.audit("subject.create", subject.code)
    return to_out(subject, may_see_personal=True)


@router.get("/subjects/{code}", summary="评价对象")
def read_subject(code: str, uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)
                 ) -> dict[str, Any]:
    subject = get_subject(uow.session, code)
    if subject.kind == "individual" and who.may_see_personal:  # spec G1-17: unmasked resident ID read
        audit_personal_read(uow, who, subject.code)
    return to_out(subject, who.sees_personal_of(subject.code))
