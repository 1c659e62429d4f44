"""HTTP API of the cases domain: 异议处理及信用修复 (122号 第十八条; spec D1-36, G1-07)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from ..auth.actors import Actor
from ..core import xlsx
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


def _out(uow: UnitOfWork, case: Case, actor: Actor, loaded: service.Loaded | None = None) -> dict[str, Any]:
    uow.handle()
    subject = service.subject_of(uow.session, case, loaded)
    who = Principal(actor)
    if subject.kind == "individual" and who.may_see_personal:
        audit_personal_read(uow, who, subject.code, f"case:{case.id}")
    # issue 12 item 5: statements, opinions, notes and file names are free text; ID numbers in them masked
    free_text = free_text_for(who.may_see_personal, actor.subject)
    return free_text(service.case_out(uow.session, case, uow.clock.today(), who.sees_personal_of(subject.code),
                                      loaded))


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
    loaded = service.preload(uow.session, cases)
    return [_out(uow, case, actor, loaded) for case in cases]


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


# --- Excel 台账: the queue as GET /cases shows it (same filters, same role scoping, masking and audit) ------------

_KIND_ZH = {"objection": "异议", "repair": "信用修复"}
_CHANNEL_ZH = {"credit_china_beijing": "信用中国（北京）", "commission": "市规划自然资源委", "portal": "门户（本人账号）"}
_QUEUE_COLUMNS = (
    xlsx.Column("案件编号", 10, "int"), xlsx.Column("类型", 10), xlsx.Column("对象代码", 24), xlsx.Column("对象名称", 28),
    xlsx.Column("状态", 14), xlsx.Column("承办部门", 14), xlsx.Column("受理日期", 12, "date"),
    xlsx.Column("当前环节期限", 14, "date"), xlsx.Column("期限为预估", 10, "bool"), xlsx.Column("已逾期", 8, "bool"),
    xlsx.Column("已延期", 8, "bool"), xlsx.Column("延期理由", 24), xlsx.Column("渠道", 16), xlsx.Column("提交人", 14),
    xlsx.Column("记录编号", 10, "int"), xlsx.Column("行业", 14), xlsx.Column("申请事项及理由", 50),
    xlsx.Column("核实结果", 10), xlsx.Column("审核意见", 40))


@router.get("/cases.xlsx", response_class=Response, summary="案件队列导出为 Excel（期限、逾期标记；与 GET /cases 同一筛选）",
            responses={**xlsx.OPENAPI_200, **error_responses(401, 403, 422)})
def queue_xlsx(state: str | None = Query(None), department: str | None = Query(None, max_length=40),
               overdue: bool | None = Query(None), subject: str | None = Query(None, max_length=40),
               limit: int = Query(1000, ge=1, le=1000), uow: UnitOfWork = Depends(get_uow),
               actor: Actor = Depends(require("cases.read"))) -> Response:
    outcome = {"upheld": "成立", "rejected": "不成立"}
    rows = [[c["id"], _KIND_ZH.get(c["kind"], c["kind"]), c["subject"], c["subject_name"], c["state_zh"],
             c["department"], c["received_on"], c["due_on"], c["due_provisional"], c["overdue"], c["extended"],
             c["extension_reason"], _CHANNEL_ZH.get(c["channel"], c["channel"]), c["filed_by"], c["record_id"],
             c["industry"], c["statement"], outcome.get(c["outcome"] or "", c["outcome"]), c["opinion"]]
            for c in queue(state, department, overdue, subject, limit, uow, actor)]
    data = xlsx.workbook_bytes([xlsx.Sheet("异议与修复案件", _QUEUE_COLUMNS, rows)])
    return Response(content=data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment("cases.xlsx"))
