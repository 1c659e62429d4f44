"""Subjects API."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from ..auth.service import audit
from ..calendar.service import beijing_today
from ..deps import Principal, get_session, optional_principal, require
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
    total, rows = repository.search(db, q, grade, industry, limit, offset)
    items = []
    for subject, ev in rows:
        out = to_out(subject, who.may_see_personal)
        out["evaluation"] = None if ev is None else {
            "scope": ev.scope, "score": ev.score, "grade": ev.grade, "level": ev.level, "fused": ev.fused,
            "as_of": ev.as_of.isoformat()}
        items.append(out)
    return {"total": total, "items": items}


@router.get("/subjects/{code}", summary="评价对象")
def read_subject(code: str, db: Session = Depends(get_session), who: Principal = Depends(optional_principal)
                 ) -> dict[str, Any]:
    return to_out(get_subject(db, code), who.may_see_personal)


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
    body["subject"] = public_code(subject, who.may_see_personal)
    return JSONResponse(body)


@router.get("/subjects/{code}/records", summary="评价对象的信用记录")
def subject_records(code: str, db: Session = Depends(get_session), who: Principal = Depends(optional_principal)
                    ) -> list[dict[str, Any]]:
    subject = get_subject(db, code)
    shown = public_code(subject, who.may_see_personal)
    return [record_out(r, shown, "withdrawn" if w else "active") for r, w in records_repo.for_subject(db, subject.id)]


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
