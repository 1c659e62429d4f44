"""HTTP API of the commitments domain (信用承诺, 122号 Art.8 last paragraph; 122号 Art.7(2), 122号 Art.16(3))."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from ..auth.actors import Actor
from ..core import xlsx
from ..core.uow import UnitOfWork
from ..deps import Principal, audit_personal_read, get_uow, optional_principal, require
from ..errors_http import error_responses
from ..rules.identifiers import free_text_for
from ..subjects.service import get_subject
from .schemas import BreachIn, CommitmentIn, CommitmentOut, FulfilIn
from .service import commitment_out, commitments_of, fulfil, get_commitment, make_commitment, record_breach

router = APIRouter(prefix="/api/v1", tags=["commitments 信用承诺"])


@router.post("/commitments", status_code=201, response_model=CommitmentOut,
             summary="录入信用承诺事项 (122号 Art.8 事中数据归集)",
             responses={200: {"model": CommitmentOut, "description": "the same commitment item again"},
                        **error_responses(401, 403, 409, 422)})
def post_commitment(data: CommitmentIn, uow: UnitOfWork = Depends(get_uow),
                    actor: Actor = Depends(require("commitments.manage"))) -> JSONResponse:
    row, created = make_commitment(uow, data, actor)
    if created:
        uow.audit("commitment.create", f"commitment:{row.id}", f"{row.licence_ref} due {row.due_on}")
    _, subject = get_commitment(uow.session, row.id)
    body = commitment_out(row, subject, True)
    return JSONResponse(status_code=201 if created else 200, content=body.model_dump(mode="json"))


@router.post("/commitments/{commitment_id}/fulfil", response_model=CommitmentOut,
             summary="承诺已履行 (until the last day of grace)", responses=error_responses(401, 403, 404, 409, 422))
def post_fulfil(commitment_id: int, data: FulfilIn, uow: UnitOfWork = Depends(get_uow),
                actor: Actor = Depends(require("commitments.manage"))) -> CommitmentOut:
    row = fulfil(uow, commitment_id, data, actor)
    uow.audit("commitment.fulfil", f"commitment:{row.id}", data.evidence[:200])
    _, subject = get_commitment(uow.session, row.id)
    return commitment_out(row, subject, True)


@router.post("/commitments/{commitment_id}/breach", response_model=CommitmentOut,
             summary="违诺认定：未履行承诺或做出虚假承诺 (122号 Art.7(2)) → 第十六条(三) D级",
             responses=error_responses(401, 403, 404, 409, 422))
def post_breach(commitment_id: int, data: BreachIn, uow: UnitOfWork = Depends(get_uow),
                actor: Actor = Depends(require("commitments.manage"))) -> CommitmentOut:
    row = record_breach(uow, commitment_id, data, actor)
    uow.audit("commitment.breach", f"commitment:{row.id}", f"{data.found_on} {data.reason[:200]}")
    _, subject = get_commitment(uow.session, row.id)
    return commitment_out(row, subject, True)


@router.get("/commitments", response_model=list[CommitmentOut], summary="信用承诺 (by subject and state)",
            responses=error_responses(403, 404, 422))
def list_commitments(subject: str | None = Query(None, max_length=40),
                     state: str | None = Query(None, description="open | overdue | fulfilled | breached"),
                     limit: int = Query(500, ge=1, le=500), uow: UnitOfWork = Depends(get_uow),
                     who: Principal = Depends(optional_principal)) -> list[CommitmentOut]:
    subject_id = None
    if subject is not None:
        found = get_subject(uow.session, subject)
        _personal_read(uow, who, found.code, found.kind)
        subject_id = found.id
    out = []
    for row in commitments_of(uow.session, subject_id, state, limit):
        _, owner = get_commitment(uow.session, row.id)
        out.append(_shown(commitment_out(row, owner, who.sees_personal_of(owner.code)), who))
    return out


@router.get("/commitments/{commitment_id}", response_model=CommitmentOut, summary="一项信用承诺",
            responses=error_responses(404))
def read_commitment(commitment_id: int, uow: UnitOfWork = Depends(get_uow),
                    who: Principal = Depends(optional_principal)) -> CommitmentOut:
    row, subject = get_commitment(uow.session, commitment_id)
    _personal_read(uow, who, subject.code, subject.kind)
    return _shown(commitment_out(row, subject, who.sees_personal_of(subject.code)), who)


@router.get("/subjects/{code}/commitments", response_model=list[CommitmentOut],
            summary="评价对象的信用承诺 (122号 Art.8 事前信用预警)", responses=error_responses(403, 404, 422))
def subject_commitments(code: str, state: str | None = Query(None), uow: UnitOfWork = Depends(get_uow),
                        who: Principal = Depends(optional_principal)) -> list[CommitmentOut]:
    subject = get_subject(uow.session, code)
    _personal_read(uow, who, subject.code, subject.kind)
    return [_shown(commitment_out(row, subject, who.sees_personal_of(subject.code)), who)
            for row in commitments_of(uow.session, subject.id, state)]


def _shown(out: CommitmentOut, who: Principal) -> CommitmentOut:
    """Issue 12 item 5: content, licence reference, evidence and breach reason are free text; resident ID numbers
    in them are masked for readers without personal-data need (spec G1-17)."""
    if who.may_see_personal:
        return out
    own = who.actor.subject if who.actor is not None else None
    return CommitmentOut.model_validate(free_text_for(False, own)(out.model_dump()))


def _personal_read(uow: UnitOfWork, who: Principal, code: str, kind: str) -> None:
    if kind == "individual" and who.may_see_personal:  # spec G1-17: an unmasked resident ID read is audited
        audit_personal_read(uow, who, code, "commitments")


# --- Excel 台账: the commitments as GET /commitments shows them (same filters, masking and audit) ---------------

_STATE_ZH = {"open": "履行中", "overdue": "逾期未履行", "fulfilled": "已履行", "breached": "违诺"}
_COLUMNS = (
    xlsx.Column("编号", 8, "int"), xlsx.Column("对象代码", 24), xlsx.Column("对象名称", 28), xlsx.Column("承诺内容", 44),
    xlsx.Column("作出日期", 12, "date"), xlsx.Column("承诺期限", 12, "date"), xlsx.Column("许可文号", 20),
    xlsx.Column("部门", 14), xlsx.Column("状态", 12), xlsx.Column("催告日期", 12, "date"),
    xlsx.Column("宽限截止日", 12, "date"), xlsx.Column("履行日期", 12, "date"), xlsx.Column("履行证明", 30),
    xlsx.Column("违诺认定日期", 12, "date"), xlsx.Column("违诺原因", 30), xlsx.Column("自动认定", 10, "bool"),
    xlsx.Column("违诺记录编号", 12, "int"))


@router.get("/commitments.xlsx", response_class=Response,
            summary="信用承诺导出为 Excel（与 GET /commitments 同一筛选）",
            responses={**xlsx.OPENAPI_200, **error_responses(403, 404, 422)})
def commitments_xlsx(subject: str | None = Query(None, max_length=40),
                     state: str | None = Query(None, description="open | overdue | fulfilled | breached"),
                     limit: int = Query(500, ge=1, le=500), uow: UnitOfWork = Depends(get_uow),
                     who: Principal = Depends(optional_principal)) -> Response:
    rows = [[c.id, c.subject, c.subject_name, c.content, c.made_on, c.due_on, c.licence_ref, c.department,
             _STATE_ZH.get(c.state, c.state), c.notice_on, c.grace_ends_on, c.fulfilled_on, c.evidence, c.breached_on,
             c.breach_reason, c.breach_automatic, c.breach_record_id]
            for c in list_commitments(subject, state, limit, uow, who)]
    data = xlsx.workbook_bytes([xlsx.Sheet("信用承诺", _COLUMNS, rows)])
    return Response(content=data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment("commitments.xlsx"))
