"""Evaluation API: subjects with their current grade, the explained evaluation of one subject, the grade
distribution (122号 第十三条至第十六条, 第十九条 可追溯)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from ..core import xlsx
from ..core.uow import UnitOfWork
from ..deps import Principal, audit_personal_read, get_uow, optional_principal
from ..errors import InputError
from ..errors_http import Day, error_responses
from ..governance.service import check_readable, get_row
from ..reference.framework import grade_order, level_order
from ..reference.models import Industry
from ..subjects.service import get_subject, public_code, to_out
from . import repository
from .impact import impact
from .models import GENERAL_SCOPE
from .schemas import DistributionOut, EvaluationOut, ImpactOut, ScoreCountsOut, SubjectListOut
from .service import evaluate_subject

router = APIRouter(prefix="/api/v1", tags=["evaluation 信用评价"])


@router.get("/subjects", summary="评价对象列表 (with the stored current evaluation)", response_model=SubjectListOut,
            responses=error_responses(422))
def list_subjects(q: str | None = Query(None, max_length=100), grade: Literal["A", "B", "C", "D"] | None = None,
                  industry: str | None = None, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=2**31 - 1),
                  uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)) -> dict[str, Any]:
    if industry and uow.session.get(Industry, industry) is None:
        raise InputError("industry", f"未知行业代码 {industry}", f"unknown industry {industry}")
    own = who.actor.subject if who.actor is not None and who.actor.role == "subject" else None
    if who.actor is not None and who.actor.role == "subject":  # a subject account lists only itself (第二条)
        _n, found = repository.search(uow.session, own, grade, industry, 500, 0)
        rows = [(s, e) for s, e in found if s.code == own][offset:offset + limit]
        total = len(rows)
    else:
        total, rows = repository.search(uow.session, q, grade, industry, limit, offset,
                                        partial_personal_ids=who.may_see_personal)
    items = []
    unmasked = [s.code for s, _ in rows if s.kind == "individual" and who.may_see_personal]
    if unmasked:  # spec G1-17: a read of resident ID numbers is audited
        audit_personal_read(uow, who, "subjects:list", ",".join(unmasked))
    for subject, ev in rows:
        out = to_out(subject, who.sees_personal_of(subject.code))
        out["evaluation"] = None if ev is None else {
            "scope": ev.scope, "score": ev.score, "grade": ev.grade, "level": ev.level, "fused": ev.fused,
            "as_of": ev.as_of.isoformat()}
        items.append(out)
    return {"total": total, "items": items}


_SUBJECT_COLUMNS = (
    xlsx.Column("对象代码", 24), xlsx.Column("名称", 30), xlsx.Column("类型", 12), xlsx.Column("国家评价等级", 12),
    xlsx.Column("行业", 24), xlsx.Column("评价范围", 12), xlsx.Column("得分", 8, "number"), xlsx.Column("等级", 6),
    xlsx.Column("级别", 6), xlsx.Column("评价日期", 12, "date"))


@router.get("/subjects.xlsx", response_class=Response, summary="评价对象列表导出为 Excel 台账（与 GET /subjects 同一筛选）",
            responses={**xlsx.OPENAPI_200, **error_responses(422)})
def subjects_xlsx(q: str | None = Query(None, max_length=100), grade: Literal["A", "B", "C", "D"] | None = None,
                  industry: str | None = None, uow: UnitOfWork = Depends(get_uow),
                  who: Principal = Depends(optional_principal)) -> Response:
    """The whole filtered list (at most xlsx.MAX_ROWS rows), ID numbers masked as in the list itself."""
    found = list_subjects(q=q, grade=grade, industry=industry, limit=xlsx.MAX_ROWS, offset=0, uow=uow, who=who)
    kinds = {"organization": "单位", "individual": "个人"}
    rows = [(s["code"], s["name"], kinds.get(str(s["kind"]), s["kind"]), s["national_grade"], "、".join(s["industries"]),
             industry or "通用", *((s["evaluation"]["score"], s["evaluation"]["grade"], s["evaluation"]["level"],
                                   s["evaluation"]["as_of"]) if s["evaluation"] else (None,) * 4))
            for s in found["items"]]
    data = xlsx.workbook_bytes([xlsx.Sheet("评价对象", _SUBJECT_COLUMNS, rows)])
    return Response(content=data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment("subjects.xlsx"))


@router.get("/subjects/{code}/evaluation", summary="信用评价结果及逐条说明 (122号 第十三条至第十六条)",
            response_model=EvaluationOut, responses=error_responses(403, 404, 422))
def read_evaluation(code: str, industry: str | None = None, as_of: Day | None = None,
                    uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)
                    ) -> JSONResponse:
    subject = get_subject(uow.session, code)
    today = uow.clock.today()
    if as_of is not None and as_of > today:
        raise InputError("as_of", f"评价日期 {as_of} 晚于今天", f"as_of {as_of} is in the future")
    if industry is not None:
        if uow.session.get(Industry, industry) is None:
            raise InputError("industry", f"未知行业代码 {industry}", f"unknown industry {industry}")
        if industry not in subject.industry_codes:
            raise InputError("industry", f"该对象不在 {industry} 行业评价范围内",
                             f"the subject is not evaluated in industry {industry}")
    # Computed from the records at read time: a read never shows a stale grade (第十三条 实时更新).
    results = evaluate_subject(uow.session, subject, as_of or today)
    body = results[industry or GENERAL_SCOPE].to_api()
    body["subject"] = public_code(subject, who.sees_personal_of(subject.code))
    if subject.kind == "individual" and who.may_see_personal:
        audit_personal_read(uow, who, subject.code, "evaluation")
    return JSONResponse(body)


@router.get("/stats/distribution", summary="等级分布 / grade distribution of the stored current evaluations",
            response_model=DistributionOut, responses=error_responses(422))
def distribution(industry: str | None = None, uow: UnitOfWork = Depends(get_uow)) -> dict[str, Any]:
    if industry and uow.session.get(Industry, industry) is None:
        raise InputError("industry", f"未知行业代码 {industry}", f"unknown industry {industry}")
    scope = industry or GENERAL_SCOPE
    today = uow.clock.today()  # the grades and levels of parameters.yaml (no literal table here)
    grades = {g: 0 for g in grade_order(today)}
    levels = {lv: 0 for lv in level_order(today)}
    fused = total = 0
    for g, lv, f, n in repository.distribution(uow.session, scope):
        grades[g] = grades.get(g, 0) + n
        levels[lv] = levels.get(lv, 0) + n
        fused += n if f else 0
        total += n
    return {"scope": scope, "total": total, "grades": grades, "levels": levels, "fused": fused}


@router.get("/stats/scores", summary="分值分布 / how many subjects hold each score (score histogram)",
            response_model=ScoreCountsOut, responses=error_responses(422))
def score_counts(industry: str | None = None, uow: UnitOfWork = Depends(get_uow)) -> dict[str, Any]:
    """Counts only, like /stats/distribution (no subject is named): one row per score held."""
    if industry and uow.session.get(Industry, industry) is None:
        raise InputError("industry", f"未知行业代码 {industry}", f"unknown industry {industry}")
    rows = repository.score_counts(uow.session, industry or GENERAL_SCOPE)
    return {"scope": industry or GENERAL_SCOPE, "total": sum(n for _s, n in rows),
            "scores": [{"score": s, "count": n} for s, n in rows]}


# --- 影响测算: what-if impact of a standard version (122号 Art.12), computed by the batch kernel ------------------

def _impact(uow: UnitOfWork, version: str, as_of: date | None, who: Principal) -> Any:
    check_readable(get_row(uow.session, version), who.actor is not None)
    return impact(uow.session, version, as_of or uow.clock.today(), who.may_see_personal)


@router.get("/standards/{version}/impact", summary="草案影响测算 / what-if impact on every subject",
            response_model=ImpactOut, responses=error_responses(401, 404, 422))
def read_impact(version: str, as_of: Day | None = None, limit: int | None = Query(None, ge=0, le=1_000_000),
                uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)) -> dict[str, Any]:
    return _impact(uow, version, as_of, who).to_api(limit)  # type: ignore[no-any-return]


@router.get("/standards/{version}/impact.csv", summary="影响测算导出 CSV", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                             "description": "one row per changed evaluation (UTF-8 with BOM)"},
                       **error_responses(401, 404, 422)})
def read_impact_csv(version: str, as_of: Day | None = None, uow: UnitOfWork = Depends(get_uow),
                    who: Principal = Depends(optional_principal)) -> Response:
    report = _impact(uow, version, as_of, who)
    name = f"impact-{version}-{report.as_of.isoformat()}.csv"
    return Response("\ufeff" + report.to_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
