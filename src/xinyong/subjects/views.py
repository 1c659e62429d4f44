"""Subjects API."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from ..auth.service import STAFF_ROLES, audit
from ..core.clock import beijing_today
from ..deps import Principal, audit_personal_read, get_session, optional_principal, require
from ..errors import InputError
from ..evaluation.models import GENERAL_SCOPE
from ..evaluation.service import evaluate_subject
from ..records import repository as records_repo
from ..records.service import Actor, record_out
from ..reference.models import Industry
from . import repository
from .schemas import SubjectIn
from .service import create_subject, get_subject, public_code, to_out

router = APIRouter(prefix="/api/v1", tags=["subjects 评价对象"])


@router.post("/subjects", status_code=201, summary="登记评价对象")
def post_subject(data: SubjectIn, request: Request, db: Session = Depends(get_session),
                 actor: Actor = Depends(require("subjects.create"))) -> dict[str, Any]:
    subject = create_subject(db, data, actor.name)
    audit(db, actor.name, actor.role, "subject.create", subject.code, actor.origin)
    db.commit()
    return to_out(subject, may_see_personal=True)


@router.get("/subjects", summary="评价对象列表 (with the stored current evaluation)")
def list_subjects(q: str | None = None, grade: Literal["A", "B", "C", "D"] | None = None,
                  industry: str | None = None, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=2**31 - 1),
                  db: Session = Depends(get_session), who: Principal = Depends(optional_principal)) -> dict[str, Any]:
    if industry and db.get(Industry, industry) is None:
        raise InputError("industry", f"未知行业代码 {industry}", f"unknown industry {industry}")
    own = who.actor.subject if who.actor is not None and who.actor.role == "subject" else None
    if who.actor is not None and who.actor.role == "subject":  # a subject account lists only itself (第二条)
        _n, found = repository.search(db, own, grade, industry, 500, 0)
        rows = [(s, e) for s, e in found if s.code == own][offset:offset + limit]
        total = len(rows)
    else:
        total, rows = repository.search(db, q, grade, industry, limit, offset)
    items = []
    unmasked = [s.code for s, _ in rows if s.kind == "individual" and who.may_see_personal]
    if unmasked:  # spec G1-17: a read of resident ID numbers is audited
        audit_personal_read(db, who, "subjects:list", ",".join(unmasked))
    for subject, ev in rows:
        out = to_out(subject, who.sees_personal_of(subject.code))
        out["evaluation"] = None if ev is None else {
            "scope": ev.scope, "score": ev.score, "grade": ev.grade, "level": ev.level, "fused": ev.fused,
            "as_of": ev.as_of.isoformat()}
        items.append(out)
    return {"total": total, "items": items}


@router.get("/subjects/{code}", summary="评价对象")
def read_subject(code: str, db: Session = Depends(get_session), who: Principal = Depends(optional_principal)
                 ) -> dict[str, Any]:
    subject = get_subject(db, code)
    if subject.kind == "individual" and who.may_see_personal:  # spec G1-17: unmasked resident ID read
        audit_personal_read(db, who, subject.code)
    return to_out(subject, who.sees_personal_of(subject.code))


@router.get("/subjects/{code}/evaluation", summary="信用评价结果及逐条说明 (122号 第十三条至第十六条)")
def read_evaluation(code: str, industry: str | None = None, as_of: date | None = None,
                    db: Session = Depends(get_session), who: Principal = Depends(optional_principal)
                    ) -> JSONResponse:
    subject = get_subject(db, code)
    today = beijing_today()
    if as_of is not None and as_of > today:
        raise InputError("as_of", f"评价日期 {as_of} 晚于今天", f"as_of {as_of} is in the future")
    if industry is not None:
        if db.get(Industry, industry) is None:
            raise InputError("industry", f"未知行业代码 {industry}", f"unknown industry {industry}")
        if industry not in subject.industry_codes:
            raise InputError("industry", f"该对象不在 {industry} 行业评价范围内",
                             f"the subject is not evaluated in industry {industry}")
    # Computed from the records at read time: a read never shows a stale grade (第十三条 实时更新).
    results = evaluate_subject(db, subject, as_of or today)
    body = results[industry or GENERAL_SCOPE].to_api()
    body["subject"] = public_code(subject, who.sees_personal_of(subject.code))
    if subject.kind == "individual" and who.may_see_personal:
        audit_personal_read(db, who, subject.code, "evaluation")
    return JSONResponse(body)


@router.get("/subjects/{code}/records", summary="评价对象的信用记录")
def subject_records(code: str, db: Session = Depends(get_session), who: Principal = Depends(optional_principal)
                    ) -> list[dict[str, Any]]:
    """Every version of every record with its status (active / withdrawn / superseded) and links
    (supersedes / superseded_by, 122号 第十条). Without a token or as viewer, records withdrawn after an objection
    or repaired are left out (spec G1-17); staff roles see them with their status."""
    subject = get_subject(db, code)
    shown = public_code(subject, who.sees_personal_of(subject.code))
    if subject.kind == "individual" and who.may_see_personal:
        audit_personal_read(db, who, subject.code, "records")
    staff = who.actor is not None and who.actor.role in STAFF_ROLES
    rows = records_repo.history_for_subject(db, subject.id)
    out = []
    for row in rows if staff else records_repo.public_records(db, subject.id, rows):
        body = record_out(row.record, shown, row.status)
        body["superseded_by"] = row.superseded_by
        if staff and row.withdrawal is not None:
            w = row.withdrawal
            body["withdrawal"] = {"kind": w.kind, "reason": w.reason, "by": w.withdrawn_by,
                                  "at": w.withdrawn_at.isoformat(timespec="seconds")}
        if staff and row.correction is not None:
            c = row.correction
            body["correction"] = {"reason": c.reason, "authority_ref": c.authority_ref, "by": c.corrected_by,
                                  "at": c.corrected_at.isoformat(timespec="seconds")}
        out.append(body)
    return out


@router.get("/stats/distribution", summary="等级分布 / grade distribution of the stored current evaluations")
def distribution(industry: str | None = None, db: Session = Depends(get_session)) -> dict[str, Any]:
    if industry and db.get(Industry, industry) is None:
        raise InputError("industry", f"未知行业代码 {industry}", f"unknown industry {industry}")
    scope = industry or GENERAL_SCOPE
    grades = {g: 0 for g in "ABCD"}
    levels = {lv: 0 for lv in ("A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D")}
    fused = total = 0
    for g, lv, f, n in repository.distribution(db, scope):
        grades[g] = grades.get(g, 0) + n
        levels[lv] = levels.get(lv, 0) + n
        fused += n if f else 0
        total += n
    return {"scope": scope, "total": total, "grades": grades, "levels": levels, "fused": fused}
