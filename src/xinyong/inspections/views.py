"""HTTP API of the inspections domain: inspectors, plans and their draws, the 无事不扰 whitelist, inspections
(122号 Art.22, 122号 Art.25; 44号 Task 12)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from ..auth.actors import Actor
from ..core import xlsx
from ..core.uow import UnitOfWork
from ..deps import Principal, get_uow, optional_principal, require
from ..errors_http import LATEST_DATE, error_responses
from ..rules.identifiers import free_text_for
from ..subjects.models import Subject
from ..supervision.excel import plan_workbook
from . import service, whitelist
from .schemas import (
    InspectionIn,
    InspectionOut,
    InspectionReport,
    InspectorIn,
    InspectorOut,
    PlanIn,
    PlanOut,
    PlanSummary,
    WhitelistIn,
    WhitelistOut,
    WhitelistRemovalIn,
)

router = APIRouter(prefix="/api/v1", tags=["inspections 监督检查"])


@router.post("/inspectors", status_code=201, response_model=InspectorOut,
             summary="登记执法检查人员 (执法检查人员名录, 双随机)",
             responses={200: {"model": InspectorOut, "description": "the same department, code and name again"},
                        **error_responses(401, 403, 409, 422)})
def post_inspector(data: InspectorIn, uow: UnitOfWork = Depends(get_uow),
                   actor: Actor = Depends(require("inspections.plan"))) -> JSONResponse:
    row, created = service.add_inspector(uow, data, actor)
    if created:
        uow.audit("inspector.create", f"inspector:{row.id}", f"{row.department} {row.code}")
    body = InspectorOut(id=row.id, department=row.department, name=row.name, code=row.code)
    return JSONResponse(status_code=201 if created else 200, content=body.model_dump(mode="json"))


@router.get("/inspectors", response_model=list[InspectorOut], summary="部门执法检查人员名录",
            responses=error_responses(401, 403, 422))
def get_inspectors(department: str = Query(min_length=1, max_length=40), uow: UnitOfWork = Depends(get_uow),
                   actor: Actor = Depends(require("inspections.plan"))) -> list[InspectorOut]:
    return service.inspectors(uow.session, department, actor)


@router.post("/inspection-plans", status_code=201, response_model=PlanOut,
             summary="生成监督检查计划：按信用等级双随机抽取 (122号 Art.22, 122号 Art.25; G1-09)",
             responses=error_responses(401, 403, 409, 422))
def post_plan(data: PlanIn, uow: UnitOfWork = Depends(get_uow),
              actor: Actor = Depends(require("inspections.plan"))) -> PlanOut:
    row = service.draw_plan(uow, data, actor)
    uow.audit("inspection_plan.draw", f"inspection_plan:{row.id}", f"{row.industry} seed {row.seed} {row.digest}")
    return service.plan_out(row, True)


@router.get("/inspection-plans", response_model=list[PlanSummary], summary="监督检查计划列表 (公开)")
def list_plans(department: str | None = Query(None, max_length=40), industry: str | None = Query(None, max_length=40),
               uow: UnitOfWork = Depends(get_uow)) -> list[PlanSummary]:
    return service.plan_summaries(uow.session, department, industry)


@router.get("/inspection-plans/{plan_id}", response_model=PlanOut,
            summary="监督检查计划及其抽取结果、复算方法 (公开; 一经生成不再改变)", responses=error_responses(404))
def get_plan(plan_id: int, uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)
             ) -> PlanOut:
    return service.plan_out(service.get_plan(uow.session, plan_id), who.may_see_personal)


@router.get("/whitelist", response_model=list[WhitelistOut], summary="“无事不扰”白名单 (44号 Task 12)",
            responses=error_responses(422))
def get_whitelist(industry: str | None = Query(None, max_length=40), uow: UnitOfWork = Depends(get_uow),
                  who: Principal = Depends(optional_principal)) -> list[WhitelistOut]:
    # issue 12 item 5: the reasons are free text; resident ID numbers in them masked (spec G1-17)
    free_text = free_text_for(who.may_see_personal, who.actor.subject if who.actor is not None else None)
    return [WhitelistOut.model_validate(free_text(e.model_dump()))
            for e in whitelist.entries_out(uow.session, industry, who.may_see_personal, uow.clock.today())]


@router.post("/whitelist", status_code=201, response_model=WhitelistOut,
             summary="人工纳入白名单（须写明原因）(44号 Task 12; G3-02)", responses=error_responses(401, 403, 409, 422))
def post_whitelist(data: WhitelistIn, uow: UnitOfWork = Depends(get_uow),
                   actor: Actor = Depends(require("inspections.plan"))) -> WhitelistOut:
    row = whitelist.add_manually(uow, data, actor)
    uow.audit("whitelist.add", f"whitelist:{row.id}", f"{row.industry} {row.reason}"[:500])
    subject = uow.session.get(Subject, row.subject_id)
    assert subject is not None
    return whitelist.entry_out(row, subject, True, uow.clock.today())


@router.post("/whitelist/{entry_id}/removal", response_model=WhitelistOut,
             summary="人工移出白名单（须写明原因）", responses=error_responses(401, 403, 404, 409, 422))
def post_whitelist_removal(entry_id: int, data: WhitelistRemovalIn, uow: UnitOfWork = Depends(get_uow),
                           actor: Actor = Depends(require("inspections.plan"))) -> WhitelistOut:
    row = whitelist.remove_manually(uow, entry_id, data.reason, actor)
    uow.audit("whitelist.remove", f"whitelist:{row.id}", data.reason[:500])
    subject = uow.session.get(Subject, row.subject_id)
    assert subject is not None
    return whitelist.entry_out(row, subject, True, uow.clock.today())


@router.post("/inspections", status_code=201, response_model=InspectionOut,
             summary="记录检查结果；白名单对象现场检查须注明例外情形 (44号 Task 12)；结果回流为信用记录 (122号 Art.7)",
             responses=error_responses(401, 403, 404, 409, 422))
def post_inspection(data: InspectionIn, uow: UnitOfWork = Depends(get_uow),
                    actor: Actor = Depends(require("inspections.record"))) -> InspectionOut:
    row, item = service.record_inspection(uow, data, actor)
    uow.audit("inspection.record", f"inspection:{row.id}", f"{row.kind} {row.result} {row.exception_code or ''}")
    subject = uow.session.get(Subject, row.subject_id)
    assert subject is not None
    return service.inspection_out(row, subject.code, item)


@router.get("/reports/inspections", response_model=InspectionReport,
            summary="检查统计：按等级计划与完成、白名单对象现场检查按例外情形 (44号 Task 12)",
            responses=error_responses(401, 403, 422))
def get_report(department: str = Query(min_length=1, max_length=40), year: int = Query(ge=2024, le=LATEST_DATE.year),
               uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("inspections.plan"))
               ) -> InspectionReport:
    return InspectionReport.model_validate(service.report(uow.session, department, year, actor))


@router.get("/inspection-plans/{plan_id}.xlsx", response_class=Response,
            summary="检查计划导出为 Excel：抽取结果及检查人员、对象名单、白名单、抽取比例、随机种子与复算方法 (公开)",
            responses={**xlsx.OPENAPI_200, **error_responses(404, 422)})
def export_plan(plan_id: int, uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)
                ) -> Response:
    plan = get_plan(plan_id, uow, who)  # exactly what the JSON twin shows, masking included
    return Response(content=plan_workbook(plan.model_dump()), media_type=xlsx.MEDIA_TYPE,
                    headers=xlsx.attachment(f"inspection-plan-{plan_id}.xlsx"))


# "/inspection-plans/{plan_id}" would take "7.xlsx" as its id (422): the workbook route is tried first
router.routes.sort(key=lambda r: not getattr(r, "path", "").endswith(".xlsx"))
