"""HTTP routes of the public portal (pages under /public, JSON under /api/v1/public/...). Reading needs no token
(122号 Art.5 公开透明); the subject's own cases go through /api/v1/cases with its sign-in token (122号 Art.18).
Rankings and measures lists are served by supervision (/api/v1/public/rankings, /api/v1/public/measures)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse

from ..core.uow import UnitOfWork
from ..deps import Principal, get_uow, optional_principal
from ..errors_http import error_responses
from . import service
from .schemas import PublicAccountOut, PublicStandardOut, PublicSubjectListOut, PublicSubjectOut

router = APIRouter(tags=["portal 公众门户"])
PAGE = Path(__file__).resolve().parents[1] / "web" / "static" / "public" / "index.html"


@router.get("/public", include_in_schema=False)
@router.get("/public/", include_in_schema=False)
def page() -> FileResponse:
    """The portal's one page; its views are addressed by the hash (#/subject/REF …), so no ID reaches a log."""
    return FileResponse(PAGE, headers={"Cache-Control": "no-cache"})


@router.get("/api/v1/public/subjects", response_model=PublicSubjectListOut,
            summary="公众查询评价对象 (no token; individuals only by whole ID number or name, G1-17)",
            responses=error_responses(422))
def search(q: str = Query(..., max_length=100), limit: int = Query(20, ge=1, le=100),
           offset: int = Query(0, ge=0, le=100_000), uow: UnitOfWork = Depends(get_uow)) -> dict[str, Any]:
    return service.search(uow.session, q, limit, offset)


@router.get("/api/v1/public/subjects/{ref}", response_model=PublicSubjectOut,
            summary="评价对象的公开信用信息：各行业等级与公开记录 (no token; 122号 Art.13, 18)",
            responses=error_responses(404, 422))
def subject(ref: str, uow: UnitOfWork = Depends(get_uow)) -> dict[str, Any]:
    found = service.subject_by_ref(uow.session, ref[:60])
    return service.subject_page(uow.session, found, uow.clock.today())


@router.get("/api/v1/public/standards", response_model=list[PublicStandardOut],
            summary="现行评价标准及公开征求意见的草案 (no token; 122号 Art.12)")
def standards(uow: UnitOfWork = Depends(get_uow)) -> list[dict[str, Any]]:
    return service.public_standards(uow.session, uow.clock.today())


@router.get("/api/v1/public/account", response_model=PublicAccountOut,
            summary="已登录的评价对象账号 (its sign-in token; 122号 Art.18)", responses=error_responses(401, 403))
def account(uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)) -> dict[str, Any]:
    return service.account(uow.session, who.actor)
