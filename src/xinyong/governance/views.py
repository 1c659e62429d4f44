"""Standards API (122号 第七条, 第十一条, 第十二条): list, read, draft, consultation, approval, what-if impact."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..deps import Principal, get_uow, optional_principal, require
from ..reference.models import StandardVersion
from . import repository, service
from .impact import impact
from .schemas import ApproveIn, ConsultationIn, StandardIn

router = APIRouter(prefix="/api/v1", tags=["standards 评价标准"])


def _readable(row: StandardVersion, who: Principal) -> None:
    """Published drafts (consultation) and approved versions are public (122号 第十二条 向社会公开征求意见);
    a plain draft needs a token."""
    if row.status == "draft" and who.actor is None:
        raise HTTPException(status_code=401, headers={"WWW-Authenticate": "Bearer"}, detail=[{
            "field": "Authorization", "reason_zh": "未公开的草案需要接口令牌",
            "reason_en": "an unpublished draft needs a bearer token"}])


def _detail(uow: UnitOfWork, row: StandardVersion) -> dict[str, Any]:
    body = service.content_of(row)
    body["lifecycle"] = service.lifecycle(row, repository.all_versions(uow.session), uow.clock.today())
    return body


@router.get("/standards", summary="评价标准版本 (122号 第十二条)")
def list_standards(uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)
                   ) -> list[dict[str, Any]]:
    return service.list_standards(uow.session, uow.clock.today(), include_drafts=who.actor is not None)


@router.post("/standards", status_code=201, summary="拟定评价标准草案 (122号 第十一条(一), 第十二条)")
def create_standard(data: StandardIn, based_on: str | None = Query(None, max_length=60),
                    uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("standards.draft"))
                    ) -> dict[str, Any]:
    if based_on is not None:
        service.get_row(uow.session, based_on)
    row = service.create_draft(uow, data.as_content(), actor, uow.clock.today(), based_on=based_on)
    uow.audit("standard.create", row.version)
    return _detail(uow, row)


@router.get("/standards/{version}", summary="评价标准内容 (the shape POST /standards accepts)")
def read_standard(version: str, uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)
                  ) -> dict[str, Any]:
    row = service.get_row(uow.session, version)
    _readable(row, who)
    return _detail(uow, row)


@router.put("/standards/{version}", summary="修改草案 (editing a published draft restarts its consultation)")
def update_standard(version: str, data: StandardIn, uow: UnitOfWork = Depends(get_uow),
                    actor: Actor = Depends(require("standards.draft"))) -> dict[str, Any]:
    row = service.update_draft(uow, version, data.as_content(), actor, uow.clock.today())
    uow.audit("standard.update", row.version)
    return _detail(uow, row)


@router.post("/standards/{version}/consultation", summary="公开征求意见, 不少于15日 (122号 第十二条)")
def consultation(version: str, data: ConsultationIn, uow: UnitOfWork = Depends(get_uow),
                 actor: Actor = Depends(require("standards.consultation"))) -> dict[str, Any]:
    row = service.open_consultation(uow, version, data.start_date, data.end_date, actor, uow.clock.today())
    uow.audit("standard.consultation", row.version, f"{data.start_date.isoformat()}..{data.end_date.isoformat()}")
    return _detail(uow, row)


@router.post("/standards/{version}/approve", summary="主管领导审定 (122号 第十二条, D1-08)")
def approve(version: str, data: ApproveIn, uow: UnitOfWork = Depends(get_uow),
            actor: Actor = Depends(require("standards.approve"))) -> dict[str, Any]:
    row = service.approve(uow, version, data.effective_date, actor, uow.clock.today())
    uow.audit("standard.approve", row.version, f"effective {data.effective_date.isoformat()}")
    return _detail(uow, row)


def _impact(uow: UnitOfWork, version: str, as_of: date | None, who: Principal) -> Any:
    row = service.get_row(uow.session, version)
    _readable(row, who)
    return impact(uow.session, version, as_of or uow.clock.today(), who.may_see_personal)


@router.get("/standards/{version}/impact", summary="草案影响测算 / what-if impact on every subject")
def read_impact(version: str, as_of: date | None = None, limit: int | None = Query(None, ge=0, le=1_000_000),
                uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)) -> dict[str, Any]:
    return _impact(uow, version, as_of, who).to_api(limit)  # type: ignore[no-any-return]


@router.get("/standards/{version}/impact.csv", summary="影响测算导出 CSV")
def read_impact_csv(version: str, as_of: date | None = None, uow: UnitOfWork = Depends(get_uow),
                    who: Principal = Depends(optional_principal)) -> Response:
    report = _impact(uow, version, as_of, who)
    name = f"impact-{version}-{report.as_of.isoformat()}.csv"
    return Response("\ufeff" + report.to_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
