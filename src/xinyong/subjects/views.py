"""Subjects API: register and read evaluated subjects (评价对象, 122号 第二条, 第九条)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..deps import Principal, audit_personal_read, get_uow, optional_principal, require
from ..errors_http import error_responses
from .schemas import NationalGradeIn, NationalGradeOut, SubjectIn, SubjectLookupOut, SubjectOut
from .service import (
    create_subject,
    get_subject,
    lookup_notices,
    national_grade_out,
    record_national_grade,
    to_out,
)

router = APIRouter(prefix="/api/v1", tags=["subjects 评价对象"])


@router.post("/subjects", status_code=201, summary="登记评价对象", response_model=SubjectOut,
             responses=error_responses(401, 403, 409, 422))
def post_subject(data: SubjectIn, request: Request, uow: UnitOfWork = Depends(get_uow),
                 actor: Actor = Depends(require("subjects.create"))) -> dict[str, Any]:
    subject = create_subject(uow, data, actor.name)
    uow.audit("subject.create", subject.code)
    return to_out(subject, may_see_personal=True)


@router.get("/subjects/{code}", summary="评价对象 (with its open and broken commitments: 122号 Art.8 事前信用预警)",
            response_model=SubjectLookupOut, responses=error_responses(403, 404))
def read_subject(code: str, uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)
                 ) -> dict[str, Any]:
    subject = get_subject(uow.session, code)
    if subject.kind == "individual" and who.may_see_personal:  # spec G1-17: unmasked resident ID read
        audit_personal_read(uow, who, subject.code)
    # 事前信用预警 (122号 Art.8): the lookup shows the subject's open and broken commitments
    return {**to_out(subject, who.sees_personal_of(subject.code)),
            "notices": lookup_notices(uow.session, subject, uow.clock.today())}


@router.post("/subjects/{code}/national-grades", status_code=201, response_model=NationalGradeOut,
             summary="登记国家信用评价等级（有生效日期，不覆盖；122号 Art.6, Art.13）",
             responses={200: {"model": NationalGradeOut, "description": "the same level, day and source again"},
                        **error_responses(401, 403, 404, 422)})
def post_national_grade(code: str, data: NationalGradeIn, uow: UnitOfWork = Depends(get_uow),
                        actor: Actor = Depends(require("national_grades.record"))) -> JSONResponse:
    subject = get_subject(uow.session, code)
    row, created = record_national_grade(uow, subject, data, actor.name)
    if created:
        uow.audit("national_grade.record", subject.code, f"{data.grade} from {data.effective_on} ({data.source})")
    return JSONResponse(status_code=201 if created else 200,
                        content=national_grade_out(row).model_dump(mode="json"))


@router.get("/subjects/{code}/national-grades", response_model=list[NationalGradeOut],
            summary="国家信用评价等级的历史（按生效日期）", responses=error_responses(403, 404))
def list_national_grades(code: str, uow: UnitOfWork = Depends(get_uow)) -> list[NationalGradeOut]:
    subject = get_subject(uow.session, code)
    return [national_grade_out(g) for g in subject.grades]
