"""HTTP API of 分级分类监管: measures lists (122号 Art.20, 21, 24), the decision service and its log (122号 Art.22, 23,
25, 26), rankings (122号 Art.17). The coordinating department's consolidated lists and the published rankings are
public (no token)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile

from ..auth.actors import Actor
from ..auth.policy import PERSONAL_DATA_ROLES, STAFF_ROLES
from ..core import xlsx
from ..core.uow import UnitOfWork
from ..deps import Principal, audit_personal_read, get_uow, optional_principal, require
from ..errors import ForbiddenError, InputError, NotFoundError, UnauthorizedError
from ..errors_http import Day, error_responses
from ..rules.identifiers import free_text_for
from . import decisions, excel, rankings, repository, service
from .schemas import (
    DecisionLogPageOut,
    DecisionOut,
    FileIn,
    Kind,
    MeasuresEditIn,
    MeasuresListIn,
    MeasuresListOut,
    Process,
    PublicMeasuresOut,
    PublicRankingOut,
    RankingIn,
    RankingOut,
)

router = APIRouter(prefix="/api/v1", tags=["supervision 分级分类监管"])

# who reads the decision log: the coordinating department, the leaders, the administrator (122号 Art.19 可追溯)
LOG_READERS = frozenset({"admin", "coordinator", "leader"})


def _staff(who: Principal) -> Actor:
    if who.actor is None:
        raise UnauthorizedError("Authorization", "需要接口令牌", "a bearer token is needed")
    if who.actor.role not in STAFF_ROLES:
        raise ForbiddenError("Authorization", f"角色 {who.actor.role} 不能查看", f"role {who.actor.role} may not read this")
    return who.actor


# --- measures lists -----------------------------------------------------------------------------------------

@router.post("/measures", status_code=201, response_model=MeasuresListOut,
             summary="编制措施清单草案 (122号 第二十条, 第二十一条, 第二十四条)",
             responses=error_responses(401, 403, 409, 422))
def create_measures(data: MeasuresListIn, uow: UnitOfWork = Depends(get_uow),
                    actor: Actor = Depends(require("measures.draft"))) -> dict[str, Any]:
    row = service.create_draft(uow, data.industry, data.kind, data.note, data.entries, actor)
    return service.list_out(uow.session, row, uow.clock.today())


@router.put("/measures/{list_id}", response_model=MeasuresListOut, summary="修改措施清单草案 (draft only)",
            responses=error_responses(401, 403, 404, 409, 422))
def update_measures(list_id: int, data: MeasuresEditIn, uow: UnitOfWork = Depends(get_uow),
                    actor: Actor = Depends(require("measures.draft"))) -> dict[str, Any]:
    row = service.update_draft(uow, list_id, data.note, data.entries, actor)
    return service.list_out(uow.session, row, uow.clock.today())


@router.post("/measures/{list_id}/approve", response_model=MeasuresListOut,
             summary="行业主管委领导审核同意 (122号 第二十四条; the leader in charge, signed in)",
             responses=error_responses(401, 403, 404, 409))
def approve_measures(list_id: int, uow: UnitOfWork = Depends(get_uow),
                     actor: Actor = Depends(require("measures.approve"))) -> dict[str, Any]:
    row = service.approve(uow, list_id, actor)
    return service.list_out(uow.session, row, uow.clock.today())


@router.post("/measures/{list_id}/file", response_model=MeasuresListOut,
             summary="报统筹部门备案, in force from effective_from (122号 第二十四条)",
             responses=error_responses(401, 403, 404, 409, 422))
def file_measures(list_id: int, data: FileIn | None = None, uow: UnitOfWork = Depends(get_uow),
                  actor: Actor = Depends(require("measures.file"))) -> dict[str, Any]:
    row = service.file_list(uow, list_id, data.effective_from if data else None, actor)
    return service.list_out(uow.session, row, uow.clock.today())


@router.get("/measures", response_model=list[MeasuresListOut],
            summary="措施清单各版本及其在 on 日的状态 (staff)", responses=error_responses(401, 403, 422))
def list_measures(industry: str | None = Query(None, max_length=40), kind: Kind | None = None,
                  status: Literal["draft", "approved", "filed", "in_force", "superseded"] | None = None,
                  on: Day | None = None, uow: UnitOfWork = Depends(get_uow),
                  who: Principal = Depends(optional_principal)) -> list[dict[str, Any]]:
    _staff(who)
    day = on or uow.clock.today()
    out = [service.list_out(uow.session, row, day) for row in repository.measures_lists(uow.session, industry, kind)]
    return [o for o in out if status is None or o["status"] == status]


@router.get("/measures/in-force", response_model=MeasuresListOut,
            summary="施行中的措施清单 (the version in force on `on`, default today; `stale`: 122号 第二十四条)",
            responses=error_responses(401, 403, 404, 422))
def measures_in_force(industry: str = Query(min_length=1, max_length=40), kind: Kind = Query(),
                      on: Day | None = None, uow: UnitOfWork = Depends(get_uow),
                      who: Principal = Depends(optional_principal)) -> dict[str, Any]:
    _staff(who)
    service.check_industry(uow.session, industry)
    day = on or uow.clock.today()
    row = service.in_force(uow.session, industry, kind, day)
    if row is None:
        raise NotFoundError("industry", f"{industry} 在 {day} 没有施行中的{service.kind_name(kind)}",
                            f"{industry} has no {kind} list in force on {day}")
    return service.list_out(uow.session, row, day)


@router.get("/measures/{list_id}", response_model=MeasuresListOut, summary="措施清单版本 (staff)",
            responses=error_responses(401, 403, 404))
def read_measures(list_id: int, on: Day | None = None, uow: UnitOfWork = Depends(get_uow),
                  who: Principal = Depends(optional_principal)) -> dict[str, Any]:
    _staff(who)
    return service.list_out(uow.session, service.get_list(uow.session, list_id), on or uow.clock.today())


@router.get("/public/measures", response_model=PublicMeasuresOut,
            summary="统筹部门汇总公布的失信惩戒/守信激励措施清单 (no token; 122号 第二十条, 第二十一条)",
            responses=error_responses(422))
def public_measures(kind: Kind = Query(), on: Day | None = None, uow: UnitOfWork = Depends(get_uow)
                    ) -> dict[str, Any]:
    return service.consolidated(uow.session, kind, on or uow.clock.today())


# --- decision service ---------------------------------------------------------------------------------------

@router.get("/decisions", response_model=DecisionOut,
            summary="分级分类监管及应用: grade and measures for a subject in a process, logged "
                    "(122号 第二十二条, 第二十三条, 第二十五条; 社会机构须说明用途和依据, 第二十六条)",
            responses=error_responses(401, 403, 404, 422))
def decision(subject: str = Query(min_length=1, max_length=40), process: Process = Query(),
             industry: str | None = Query(None, max_length=40),
             purpose: str | None = Query(None, max_length=500, description="122号 Art.26: required of social bodies"),
             legal_basis: str | None = Query(None, max_length=500,
                                             description="122号 Art.26: required of social bodies"),
             uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("decisions.query"))
             ) -> dict[str, Any]:
    return decisions.decide(uow, actor, subject, process, industry, purpose, legal_basis)


@router.get("/decisions/log", response_model=DecisionLogPageOut,
            summary="决策查询日志 (who asked, for which process, what was answered; coordinator/admin/leader)",
            responses=error_responses(401, 403, 404, 422))
def decision_log(subject: str | None = Query(None, max_length=40), process: Process | None = None,
                 limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10_000_000),
                 uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("decisions.query"))
                 ) -> dict[str, Any]:
    if actor.role not in LOG_READERS:
        raise ForbiddenError("Authorization", f"角色 {actor.role} 不能查看决策查询日志",
                             f"role {actor.role} may not read the decision log")
    # issue 12 item 5: purpose and legal basis are free text; ID numbers in them masked for the leader
    return free_text_for(actor.role in PERSONAL_DATA_ROLES)(
        decisions.log_page(uow, actor, subject, process, limit, offset))


# --- rankings -----------------------------------------------------------------------------------------------

@router.post("/rankings", status_code=201, response_model=RankingOut,
             summary="排行榜草稿 (122号 第十七条; order per G1-11)", responses=error_responses(401, 403, 422))
def create_ranking(data: RankingIn, uow: UnitOfWork = Depends(get_uow),
                   actor: Actor = Depends(require("rankings.draft"))) -> dict[str, Any]:
    row = rankings.create_ranking(uow, data.industry, data.as_of, actor)
    return rankings.ranking_out(row, True, staff=True)


@router.post("/rankings/{ranking_id}/approve", response_model=RankingOut,
             summary="报主管委领导审定后发布 (122号 第十七条); a published ranking never changes (409)",
             responses=error_responses(401, 403, 404, 409))
def approve_ranking(ranking_id: int, uow: UnitOfWork = Depends(get_uow),
                    actor: Actor = Depends(require("rankings.approve"))) -> dict[str, Any]:
    row = rankings.approve_ranking(uow, ranking_id, actor)
    return rankings.ranking_out(row, False, staff=True)


def _staff_ranking(uow: UnitOfWork, who: Principal, row: Any) -> dict[str, Any]:
    if who.may_see_personal and any(e.subject_kind == "individual" for e in row.entries):
        audit_personal_read(uow, who, f"ranking:{row.id}", "ranking")
    return rankings.ranking_out(row, who.may_see_personal, staff=True)


@router.get("/rankings", response_model=list[RankingOut], summary="排行榜 (staff: drafts and published)",
            responses=error_responses(401, 403, 422))
def list_rankings(industry: str | None = Query(None, max_length=40),
                  status: Literal["draft", "published"] | None = None, uow: UnitOfWork = Depends(get_uow),
                  who: Principal = Depends(optional_principal)) -> list[dict[str, Any]]:
    _staff(who)
    return [_staff_ranking(uow, who, r) for r in rankings.list_rankings(uow, industry, status)]


@router.get("/rankings/{ranking_id}", response_model=RankingOut, summary="排行榜 (staff)",
            responses=error_responses(401, 403, 404))
def read_ranking(ranking_id: int, uow: UnitOfWork = Depends(get_uow),
                 who: Principal = Depends(optional_principal)) -> dict[str, Any]:
    _staff(who)
    return _staff_ranking(uow, who, rankings.get_ranking(uow, ranking_id))


@router.get("/public/rankings", response_model=list[PublicRankingOut],
            summary="已发布的排行榜 (no token; resident ID numbers masked; 122号 第十七条)",
            responses=error_responses(422))
def public_rankings(industry: str | None = Query(None, max_length=40), uow: UnitOfWork = Depends(get_uow)
                    ) -> list[dict[str, Any]]:
    return [rankings.ranking_out(r, False, staff=False) for r in rankings.list_rankings(uow, industry, "published")]


# --- Excel 台账 (the JSON routes' twins: same roles, same masking, same audit) ---------------------------------

MAX_UPLOAD = 5 * 1024 * 1024  # a measures list of 500 lines is a few hundred KB


def _xlsx(data: bytes, filename: str) -> Response:
    return Response(content=data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment(filename))


@router.post("/measures/import", status_code=201, response_model=MeasuresListOut,
             summary="从 Excel 导入措施清单草案 (multipart: file, industry, kind, note; 列序按 122号 第二十四条 附件5: "
                     "信用等级, 监管应用事项, 措施依据, 实施类别, 实施部门, 流程, 检查系数[, 信用级别])",
             responses=error_responses(401, 403, 409, 422))
async def import_measures(file: UploadFile | None = File(default=None),
                          industry: str = Form(min_length=1, max_length=40), kind: Kind = Form(),
                          note: str | None = Form(None, max_length=2000), uow: UnitOfWork = Depends(get_uow),
                          actor: Actor = Depends(require("measures.draft"))) -> dict[str, Any]:
    if file is None:
        raise InputError("file", "缺少上传文件（multipart 字段 file）", "missing the upload (multipart field `file`)")
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InputError("file", f"文件超过 {MAX_UPLOAD // 1024 // 1024} MB", f"the file exceeds {MAX_UPLOAD} bytes")
    row = excel.import_measures(uow, data, industry, kind, note, actor)
    return service.list_out(uow.session, row, uow.clock.today())


@router.get("/measures/{list_id}.xlsx", response_class=Response, summary="措施清单版本导出为 Excel (staff)",
            responses={**xlsx.OPENAPI_200, **error_responses(401, 403, 404, 422)})
def export_measures(list_id: int, on: Day | None = None, uow: UnitOfWork = Depends(get_uow),
                    who: Principal = Depends(optional_principal)) -> Response:
    body = read_measures(list_id, on, uow, who)
    return _xlsx(excel.measures_workbook(body), f"measures-{list_id}-v{body['version']}.xlsx")


@router.get("/decisions/log.xlsx", response_class=Response,
            summary="决策查询日志导出为 Excel (coordinator/admin/leader)",
            responses={**xlsx.OPENAPI_200, **error_responses(401, 403, 404, 422)})
def export_decision_log(subject: str | None = Query(None, max_length=40), process: Process | None = None,
                        limit: int = Query(1000, ge=1, le=10_000), offset: int = Query(0, ge=0, le=10_000_000),
                        uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("decisions.query"))
                        ) -> Response:
    page = decision_log(subject, process, limit, offset, uow, actor)  # the JSON twin: its readers, its masking
    return _xlsx(excel.decision_log_workbook(page), "decision-log.xlsx")


@router.get("/rankings/{ranking_id}.xlsx", response_class=Response,
            summary="排行榜导出为 Excel (published: no token, ID numbers masked; drafts: staff)",
            responses={**xlsx.OPENAPI_200, **error_responses(401, 403, 404, 422)})
def export_ranking(ranking_id: int, uow: UnitOfWork = Depends(get_uow),
                   who: Principal = Depends(optional_principal)) -> Response:
    staff = who.actor is not None and who.actor.role in STAFF_ROLES
    if staff:
        body = _staff_ranking(uow, who, rankings.get_ranking(uow, ranking_id))
    else:  # the public sees only what GET /public/rankings shows; a draft is not there (404, as if absent)
        row = repository.ranking_by_id(uow.session, ranking_id)
        if row is None or row.status != "published":
            raise NotFoundError("ranking_id", f"未找到已发布的排行榜 {ranking_id}", f"no published ranking {ranking_id}")
        body = rankings.ranking_out(row, False, staff=False)
    return _xlsx(excel.ranking_workbook(body, staff), f"ranking-{ranking_id}.xlsx")


# "/measures/{list_id}" and "/rankings/{ranking_id}" would take "7.xlsx" as their id (422): the workbook routes
# are tried first (a stable sort keeps every other route in its order)
router.routes.sort(key=lambda r: not getattr(r, "path", "").endswith(".xlsx"))
