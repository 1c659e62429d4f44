"""Standards API (122号 第七条, 第十一条, 第十二条): list, read, draft, consultation, approval, what-if impact."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ..auth.actors import Actor
from ..auth.policy import PERSONAL_DATA_ROLES, STAFF_ROLES
from ..core.uow import UnitOfWork
from ..deps import Principal, audit_personal_read, get_uow, optional_principal, require
from ..errors_http import error_responses
from ..reference import repository as reference_repo
from ..rules.identifiers import free_text_for
from . import repository, service
from .models import StandardVersion
from .rulebook import rulebook
from .schemas import (
    ApproveIn,
    CatalogueItemOut,
    CommentIn,
    CommentOut,
    CommentReceiptOut,
    CommentsOut,
    ConsultationIn,
    DispositionIn,
    StandardIn,
    StandardOut,
    StandardSummaryOut,
)

router = APIRouter(prefix="/api/v1", tags=["standards 评价标准"])


def _detail(uow: UnitOfWork, row: StandardVersion) -> dict[str, Any]:
    body = service.content_of(row)
    body["lifecycle"] = service.lifecycle(row, repository.all_versions(uow.session), uow.clock.today())
    return body


@router.get("/standards", summary="评价标准版本 (122号 第十二条)", response_model=list[StandardSummaryOut],
            responses=error_responses(401))
def list_standards(uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)
                   ) -> list[dict[str, Any]]:
    return service.list_standards(uow.session, uow.clock.today(), include_drafts=who.actor is not None)


@router.post("/standards", status_code=201, summary="拟定评价标准草案 (122号 第十一条(一), 第十二条)",
             response_model=StandardOut, responses=error_responses(401, 403, 404, 422))
def create_standard(data: StandardIn, based_on: str | None = Query(None, max_length=60),
                    uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("standards.draft"))
                    ) -> dict[str, Any]:
    if based_on is not None:
        service.get_row(uow.session, based_on)
    row = service.create_draft(uow, data.as_content(), actor, uow.clock.today(), based_on=based_on)
    uow.audit("standard.create", row.version)
    return _detail(uow, row)


@router.get("/standards/{version}", summary="评价标准内容 (the shape POST /standards accepts)",
            response_model=StandardOut, responses=error_responses(401, 404))
def read_standard(version: str, uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)
                  ) -> dict[str, Any]:
    row = service.get_row(uow.session, version)
    service.check_readable(row, who.actor is not None)
    return _detail(uow, row)


@router.put("/standards/{version}", summary="修改草案 (editing a published draft restarts its consultation)",
            response_model=StandardOut, responses=error_responses(401, 403, 404, 409, 422))
def update_standard(version: str, data: StandardIn, uow: UnitOfWork = Depends(get_uow),
                    actor: Actor = Depends(require("standards.draft"))) -> dict[str, Any]:
    row = service.update_draft(uow, version, data.as_content(), actor, uow.clock.today())
    uow.audit("standard.update", row.version)
    return _detail(uow, row)


@router.post("/standards/{version}/consultation", summary="公开征求意见, 不少于15日, 不早于草案拟定之日 (122号 第十二条)",
             response_model=StandardOut, responses=error_responses(401, 403, 404, 409, 422))
def consultation(version: str, data: ConsultationIn, uow: UnitOfWork = Depends(get_uow),
                 actor: Actor = Depends(require("standards.consultation"))) -> dict[str, Any]:
    row = service.open_consultation(uow, version, data.start_date, data.end_date, actor, uow.clock.today())
    uow.audit("standard.consultation", row.version, f"{data.start_date.isoformat()}..{data.end_date.isoformat()}")
    return _detail(uow, row)


@router.post("/standards/{version}/approve", summary="主管领导审定 (122号 第十二条, D1-08)",
             response_model=StandardOut, responses=error_responses(401, 403, 404, 409, 422))
def approve(version: str, data: ApproveIn, uow: UnitOfWork = Depends(get_uow),
            actor: Actor = Depends(require("standards.approve"))) -> dict[str, Any]:
    """Refused (403) when the leader credential's scope does not include this standard; (422 naming
    `comments`) while a public comment has no disposition."""
    row = service.approve(uow, version, data.effective_date, actor, uow.clock.today(),
                          scope=list(actor.scope) or None)
    uow.audit("standard.approve", row.version, f"effective {data.effective_date.isoformat()}")
    return _detail(uow, row)


# --- 公开征求意见: public comments and their disposition (122号 第十二条) ----------------------------------------

@router.post("/standards/{version}/comments", status_code=201, response_model=CommentReceiptOut,
             summary="提交公开征求意见 (no token; only while the consultation runs, 122号 第十二条)",
             responses={200: {"model": CommentReceiptOut, "description": "the same comment sent again"},
                        **error_responses(404, 409, 422)})
def submit_comment(version: str, data: CommentIn, request: Request, response: Response,
                   uow: UnitOfWork = Depends(get_uow)) -> dict[str, Any]:
    """Anyone may comment while the version is under consultation (start_date ≤ today ≤ end_date, Beijing);
    before or after → 409 naming `consultation_start` / `consultation_end`. The same name, contact and text
    again is the same comment (200, same id): a retry never counts twice."""
    origin = request.client.host if request.client else ""
    comment, created = service.submit_comment(uow, version, data.name, data.contact, data.text, origin)
    if not created:
        response.status_code = 200
    out = service.comment_out(comment, with_identity=True)
    return {k: out[k] for k in CommentReceiptOut.model_fields}


@router.get("/standards/{version}/comments", response_model=CommentsOut,
            summary="公开征求意见及处理情况 (counts for everyone; the comments for staff)",
            responses=error_responses(401, 404))
def list_comments(version: str, uow: UnitOfWork = Depends(get_uow), who: Principal = Depends(optional_principal)
                  ) -> dict[str, Any]:
    """Everyone sees how many comments there are and how they were answered; staff (token) see the comments;
    the commenters' names and contact details only roles whose work needs personal data (read audited)."""
    row = service.get_row(uow.session, version)
    service.check_readable(row, who.actor is not None)
    role = who.actor.role if who.actor is not None else None
    staff, identity = role in STAFF_ROLES, role in PERSONAL_DATA_ROLES
    # issue 12 item 5: a comment is free text; resident ID numbers in it masked for readers without the need
    body = free_text_for(identity)(service.comments_summary(uow.session, version, staff=staff,
                                                            with_identity=identity))
    if identity and body["total"]:
        audit_personal_read(uow, who, f"standard:{version}", f"{body['total']} comments with contact details")
    return body


