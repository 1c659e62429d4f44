"""HTTP API of the cases domain: 异议处理及信用修复 (122号 第十八条; spec D1-36, G1-07)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..deps import Principal, audit_personal_read, get_uow, require
from ..errors import InputError
from ..errors_http import ErrorOut, error_responses
from ..evidence.service import parse_sha, policy
from ..rules.identifiers import free_text_for
from . import service
from .models import Case
from .schemas import CaseEvidenceOut, CaseIn, CaseOut, ExtendIn, OpinionIn, RouteIn

router = APIRouter(prefix="/api/v1", tags=["cases 异议处理及信用修复"])

_STATE_409 = {409: {"model": ErrorOut, "description": "not allowed from the case's current state (named)"}}


def _out(uow: UnitOfWork, case: Case, actor: Actor) -> dict[str, Any]:
    uow.handle()
    subject = service.subject_of(uow.session, case)
    who = Principal(actor)
    if subject.kind == "individual" and who.may_see_personal:
        audit_personal_read(uow, who, subject.code, f"case:{case.id}")
    # issue 12 item 5: statements, opinions, notes and file names are free text; ID numbers in them masked
    free_text = free_text_for(who.may_see_personal, actor.subject)
    return free_text(service.case_out(uow.session, case, uow.clock.today(), who.sees_personal_of(subject.code)))


@router.post("/cases", status_code=201, response_model=CaseOut,
             summary="提出异议或信用修复申请（评价对象本人账号，或工作人员代为提交）",
             responses={**error_responses(401, 403, 422),
                        409: {"model": ErrorOut, "description": "an open case of the same kind on the same thing"}})
def file(data: CaseIn, uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("cases.file"))
         ) -> dict[str, Any]:
    case = service.file_case(uow, data, actor)
    uow.audit("case.file", f"case:{case.id}", case.kind)
    return _out(uow, case, actor)


@router.post("/cases/{case_id}/evidence", status_code=201,
             summary="案件证明材料 (multipart, field `file`; PDF / JPEG / PNG / OFD, checked by content)",
             response_model=CaseEvidenceOut,
             responses={201: {"model": CaseEvidenceOut, "description": "attached"},
                        200: {"model": CaseEvidenceOut, "description": "the same content is already attached"},
                        **error_responses(401, 403, 404, 422), **_STATE_409})
async def upload(case_id: int, file: UploadFile | None = File(default=None), uow: UnitOfWork = Depends(get_uow),
                 actor: Actor = Depends(require("cases.file"))) -> JSONResponse:
    if file is None:
        raise InputError("file", "缺少上传文件（multipart 字段 file）", "missing the upload (multipart field `file`)")
    data = await file.read(policy(uow.clock.today()).max_bytes + 1)  # never more than one byte past the limit
    row, created = service.attach_case_evidence(uow, case_id, data, file.filename, file.content_type, actor)
    if created:
        uow.audit("case.evidence", f"case:{case_id}", row.sha256)
    body = CaseEvidenceOut(id=row.id, sha256=row.sha256, name=row.name, size=row.size, media_type=row.media_type,
                           uploaded_by=row.uploaded_by, uploaded_at=row.uploaded_at.isoformat(timespec="seconds"))
    content = free_text_for(Principal(actor).may_see_personal, actor.subject)(body.model_dump())
    return JSONResponse(status_code=201 if created else 200, content=content)


@router.post("/cases/{case_id}/route", response_model=CaseOut, summary="转办（政务服务大厅，受理后2个工作日内）",
             responses={**error_responses(401, 403, 404, 422), **_STATE_409})
def route(case_id: int, data: RouteIn, uow: UnitOfWork = Depends(get_uow),
          actor: Actor = Depends(require("cases.intake"))) -> dict[str, Any]:
    case = service.route_case(uow, case_id, data.department, actor)
    uow.audit("case.route", f"case:{case_id}", data.department)
    return _out(uow, case, actor)


@router.post("/cases/{case_id}/accept", response_model=CaseOut, summary="接收核实（转办的业务部门或分局）",
             responses={**error_responses(401, 403, 404, 422), **_STATE_409})
def accept(case_id: int, uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("cases.verify"))
           ) -> dict[str, Any]:
    case = service.accept_case(uow, case_id, actor)
    uow.audit("case.accept", f"case:{case_id}")
    return _out(uow, case, actor)


@router.post("/cases/{case_id}/extend", response_model=CaseOut,
             summary="延长核实期限一次（10个工作日，须说明理由）",
             responses={**error_responses(401, 403, 404, 422),
                        409: {"model": ErrorOut, "description": "not allowed from the state, or already extended"}})
def extend(case_id: int, data: ExtendIn, uow: UnitOfWork = Depends(get_uow),
           actor: Actor = Depends(require("cases.verify"))) -> dict[str, Any]:
    case = service.extend_case(uow, case_id, data.reason, actor)
    uow.audit("case.extend", f"case:{case_id}", data.reason)
    return _out(uow, case, actor)


@router.post("/cases/{case_id}/opinion", response_model=CaseOut,
             summary="出具审核意见（转办之日起10个工作日内）",
             responses={**error_responses(401, 403, 404, 422), **_STATE_409})
def opinion(case_id: int, data: OpinionIn, uow: UnitOfWork = Depends(get_uow),
            actor: Actor = Depends(require("cases.verify"))) -> dict[str, Any]:
    case = service.issue_opinion(uow, case_id, data, actor)
    uow.audit("case.opinion", f"case:{case_id}", data.outcome)
    return _out(uow, case, actor)


@router.post("/cases/{case_id}/report", response_model=CaseOut, summary="审核意见反馈市信用主管部门（政务服务大厅）",
             responses={**error_responses(401, 403, 404, 422), **_STATE_409})
def report(case_id: int, uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("cases.intake"))
           ) -> dict[str, Any]:
    case = service.report_case(uow, case_id, actor)
    uow.audit("case.report", f"case:{case_id}")
    return _out(uow, case, actor)


@router.post("/cases/{case_id}/resolve", response_model=CaseOut,
             summary="办结：按审核意见修复（更正、撤销记录或移出名单，实时重新评价）或不予支持",
             responses={**error_responses(401, 403, 404, 422), **_STATE_409})
def resolve(case_id: int, uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("cases.intake"))
            ) -> dict[str, Any]:
    case = service.resolve_case(uow, case_id, actor)
    uow.audit("case.resolve", f"case:{case_id}", case.state)
    return _out(uow, case, actor)


@router.post("/cases/{case_id}/close", response_model=CaseOut, summary="结案（政务服务大厅）",
             responses={**error_responses(401, 403, 404, 422), **_STATE_409})
def close(case_id: int, uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("cases.intake"))
          ) -> dict[str, Any]:
    case = service.close_case(uow, case_id, actor)
    uow.audit("case.close", f"case:{case_id}")
    return _out(uow, case, actor)


@router.get("/cases", response_model=list[CaseOut], summary="案件队列（按当前环节期限排序）",
            responses=error_responses(401, 403, 422))
def queue(state: str | None = Query(None), department: str | None = Query(None, max_length=40),
          overdue: bool | None = Query(None), subject: str | None = Query(None, max_length=40),
          limit: int = Query(200, ge=1, le=1000), uow: UnitOfWork = Depends(get_uow),
          actor: Actor = Depends(require("cases.read"))) -> list[dict[str, Any]]:
    """A department's queue ordered by due date: a business department sees the cases routed to it, a subject
    account its own; `overdue=true` lists the cases whose current step is past its deadline (spec G1-07)."""
    cases = service.list_cases(uow.session, actor, uow.clock.today(), state=state, department=department,
                               overdue=overdue, subject=subject, limit=limit)
    return [_out(uow, case, actor) for case in cases]


@router.get("/cases/{case_id}", response_model=CaseOut, summary="案件及其办理过程",
            responses=error_responses(401, 403, 404, 422))
def one(case_id: int, uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("cases.read"))
        ) -> dict[str, Any]:
    return _out(uow, service.case_for_read(uow.session, case_id, actor), actor)


@router.get("/cases/{case_id}/evidence/{sha256}", summary="下载案件证明材料（记入审计）", response_class=Response,
            responses={200: {"content": {media: {"schema": {"type": "string", "format": "binary"}}
                                         for media in ("application/pdf", "image/png", "image/jpeg",
                                                       "application/ofd")},
                             "description": "the file, as uploaded"},
                       **error_responses(401, 403, 404, 422),
                       409: {"model": ErrorOut, "description": "the stored file no longer matches its hash"}})
def download(case_id: int, sha256: str, uow: UnitOfWork = Depends(get_uow),
             actor: Actor = Depends(require("cases.read"))) -> Response:
    case = service.case_for_read(uow.session, case_id, actor)
    row, data = service.read_case_evidence(uow.session, case, parse_sha(sha256))
    uow.audit("case.evidence.read", f"case:{case_id}", row.sha256)
    return Response(content=data, media_type=row.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.name)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})