@router.post("/standards/{version}/comments/{comment_id}/disposition", response_model=CommentOut,
             summary="意见处理：采纳 / 部分采纳 / 不予采纳及理由 (drafting department; 122号 第十二条)",
             responses=error_responses(401, 403, 404, 409, 422))
def dispose_comment(version: str, comment_id: int, data: DispositionIn, uow: UnitOfWork = Depends(get_uow),
                    actor: Actor = Depends(require("standards.comment_disposition"))) -> dict[str, Any]:
    comment = service.dispose_comment(uow, version, comment_id, data.decision, data.reason, actor)
    uow.audit("standard.comment_disposition", f"comment:{comment.id}", f"version={version} {data.decision}")
    return service.comment_out(comment, with_identity=actor.role in PERSONAL_DATA_ROLES)


# --- 归集目录: the catalogue items of the standards in force (122号 Art.7, Art.11) ---

@router.get("/catalogue", summary="归集目录及分值 (122号 第七条, 第十一条)", response_model=list[CatalogueItemOut])
def catalogue(uow: UnitOfWork = Depends(get_uow)) -> list[dict[str, Any]]:
    """The catalogue items with points and caps of the standards in force today."""
    rb = rulebook(uow.session, uow.clock.today())
    meta = reference_repo.catalogue(uow.session)
    out = []
    for std in rb.standards:
        for it in std.items:
            c = meta.get(it.code)
            out.append({
                "code": it.code, "name": it.name, "polarity": it.polarity, "family": it.family,
                "industry": it.industry, "points": it.points, "cap": it.cap, "fuse": it.fuse is not None,
                "fuse_article": f"122号 {it.fuse}" if it.fuse else None, "heavier": it.heavier,
                "work_safety": it.work_safety, "article": it.article, "standard_version": std.version,
                "accident_grades": list(it.accident_grades),  # 国务院令第493号: a record of it carries one
                "admin_category": c.admin_category if c else it.admin_category,
                "source_category": c.source_category if c else it.source_category,
            })
    return out
